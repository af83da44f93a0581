import { byKey, effectEnd, isGraceHit, type Observation, type Op, type Value, valueKey } from "./history";
import { renderOp, time } from "./render";
import { leaves, replacement } from "./replacement";

export type GraceViolation =
  /** It answered a value no op of the key wrote before it was invoked. */
  | { kind: "neverWritten"; op: Observation }
  /** Its answer had certainly been replaced more than graceMs before it was invoked. */
  | { kind: "tooOld"; op: Observation; replacedBy: Op; ageMs: number }
  /** It answered a value after its own process's ok delete (or clear) of the key, with no later write of it. */
  | { kind: "afterOwnDelete"; op: Observation; deletedBy: Op };

export interface GraceReport {
  ok: boolean;
  graceHits: number;
  violations: GraceViolation[];
  text: string;
}

/**
 * A grace hit (answered from the last state seen, while the store was away) with answer v, graceMs g, invoked at
 * t is valid only if v was the key's state at some instant of [t − g, t]. Kept simple and sound: v must have been
 * left by an op invoked before t (null: the key starts absent), and not certainly replaced (an ok write or delete
 * to another state that began after v's latest possible write) more than g before t. And it must never answer a
 * value after its own process's ok delete of the key (clear: one delete per key) completed, unless a write of
 * that value could have landed after the delete.
 */
export function checkGrace(history: readonly Op[]): GraceReport {
  const hits = history.filter((op): op is Observation => isGraceHit(op) && op.outcome === "ok");
  const keys = byKey(history);
  const violations = hits.flatMap((op) => judge(op, keys.get(op.key) ?? []));
  const lines = violations.map(violationText);
  const text = [`grace: ${hits.length} hits, ${violations.length} violations`, ...lines].join("\n");
  return { ok: violations.length === 0, graceHits: hits.length, violations, text };
}

function judge(op: Observation, keyOps: readonly Op[]): GraceViolation[] {
  const replaced = replacement(op, keyOps, op.invoke);
  if (!replaced.written) return [{ kind: "neverWritten", op }];
  const violations: GraceViolation[] = [];
  const ageMs = op.invoke - replaced.replacedAt;
  if (replaced.by && ageMs > (op.graceMs ?? 0)) violations.push({ kind: "tooOld", op, replacedBy: replaced.by, ageMs });
  const deletedBy = ownDeleteBefore(op, keyOps);
  if (deletedBy) violations.push({ kind: "afterOwnDelete", op, deletedBy });
  return violations;
}

/**
 * The process's own ok delete of the key that completed before the hit, after which no write of what the hit
 * answered could have landed. Not for an answer of "absent": a delete is what leaves that.
 */
function ownDeleteBefore(op: Observation, keyOps: readonly Op[]): Op | undefined {
  const answersPresent = op.kind === "exists" ? op.value : op.value !== null;
  if (!answersPresent) return undefined;
  const sources = keyOps.filter((other) => {
    const left = leaves(other);
    return left !== undefined && left.state !== null && other.invoke < op.invoke && answers(op, left.state);
  });
  return keyOps.find(
    (other) =>
      other.kind === "delete" &&
      other.outcome === "ok" &&
      other.process === op.process &&
      other.complete < op.invoke &&
      !sources.some((source) => effectEnd(source) > other.invoke),
  );
}

/** Whether a present state is what the hit answered (exists true: any value). */
function answers(op: Observation, state: Value): boolean {
  return op.kind === "exists" || valueKey(state) === valueKey(op.value);
}

function violationText(violation: GraceViolation): string {
  switch (violation.kind) {
    case "neverWritten":
      return `a grace hit answered what no op wrote before it:\n  ${renderOp(violation.op)}`;
    case "tooOld":
      return (
        `a grace hit answered a state replaced ${time(violation.ageMs)} ms before it (graceMs ` +
        `${violation.op.graceMs}):\n  ${renderOp(violation.op)}\n  replaced by ${renderOp(violation.replacedBy)}`
      );
    case "afterOwnDelete":
      return (
        `a grace hit answered a value its own process had deleted:\n  ${renderOp(violation.op)}\n` +
        `  deleted by ${renderOp(violation.deletedBy)}`
      );
  }
}
