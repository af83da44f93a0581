import type { Op } from "./history";

/** One op on one line, aligned, in a form a person can follow: who, what, what it answered, when. */
export function renderOp(op: Op): string {
  const flags = [
    "nearHit" in op && op.nearHit ? "near hit" : "",
    "graceHit" in op && op.graceHit ? `grace hit, graceMs ${op.graceMs}` : "",
  ].filter((flag) => flag !== "");
  const effect = op.outcome === "unknown" ? ` (may take effect until ${time(op.effectBy ?? Infinity)})` : "";
  return [
    `#${op.id}`.padEnd(7),
    op.process.padEnd(10),
    op.method.padEnd(11),
    (meaning(op) + (flags.length > 0 ? ` [${flags.join(", ")}]` : "")).padEnd(32),
    op.outcome.padEnd(8),
    `${time(op.invoke)} → ${time(op.complete)}${effect}`,
  ].join(" ");
}

/** Ops sorted by invoke, one a line, indented under a heading; `note` adds to an op's line. */
export function renderOps(heading: string, ops: readonly Op[], note: (op: Op) => string = () => ""): string {
  const sorted = [...ops].sort((a, b) => a.invoke - b.invoke || a.id - b.id);
  return [heading, ...sorted.map((op) => "  " + renderOp(op) + note(op))].join("\n");
}

function meaning(op: Op): string {
  switch (op.kind) {
    case "write":
      return `write ${JSON.stringify(op.value)}`;
    case "writeIfAbsent":
      return `write if absent ${JSON.stringify(op.value)}`;
    case "delete":
      return "delete";
    case "read":
      return op.outcome === "ok" ? `read → ${op.value === null ? "absent" : JSON.stringify(op.value)}` : "read";
    case "exists":
      return op.outcome === "ok" ? `exists → ${op.value}` : "exists";
  }
}

export function time(ms: number): string {
  return Number.isFinite(ms) ? ms.toFixed(3) : "∞";
}
