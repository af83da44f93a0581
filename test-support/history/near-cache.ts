import { byKey, isGraceHit, isNearHit, type Observation, type Op } from "./history";
import { checkLinearizable, type CheckOptions, type KeyResult, type Verdict } from "./linearizability";
import { renderOp, time } from "./render";
import { replacement } from "./replacement";

/** Something a process was told about a key ("*": every key), at a time on the history's clock. */
export interface ClientEvent {
  process: string;
  key: string;
  kind: "invalidated" | "trackingLost";
  at: number;
}

export interface NearCacheOptions extends CheckOptions {
  /** How stale a near-cache hit may be, in ms. */
  staleBoundMs: number;
  events?: readonly ClientEvent[];
}

export interface StaleRead {
  op: Observation;
  /** How long before the read was invoked its answer had certainly stopped being the key's state. */
  stalenessMs: number;
  /** The ok write or delete that certainly replaced it. */
  replacedBy: Op;
}

export type NearCacheViolation =
  /** The history without near hits is not linearizable (or got no verdict): not something near hits explain. */
  | { kind: "register"; key: string; result: KeyResult }
  | { kind: "tooStale"; read: StaleRead }
  /** A near hit answered a value no op of the key wrote before it completed. */
  | { kind: "neverWritten"; op: Observation }
  /** A near hit answered a state replaced before its process was told the key changed. */
  | { kind: "afterEvent"; read: StaleRead; event: ClientEvent };

export interface NearCacheReport {
  ok: boolean;
  /** The register check of the history without near hits. */
  verdict: Verdict;
  nearHits: number;
  /** Near hits whose answer had certainly been replaced before they were invoked. */
  staleReads: StaleRead[];
  staleness: { count: number; p50: number; p99: number; max: number };
  violations: NearCacheViolation[];
  text: string;
}

/**
 * Near-cache hits may answer a state a little after it was replaced, and nothing else may. So: the history
 * without near hits (and without grace hits, which checkGrace judges) must be linearizable; then each near hit's
 * staleness is measured (how long before it was invoked its answer had certainly been replaced), and must be
 * within the bound, and none may answer a state replaced before its process was told the key changed.
 */
export function checkNearCache(history: readonly Op[], options: NearCacheOptions): NearCacheReport {
  const ops = history.filter((op) => !isGraceHit(op));
  const register = checkLinearizable(
    ops.filter((op) => !isNearHit(op)),
    options,
  );
  const violations: NearCacheViolation[] = register.keys
    .filter((result) => result.verdict !== "ok")
    .map((result) => ({ kind: "register", key: result.key, result }));
  const staleReads: StaleRead[] = [];
  const nearHits = ops.filter((op): op is Observation => isNearHit(op) && op.outcome === "ok");
  const keys = byKey(ops);
  for (const op of nearHits) {
    const replaced = replacement(op, keys.get(op.key) ?? [], op.complete);
    if (!replaced.written) violations.push({ kind: "neverWritten", op });
    if (replaced.by === undefined || replaced.replacedAt >= op.invoke) continue;
    const read = { op, stalenessMs: op.invoke - replaced.replacedAt, replacedBy: replaced.by };
    staleReads.push(read);
    if (read.stalenessMs > options.staleBoundMs) violations.push({ kind: "tooStale", read });
    const event = toldBefore(read, options.events ?? []);
    if (event) violations.push({ kind: "afterEvent", read, event });
  }
  const staleness = figures(staleReads.map((read) => read.stalenessMs));
  const ok = violations.length === 0;
  const report = { ok, verdict: register.verdict, nearHits: nearHits.length, staleReads, staleness, violations };
  return { ...report, text: describe(report, options.staleBoundMs) };
}

/** An event that told the read's process its key changed, after the answer was replaced and before the read. */
function toldBefore(read: StaleRead, events: readonly ClientEvent[]): ClientEvent | undefined {
  const { op } = read;
  const replacedAt = read.replacedBy.complete;
  return events.find(
    (event) =>
      event.process === op.process &&
      (event.key === op.key || event.key === "*") &&
      event.at >= replacedAt &&
      event.at < op.invoke,
  );
}

/** p50, p99 and max (nearest rank), 0 for none. */
export function figures(values: readonly number[]): NearCacheReport["staleness"] {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (q: number) => (sorted.length === 0 ? 0 : sorted[Math.ceil(q * sorted.length) - 1]);
  return { count: sorted.length, p50: rank(0.5), p99: rank(0.99), max: rank(1) };
}

function describe(report: Omit<NearCacheReport, "text">, boundMs: number): string {
  const { nearHits, staleness } = report;
  const summary =
    `near cache: ${nearHits} hits, ${staleness.count} stale (p50 ${time(staleness.p50)} ms, ` +
    `p99 ${time(staleness.p99)} ms, max ${time(staleness.max)} ms; bound ${boundMs} ms)`;
  return [summary, ...report.violations.map(violationText)].join("\n");
}

function violationText(violation: NearCacheViolation): string {
  switch (violation.kind) {
    case "register":
      return `without its near hits, ${violation.result.text}`;
    case "neverWritten":
      return `a near hit answered what no op wrote:\n  ${renderOp(violation.op)}`;
    case "tooStale":
      return `a near hit stale by ${time(violation.read.stalenessMs)} ms:\n  ${staleLines(violation.read)}`;
    case "afterEvent":
      return (
        `a near hit answered a state replaced before its process was told (${violation.event.kind} at ` +
        `${time(violation.event.at)}):\n  ${staleLines(violation.read)}`
      );
  }
}

function staleLines(read: StaleRead): string {
  return `${renderOp(read.op)}\n  replaced by ${renderOp(read.replacedBy)}`;
}
