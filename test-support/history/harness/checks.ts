import { checkGrace } from "../grace";
import { checkLocks, type LockHold, type LockViolation } from "../locks";
import { checkNearCache, type StaleRead } from "../near-cache";
import type { Verdict } from "../linearizability";
import type { LockRecord, RunResult } from "./run";

/** What one run's history shows. */
export interface RunCheck {
  operations: number;
  unknown: number;
  failed: number;
  /** Of the history without near-cache hits: linearizable per key? */
  verdict: Verdict;
  nearHits: number;
  staleNearHits: StaleRead[];
  staleness: { count: number; p50: number; p99: number; max: number };
  /** Near hits past the bound, or answering a value never written. */
  nearViolations: number;
  graceHits: number;
  /** Grace answers of a state not current within their grace, or of one their own process had removed. */
  graceViolations: number;
  lockBodies: number;
  lockViolations: LockViolation[];
  faults: number;
  /** The witness or the violations, readable. */
  text: string;
}

/**
 * Checks a run with the checkers of test-support/history: every key a register (near-cache hits aside), each
 * near-cache hit within `staleBoundMs` of the state it answered, and the lock bodies exclusive with ordered tokens.
 */
export function checkRun(run: RunResult, staleBoundMs: number): RunCheck {
  const { ops } = run;
  const near = checkNearCache(ops, { staleBoundMs });
  const grace = checkGrace(ops);
  const locks = checkLocks(run.locks.map((record) => toHold(record, run.lockTtlMs)));
  return {
    operations: ops.length,
    unknown: ops.filter((op) => op.outcome === "unknown").length,
    failed: ops.filter((op) => op.outcome === "fail").length,
    verdict: near.verdict,
    nearHits: near.nearHits,
    staleNearHits: near.staleReads,
    staleness: near.staleness,
    nearViolations: near.violations.filter((violation) => violation.kind !== "register").length,
    graceHits: grace.graceHits,
    graceViolations: grace.violations.length,
    lockBodies: locks.holds,
    lockViolations: locks.violations,
    faults: run.faults.length,
    text: [near.ok ? "" : near.text, grace.ok ? "" : grace.text, locks.ok ? "" : locks.text]
      .filter((text) => text.length > 0)
      .join("\n"),
  };
}

/**
 * A withLock body as the lock checker sees it: its bodies are shorter than a third of the TTL, so no extend moves
 * the lease, which began when the acquire was sent at the earliest.
 */
function toHold(record: LockRecord, ttlMs: number): LockHold {
  return { ...record, acquiredAt: record.bodyStart, lastRenewAt: record.acquireInvoke, ttlMs };
}

/** Why a run is flagged (empty: it bears out every claim): not linearizable, a lock violation, a hit too stale. */
export function flagged(check: RunCheck): string[] {
  const reasons: string[] = [];
  if (check.verdict !== "ok") reasons.push(`linearizability: ${check.verdict}`);
  if (check.lockViolations.length > 0) reasons.push(`${check.lockViolations.length} lock violations`);
  if (check.graceViolations > 0) reasons.push(`${check.graceViolations} grace answers out of their window`);
  if (check.nearViolations > 0) {
    reasons.push(`${check.nearViolations} near-cache hits too stale (max ${Math.round(check.staleness.max)} ms)`);
  }
  return reasons;
}
