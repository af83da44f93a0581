import { byKey, type Op } from "./history";
import { prepare, StateIds } from "./register";
import { renderOps } from "./render";
import { runSegments, type Segment, splitSegments, type Verdict } from "./segments";
import { shrinkWitness } from "./witness";

export type { Verdict } from "./segments";

export interface CheckOptions {
  /** Search configurations one key may explore before its verdict is "unknown". Default 1,000,000. */
  maxStates?: number;
  /** Look for a minimal witness when a key fails (default true). */
  witness?: boolean;
  /** Checks the witness search may run before it settles for a witness that may not be minimal. Default 2,000. */
  maxWitnessChecks?: number;
}

export const DEFAULT_MAX_STATES = 1_000_000;
const DEFAULT_WITNESS_CHECKS = 2_000;

export interface KeyResult {
  key: string;
  verdict: Verdict;
  /** Ops the search had to place: failed ops and unknown reads are not counted. */
  operations: number;
  segments: number;
  /** Configurations explored; unknown means this reached maxStates. */
  explored: number;
  /** fail: a standalone sub-history with no valid order. */
  witness?: Op[];
  witnessMinimal?: boolean;
  /** A readable account of the verdict (the witness, for a failure). */
  text: string;
}

export interface LinearizabilityReport {
  /** fail if any key fails; else unknown if any key's budget ran out; else ok. */
  verdict: Verdict;
  keys: KeyResult[];
  text: string;
}

/** Checks every key of a history as a register of its own (a cache key is one). */
export function checkLinearizable(history: readonly Op[], options: CheckOptions = {}): LinearizabilityReport {
  const keys = [...byKey(history)].map(([key, ops]) => checkKey(key, ops, options));
  const verdict = worst(keys.map((result) => result.verdict));
  const problems = keys.filter((result) => result.verdict !== "ok").map((result) => result.text);
  const summary = `${verdict}: ${history.length} operations over ${keys.length} keys`;
  return { verdict, keys, text: [summary, ...problems].join("\n\n") };
}

/** Checks the ops of one key. */
export function checkKey(key: string, ops: readonly Op[], options: CheckOptions = {}): KeyResult {
  const maxStates = options.maxStates ?? DEFAULT_MAX_STATES;
  const { segments, operations } = segmentsOf(ops);
  const budget = { left: maxStates };
  const run = runSegments(segments, budget, true);
  const explored = maxStates - Math.max(0, budget.left);
  const result = { key, verdict: run.verdict, operations, segments: segments.length, explored };
  if (run.verdict === "ok") return { ...result, text: `key ${JSON.stringify(key)}: linearizable` };
  if (run.verdict === "unknown") {
    const text = `key ${JSON.stringify(key)}: no verdict, ${maxStates} states explored (segment ${run.stoppedAt})`;
    return { ...result, text };
  }
  const failing = segments.slice(0, (run.stoppedAt as number) + 1).map((segment) => segment.ops.map((p) => p.op));
  if (options.witness === false) {
    const text = `key ${JSON.stringify(key)}: not linearizable (segment ${run.stoppedAt})`;
    return { ...result, text };
  }
  const fails = (candidate: Op[]) => verdictOf(candidate, maxStates) === "fail";
  const witness = shrinkWitness(failing, fails, options.maxWitnessChecks ?? DEFAULT_WITNESS_CHECKS);
  const heading =
    `key ${JSON.stringify(key)}: not linearizable. These ${witness.ops.length} of its ${operations} operations ` +
    `have no valid order, starting from an absent key` +
    (witness.minimal ? "; without any one of them they would have one:" : " (may not be minimal):");
  return { ...result, witness: witness.ops, witnessMinimal: witness.minimal, text: renderOps(heading, witness.ops) };
}

/** The verdict alone for ops of one key: no witness, stops at the first valid order. */
export function verdictOf(ops: readonly Op[], maxStates = DEFAULT_MAX_STATES): Verdict {
  return runSegments(segmentsOf(ops).segments, { left: maxStates }, true).verdict;
}

function segmentsOf(ops: readonly Op[]): { segments: Segment[]; operations: number } {
  const prepared = prepare(ops, new StateIds());
  return { segments: splitSegments(prepared), operations: prepared.length };
}

export function worst(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.includes("fail")) return "fail";
  return verdicts.includes("unknown") ? "unknown" : "ok";
}
