import { ABSENT, type Prepared } from "./register";
import { type Budget, type Config, SegmentSearch } from "./search";

/**
 * A stretch of one key's history between quiescent points. `carryOut`: ids of its optional ops still open at the
 * cut (they may take effect after it), which therefore also open the next segment.
 */
export interface Segment {
  ops: Prepared[];
  /** How many of `ops`, at the start, were carried in from the segment before. */
  carriedIn: number;
  carryOut: Set<number>;
}

export type Verdict = "ok" | "fail" | "unknown";

export interface SegmentsRun {
  verdict: Verdict;
  /**
   * fail: the furthest segment any order reached; no order gets through it, so the segments up to it are not
   * linearizable on their own. unknown: where the budget ran out.
   */
  stoppedAt?: number;
  /** fail: every configuration the failing segment can begin in (each was tried). */
  starts?: Config[];
}

const INITIAL: Config = { state: ABSENT, done: [] };

/**
 * Cuts ops (sorted by invoke) wherever the next op starts after every required op so far has ended: nothing
 * before the cut can then take effect after it, except optional ops still open (an unknown write may land until
 * its effectBy), and those are carried into the next segment rather than preventing the cut, so a history with
 * an op that may land any time still splits.
 */
export function splitSegments(ops: readonly Prepared[]): Segment[] {
  const segments: Segment[] = [];
  let current: Prepared[] = [];
  let carriedIn = 0;
  let requiredEnd = -Infinity;
  let fresh = 0;
  for (const op of ops) {
    if (fresh > 0 && op.invoke > requiredEnd) {
      const carried = current.filter((open) => open.optional && open.end >= op.invoke);
      segments.push({ ops: current, carriedIn, carryOut: new Set(carried.map((open) => open.op.id)) });
      current = carried;
      carriedIn = carried.length;
      requiredEnd = -Infinity;
      fresh = 0;
    }
    current.push(op);
    fresh++;
    if (!op.optional) requiredEnd = Math.max(requiredEnd, op.end);
  }
  if (fresh > 0) segments.push({ ops: current, carriedIn, carryOut: new Set() });
  return segments;
}

/**
 * Searches for one order of the whole history, segment by segment: each end a segment's search yields is tried
 * as the next segment's start before the search looks for another end (a stack, not recursion: a history can
 * have many thousands of segments). A segment is tried from a start at most once, or from one it covers.
 */
export function runSegments(segments: readonly Segment[], budget: Budget): SegmentsRun {
  if (segments.length === 0) return { verdict: "ok" };
  const searches = segments.map(({ ops, carryOut }) => new SegmentSearch(ops, carryOut, budget));
  const tried = segments.map(() => new TriedStarts());
  const stack = [{ segment: 0, ends: searches[0].ends(INITIAL) }];
  let furthest = 0;
  while (stack.length > 0) {
    const { segment, ends } = stack[stack.length - 1];
    const next = ends.next();
    if (searches[segment].exhausted) return { verdict: "unknown", stoppedAt: segment };
    if (next.done) {
      stack.pop();
      continue;
    }
    if (segment === segments.length - 1) return { verdict: "ok" };
    if (!tried[segment + 1].add(next.value)) continue;
    stack.push({ segment: segment + 1, ends: searches[segment + 1].ends(next.value) });
    furthest = Math.max(furthest, segment + 1);
  }
  return { verdict: "fail", stoppedAt: furthest, starts: furthest === 0 ? [INITIAL] : tried[furthest].all() };
}

/**
 * The starts a segment was tried from. A start is covered by an earlier one in the same state that had decided
 * only some of the carried ops it decided: the earlier one could do all it can (leave the others undecided).
 */
class TriedStarts {
  private readonly byState = new Map<number, Array<readonly number[]>>();

  /** Records a start; false when one tried before covers it. */
  add(start: Config): boolean {
    const tried = this.byState.get(start.state) ?? [];
    if (tried.some((done) => done.every((id) => start.done.includes(id)))) return false;
    tried.push(start.done);
    this.byState.set(start.state, tried);
    return true;
  }

  all(): Config[] {
    return [...this.byState].flatMap(([state, tried]) => tried.map((done) => ({ state, done })));
  }
}
