import { byKey, type Op, type Value, valueKey } from "./history";
import { prepare, readBack, StateIds, UNREAD } from "./register";
import { renderOps, time } from "./render";
import type { Config } from "./search";
import { runSegments, type Segment, splitSegments, type Verdict } from "./segments";
import { shrinkWitness } from "./witness";

export type { Verdict } from "./segments";

export interface CheckOptions {
  /** Search configurations one key may explore before its verdict is "unknown". Default 1,000,000. */
  maxStates?: number;
  /** Shrink a witness when a key fails (default true). */
  witness?: boolean;
  /** Checks the witness search may run before it settles for a witness that may not be minimal. Default 2,000. */
  maxWitnessChecks?: number;
}

export const DEFAULT_MAX_STATES = 1_000_000;
const DEFAULT_WITNESS_CHECKS = 2_000;

/**
 * Why a key is not linearizable: the stretch of its history (between quiescent points) that no order gets
 * through, from any state the history before it can leave the key in.
 */
export interface Witness {
  /** The stretch's ops: every one that may change the key, and the fewest observations that still fail. */
  ops: Op[];
  /** Every state the key could be in when the stretch began: a value, null (absent), or UNREAD_VALUE. */
  startStates: Array<Value | null>;
  /** The invoke time of the stretch's first op (not counting unknown ops still open from before). */
  from: number;
  /**
   * Where the stretch was cut: ops invoked later are left out, and ops still running then count as unknown, with
   * effect by this time at the latest (observations among them are left out). Infinity: not cut.
   */
  until: number;
  /** True when no observation left can be dropped (the check budget did not run out first). */
  minimal: boolean;
}

/** Stands for any value that no op of the key ever read back: they are one state to the checker. */
export const UNREAD_VALUE = "<a value no op read back>";

export interface KeyResult {
  key: string;
  verdict: Verdict;
  /** Ops the search had to place: failed ops and unknown reads are not counted. */
  operations: number;
  segments: number;
  /** Configurations explored; unknown means this reached maxStates. */
  explored: number;
  witness?: Witness;
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
  const ids = new StateIds();
  const prepared = prepare(ops, ids);
  const segments = splitSegments(prepared);
  const budget = { left: maxStates };
  const run = runSegments(segments, budget);
  const explored = maxStates - Math.max(0, budget.left);
  const result = { key, verdict: run.verdict, operations: prepared.length, segments: segments.length, explored };
  const name = `key ${JSON.stringify(key)}`;
  if (run.verdict === "ok") return { ...result, text: `${name}: linearizable` };
  if (run.verdict === "unknown") {
    return { ...result, text: `${name}: no verdict, ${maxStates} states explored (segment ${run.stoppedAt})` };
  }
  if (options.witness === false) return { ...result, text: `${name}: not linearizable (segment ${run.stoppedAt})` };
  const segment = segments[run.stoppedAt as number];
  const maxChecks = options.maxWitnessChecks ?? DEFAULT_WITNESS_CHECKS;
  const witness = toWitness(segment, run.starts as Config[], ids, maxStates, maxChecks);
  return { ...result, witness, text: `${name}: not linearizable. ${describe(witness, ops)}` };
}

/** The verdict alone for ops of one key. */
export function verdictOf(ops: readonly Op[], maxStates = DEFAULT_MAX_STATES): Verdict {
  return runSegments(splitSegments(prepare(ops, new StateIds())), { left: maxStates }).verdict;
}

function toWitness(segment: Segment, starts: Config[], ids: StateIds, maxStates: number, maxChecks: number): Witness {
  const shrunk = shrinkWitness(segment.ops, starts, maxStates, maxChecks);
  const states = [...new Set(starts.map((start) => start.state))].sort((a, b) => a - b);
  const startStates = states.map((state) => (state === UNREAD ? UNREAD_VALUE : ids.value(state)));
  const from = segment.ops[segment.carriedIn].invoke;
  const { until, minimal } = shrunk;
  return { ops: shrunk.ops.map((prepared) => prepared.op), startStates, from, until, minimal };
}

function describe(witness: Witness, keyOps: readonly Op[]): string {
  const states = witness.startStates.map((state) => {
    if (state === null) return "absent";
    return state === UNREAD_VALUE ? lastUnread(keyOps, witness.from) : JSON.stringify(state);
  });
  const cut = Number.isFinite(witness.until) ? `, as things stood at ${time(witness.until)}` : "";
  const heading =
    `Before ${time(witness.from)} the key could only be ${states.join(" or ")}; from there, these operations have no ` +
    `valid order${cut}` +
    (witness.minimal ? " (and would have one without any of them that can be left out):" : " (not fully shrunk):");
  const running = (op: Op) => (op.complete > witness.until ? ` (still running at ${time(witness.until)})` : "");
  return renderOps(heading, witness.ops, running);
}

/** "a value no op read back", with the last such value written before `time`, to go by. */
function lastUnread(keyOps: readonly Op[], time: number): string {
  const read = readBack(keyOps);
  let last: Op | undefined;
  for (const op of keyOps) {
    if (op.kind !== "write" && op.kind !== "writeIfAbsent") continue;
    if (op.outcome === "fail" || op.invoke >= time || read.has(valueKey(op.value))) continue;
    if (last === undefined || op.invoke > last.invoke) last = op;
  }
  const value = last && (last.kind === "write" || last.kind === "writeIfAbsent") ? last.value : undefined;
  return `a value no op read back${value === undefined ? "" : ` (the last written before: ${JSON.stringify(value)})`}`;
}

export function worst(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.includes("fail")) return "fail";
  return verdicts.includes("unknown") ? "unknown" : "ok";
}
