import { ABSENT, ILLEGAL, type Prepared, step } from "./register";
import { type Config, SegmentSearch } from "./search";

export interface Shrunk {
  ops: Prepared[];
  /** Ops still running at this time count as unknown (effect by then at the latest); later ones are left out. */
  until: number;
  /** True when no op left can be dropped; false when the check budget ran out first. */
  minimal: boolean;
}

/**
 * A small part of the failing segment that still has no order from any of `starts`, and still proves the whole
 * history has none. Dropping just any op would not do: without a write, a read of its value fails, in a history
 * that did not. So the segment is only weakened in ways that cannot help a failing history fail:
 * - cut at the earliest time that still fails: an order of the whole history, cut there, is an order of the cut
 *   (ops running at the cut may or may not have taken effect by then);
 * - observations dropped: they constrain, never help;
 * - writes and deletes dropped when nothing left could see their state (see `unseen`).
 */
export function shrinkWitness(
  segment: readonly Prepared[],
  starts: readonly Config[],
  maxStates: number,
  maxChecks: number,
): Shrunk {
  const budget = { checks: maxChecks };
  const fails = (ops: readonly Prepared[]) => budget.checks-- > 0 && noOrder(ops, starts, maxStates);
  const until = earliestFailingCut(segment, fails);
  const may = (op: Prepared, rest: readonly Prepared[]) => isObservation(op) || unseen(op, rest);
  let ops = cutAt(segment, until);
  // Big stretches of time first (a write goes with the reads of it), then single ops until none can go.
  for (let before = Infinity; ops.length < before && budget.checks > 0;) {
    before = ops.length;
    ops = dropInChunks(ops, may, fails);
  }
  return { ops, until, minimal: budget.checks > 0 };
}

/**
 * Drops what it may of chunks of ops (halving in size down to one) while what is left still fails: of a chunk,
 * the ops `may(op, rest)` lets go given what would be left, which in turn depends on what goes (a write a kept
 * read sees must stay), so that is settled by dropping fewer until it holds.
 */
function dropInChunks(
  start: readonly Prepared[],
  may: (op: Prepared, rest: readonly Prepared[]) => boolean,
  fails: (ops: readonly Prepared[]) => boolean,
): Prepared[] {
  let ops = [...start];
  for (let size = Math.max(1, Math.floor(ops.length / 2)); ; size = Math.max(1, Math.floor(size / 2))) {
    for (let at = 0; at < ops.length;) {
      let dropping = new Set(ops.slice(at, at + size));
      for (let settled = false; !settled;) {
        const rest = ops.filter((op) => !dropping.has(op));
        const kept = [...dropping].filter((op) => may(op, rest));
        settled = kept.length === dropping.size;
        dropping = new Set(kept);
      }
      const rest = ops.filter((op) => !dropping.has(op));
      if (dropping.size > 0 && fails(rest)) ops = rest;
      else at += size;
    }
    if (size === 1) return ops;
  }
}

/** The earliest invoke or complete time of the segment at which the cut history still fails (bisection). */
function earliestFailingCut(segment: readonly Prepared[], fails: (ops: readonly Prepared[]) => boolean): number {
  const times = [...new Set(segment.flatMap((op) => [op.invoke, op.op.complete]))].sort((a, b) => a - b);
  let failing = times.length; // Past the last time: the segment itself, known to fail.
  let passing = -1;
  while (failing - passing > 1) {
    const middle = Math.floor((failing + passing) / 2);
    if (fails(cutAt(segment, times[middle]))) failing = middle;
    else passing = middle;
  }
  return failing === times.length ? Infinity : times[failing];
}

/**
 * The history as it stood at `time`: ops invoked later are left out; those still running may or may not have
 * taken effect by then, so observations among them are dropped and the others become optional.
 */
export function cutAt(ops: readonly Prepared[], time: number): Prepared[] {
  const cut: Prepared[] = [];
  for (const op of ops) {
    if (op.invoke > time) continue;
    if (op.optional) cut.push(op.end <= time ? op : { ...op, end: time });
    else if (op.end <= time) cut.push(op);
    else if (!isObservation(op)) cut.push({ ...op, optional: true, end: time });
  }
  return cut;
}

/**
 * Whether nothing in `rest` could see the state `op` (a write or delete) leaves. What could is a required op
 * other than a write or delete that is legal in that state, ordered between `op` and the next write or delete:
 * not one that ended before `op` began, nor one that began after a required write or delete that itself began
 * after `op` ended (that one comes between). Optional ops never need to see it: they can not take effect. Then in
 * any order only writes and deletes follow `op` before the next one, so the order without it still holds: dropping
 * it cannot turn a history with an order into one without. A write of a value some read left answers is kept.
 */
function unseen(op: Prepared, rest: readonly Prepared[]): boolean {
  if (isObservation(op)) return false;
  const leaves = op.kind === "delete" ? ABSENT : op.arg;
  // Kept for the reader's sake, though sound to drop: a read of a value with no write of it explains nothing.
  if (rest.some((other) => other.kind === "read" && other.arg === leaves)) return false;
  let horizon = Infinity;
  for (const other of rest) {
    if (!other.optional && isBarrier(other) && other.invoke > op.end) horizon = Math.min(horizon, other.end);
  }
  return rest.every((other) => {
    if (other.optional || isBarrier(other) || step(other, leaves) === ILLEGAL) return true;
    return other.end < op.invoke || other.invoke > horizon;
  });
}

function isBarrier(op: Prepared): boolean {
  return op.kind === "write" || op.kind === "delete";
}

function isObservation(op: Prepared): boolean {
  return op.kind === "read" || op.kind === "exists";
}

/** Whether no start gets through these ops; running out of budget counts as getting through (keep the op). */
function noOrder(ops: readonly Prepared[], starts: readonly Config[], maxStates: number): boolean {
  const search = new SegmentSearch(ops, new Set(), { left: maxStates });
  return starts.every((start) => search.ends(start).next().done === true && !search.exhausted);
}
