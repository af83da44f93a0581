import { ABSENT, type Prepared } from "./register";
import { type Budget, type Config, configKey, searchSegment } from "./search";

/**
 * A stretch of one key's history between quiescent points. `carryOut`: ids of its optional ops still open at the
 * cut (they may take effect after it), which therefore also open the next segment.
 */
export interface Segment {
  ops: Prepared[];
  carryOut: Set<number>;
}

export type Verdict = "ok" | "fail" | "unknown";

export interface SegmentsRun {
  verdict: Verdict;
  /** The segment no configuration got through (fail), or where the budget ran out (unknown). */
  stoppedAt?: number;
  /** The configurations each segment reached started from, up to where the run stopped. */
  starts: Config[][];
}

export const INITIAL: Config[] = [{ state: ABSENT, done: [] }];

/**
 * Cuts ops (sorted by invoke) wherever the next op starts after every required op so far has ended: nothing
 * before the cut can then take effect after it, except optional ops still open (an unknown write may land until
 * its effectBy), and those are carried into the next segment rather than preventing the cut, so a history with
 * an op that may land any time still splits.
 */
export function splitSegments(ops: readonly Prepared[]): Segment[] {
  const segments: Segment[] = [];
  let current: Prepared[] = [];
  let requiredEnd = -Infinity;
  let fresh = 0;
  for (const op of ops) {
    if (fresh > 0 && op.invoke > requiredEnd) {
      const carried = current.filter((open) => open.optional && open.end >= op.invoke);
      segments.push({ ops: current, carryOut: new Set(carried.map((open) => open.op.id)) });
      current = carried;
      requiredEnd = -Infinity;
      fresh = 0;
    }
    current.push(op);
    fresh++;
    if (!op.optional) requiredEnd = Math.max(requiredEnd, op.end);
  }
  if (fresh > 0) segments.push({ ops: current, carryOut: new Set() });
  return segments;
}

/**
 * Runs the segments in order, each from the configurations the previous one can end in. With `stopAtFirst`, the
 * last segment stops at its first end: enough for a verdict, not for comparing what segments end in.
 */
export function runSegments(
  segments: readonly Segment[],
  budget: Budget,
  stopAtFirst: boolean,
  initial: Config[] = INITIAL,
): SegmentsRun {
  const starts: Config[][] = [];
  let configs = initial;
  for (let index = 0; index < segments.length; index++) {
    starts.push(configs);
    const { ops, carryOut } = segments[index];
    const last = index === segments.length - 1;
    const ends = searchSegment(ops, configs, carryOut, budget, stopAtFirst && last);
    if (ends === undefined) return { verdict: "unknown", stoppedAt: index, starts };
    if (ends.length === 0) return { verdict: "fail", stoppedAt: index, starts };
    configs = minimalConfigs(ends);
  }
  starts.push(configs);
  return { verdict: "ok", starts };
}

/**
 * Drops configurations another one covers: same state, fewer optional ops decided. The one with fewer decided
 * can do all the other can (give those ops up), so keeping both only multiplies work in the next segment.
 */
export function minimalConfigs(configs: readonly Config[]): Config[] {
  const byState = new Map<number, Config[]>();
  for (const config of configs) {
    const group = byState.get(config.state) ?? [];
    if (group.some((other) => isSubset(other.done, config.done))) continue;
    byState.set(config.state, [...group.filter((other) => !isSubset(config.done, other.done)), config]);
  }
  return [...byState.values()].flat().sort((a, b) => (configKey(a) < configKey(b) ? -1 : 1));
}

function isSubset(small: readonly number[], large: readonly number[]): boolean {
  return small.every((id) => large.includes(id));
}

/** A comparable form of a set of configurations. */
export function configsKey(configs: readonly Config[]): string {
  return minimalConfigs(configs).map(configKey).join(" ");
}
