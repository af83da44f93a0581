import { type Op, isNearHit, valueKey } from "../history";
import { checkLinearizable, type Verdict } from "../linearizability";
import type { LockRecord, RunResult } from "./run";

/** One lock body whose validity overlaps another's, or whose token is out of order. */
export interface LockViolation {
  kind: "overlap" | "token";
  first: LockRecord;
  second: LockRecord;
}

export interface StaleRead {
  op: Op;
  /** How long before the read was sent its value had certainly been replaced (ms). */
  staleMs: number;
}

/** What one run's history shows. */
export interface RunCheck {
  operations: number;
  unknown: number;
  failed: number;
  /** Of the history without near-cache hits: linearizable per key? */
  verdict: Verdict;
  nearHits: number;
  staleNearHits: StaleRead[];
  lockBodies: number;
  lockViolations: LockViolation[];
  faults: number;
  /** The witness or the violations, readable. */
  text: string;
}

/**
 * Checks a run: every key a register (near-cache hits aside, which may be stale within the invalidation delay),
 * near-cache hits measured for staleness, and the lock bodies for overlaps and token order.
 */
export function checkRun(run: RunResult): RunCheck {
  const { ops, locks } = run;
  const linearizable = checkLinearizable(ops.filter((op) => !isNearHit(op)));
  const stale = staleNearHits(ops);
  const lockViolations = checkLocks(locks, run.lockTtlMs);
  const text = [
    linearizable.verdict === "ok" ? "" : linearizable.text,
    ...lockViolations.map(
      (violation) =>
        `lock ${violation.kind}: ${JSON.stringify(violation.first)} and ${JSON.stringify(violation.second)}`,
    ),
  ]
    .filter((line) => line.length > 0)
    .join("\n");
  return {
    operations: ops.length,
    unknown: ops.filter((op) => op.outcome === "unknown").length,
    failed: ops.filter((op) => op.outcome === "fail").length,
    verdict: linearizable.verdict,
    nearHits: ops.filter(isNearHit).length,
    staleNearHits: stale,
    lockBodies: locks.length,
    lockViolations,
    faults: run.faults.length,
    text,
  };
}

/**
 * A holder is valid from the start of its body until the earliest of its end, its signal's abort, and its
 * acquisition's invoke plus the TTL (the lock was set no earlier than that invoke; bodies are shorter than a third
 * of the TTL, so no extend moves it). No two valid intervals of one key may overlap, and tokens must rise in the
 * order the holders held the lock.
 */
export function checkLocks(records: readonly LockRecord[], ttlMs: number): LockViolation[] {
  const violations: LockViolation[] = [];
  const validUntil = (record: LockRecord) =>
    Math.min(record.bodyEnd, record.abortedAt ?? Infinity, record.acquireInvoke + ttlMs);
  const byKey = new Map<string, LockRecord[]>();
  for (const record of records) byKey.set(record.key, [...(byKey.get(record.key) ?? []), record]);
  for (const holds of byKey.values()) {
    holds.sort((a, b) => a.bodyStart - b.bodyStart);
    holds.forEach((first, index) => {
      for (const second of holds.slice(index + 1)) {
        if (second.bodyStart >= validUntil(first)) {
          if (second.token <= first.token) violations.push({ kind: "token", first, second });
          break;
        }
        violations.push({ kind: "overlap", first, second });
      }
    });
  }
  return violations;
}

/**
 * Near-cache hits that answered a state after it had certainly been replaced: a later ok write or delete of the key,
 * sent after the state's own write completed, that completed before the read was sent. Values are unique per
 * write, so each names its write; "absent" is credited to the latest delete that could have come before the read.
 */
export function staleNearHits(ops: readonly Op[]): StaleRead[] {
  const stale: StaleRead[] = [];
  const changes = ops.filter((op) => op.outcome === "ok" && (op.kind === "write" || op.kind === "delete"));
  const writes = new Map<string, Op>();
  for (const op of ops) if (op.kind === "write") writes.set(`${op.key}\u0000${valueKey(op.value)}`, op);
  for (const read of ops) {
    if (!isNearHit(read) || read.outcome !== "ok" || read.kind !== "read") continue;
    const source =
      read.value === null ? latestDelete(changes, read) : writes.get(`${read.key}\u0000${valueKey(read.value)}`);
    const sourceDone = source === null ? -Infinity : source?.complete;
    if (sourceDone === undefined) continue;
    const replacedAt = changes
      .filter((change) => change.key === read.key && change !== source && change.invoke > sourceDone)
      .reduce((earliest, change) => Math.min(earliest, change.complete), Infinity);
    if (replacedAt < read.invoke) stale.push({ op: read, staleMs: read.invoke - replacedAt });
  }
  return stale;
}

/** The latest delete of the read's key that could have come before it (null: none, the key was never written). */
function latestDelete(changes: readonly Op[], read: Op): Op | null {
  let latest: Op | null = null;
  for (const change of changes) {
    if (change.key !== read.key || change.kind !== "delete" || change.invoke >= read.complete) continue;
    if (latest === null || change.invoke > latest.invoke) latest = change;
  }
  return latest;
}

/** Why a run is flagged (empty: it bears out every claim): not linearizable, a lock violation, a hit too stale. */
export function flagged(check: RunCheck, staleBoundMs: number): string[] {
  const reasons: string[] = [];
  if (check.verdict !== "ok") reasons.push(`linearizability: ${check.verdict}`);
  if (check.lockViolations.length > 0) reasons.push(`${check.lockViolations.length} lock violations`);
  const { max } = stalenessFigures(check.staleNearHits);
  if (max > staleBoundMs) reasons.push(`a near-cache hit stale by ${Math.round(max)} ms (bound ${staleBoundMs} ms)`);
  return reasons;
}

/** p50, p99 and max of the stale reads' staleness, in ms (0 when there are none). */
export function stalenessFigures(stale: readonly StaleRead[]): { p50: number; p99: number; max: number } {
  const sorted = stale.map((read) => read.staleMs).sort((a, b) => a - b);
  const at = (q: number) =>
    sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5), p99: at(0.99), max: sorted.length === 0 ? 0 : sorted[sorted.length - 1] };
}
