import { type Op, valueKey } from "./history";

export interface Witness {
  ops: Op[];
  /** True when dropping any single op leaves a linearizable history; false when the check budget ran out first. */
  minimal: boolean;
}

/**
 * A small non-linearizable sub-history, standalone (from an absent register), out of the segments up to the
 * failing one. First the shortest tail of whole segments that still fails (found by bisection, so a long history
 * costs few checks), then ops dropped in halving chunks and finally one at a time until no single op can go.
 * A candidate counts only if each read it keeps also keeps a write of the value read (when the history has one):
 * otherwise the smallest witness of a stale read would be the read alone, as if its value was never written.
 */
export function shrinkWitness(
  segments: readonly Op[][],
  notLinearizable: (ops: Op[]) => boolean,
  maxChecks: number,
): Witness {
  const explained = keepsWrites(segments.flat());
  const fails = (ops: Op[]) => explained(ops) && notLinearizable(ops);
  const tail = shortestFailingTail(segments, fails);
  return dropWhileFailing(tail, fails, { checks: maxChecks });
}

/** Whether every ok read in a candidate keeps a write of its value, for the values some op of `all` writes. */
function keepsWrites(all: readonly Op[]): (ops: Op[]) => boolean {
  const written = writtenValues(all);
  return (ops) => {
    const kept = writtenValues(ops);
    return ops.every((op) => {
      if (op.outcome !== "ok") return true;
      if (op.kind === "read" && op.value !== null) {
        const value = valueKey(op.value);
        return !written.has(value) || kept.has(value);
      }
      if (op.kind === "exists" && op.value) return written.size === 0 || kept.size > 0;
      return true;
    });
  };
}

/** The values ops may have written (unknown writes too: they may have landed). */
function writtenValues(ops: readonly Op[]): Set<string> {
  const values = new Set<string>();
  for (const op of ops) {
    if ((op.kind === "write" || op.kind === "writeIfAbsent") && op.outcome !== "fail") values.add(valueKey(op.value));
  }
  return values;
}

/** Ops of segments[from..], each once (an op still open across a cut belongs to both segments). */
function tailFrom(segments: readonly Op[][], from: number): Op[] {
  const ops = new Map<number, Op>();
  for (const segment of segments.slice(from)) for (const op of segment) ops.set(op.id, op);
  return [...ops.values()];
}

/** Bisects for a start segment whose tail still fails; the whole history (start 0) is known to fail. */
function shortestFailingTail(segments: readonly Op[][], fails: (ops: Op[]) => boolean): Op[] {
  let failing = 0;
  let passing = segments.length;
  while (passing - failing > 1) {
    const middle = Math.floor((failing + passing) / 2);
    if (fails(tailFrom(segments, middle))) failing = middle;
    else passing = middle;
  }
  return tailFrom(segments, failing);
}

function dropWhileFailing(start: Op[], fails: (ops: Op[]) => boolean, budget: { checks: number }): Witness {
  let ops = start;
  for (let size = Math.max(1, Math.floor(ops.length / 2)); ; size = Math.max(1, Math.floor(size / 2))) {
    let dropped = false;
    for (let at = 0; at < ops.length;) {
      if (budget.checks-- <= 0) return { ops, minimal: false };
      const candidate = [...ops.slice(0, at), ...ops.slice(at + size)];
      if (candidate.length > 0 && fails(candidate)) {
        ops = candidate;
        dropped = true;
      } else {
        at += size;
      }
    }
    if (size === 1 && !dropped) return { ops, minimal: true };
  }
}
