import type { Prepared } from "./register";

/**
 * Which ops of a segment are decided (a required op taken effect; an optional op applied or given up), kept so
 * that what the next moves and the memo need costs the width of the concurrency window, not the segment length:
 * `required` (F) is the first required op not done, every required op before it is done; the optional ops still
 * open before F (unknown ops that may land any time) are kept in a linked list, in index order, so scans skip
 * everything decided. Decide and reopen must come in LIFO order, as a depth-first search does.
 */
export class Frontier {
  private readonly decided: Uint8Array;
  /** F: the first required op not decided (ops.length when all are). */
  required = 0;
  /** Open optional ops as a doubly linked list in index order; the head is ops.length. */
  private readonly next: Int32Array;
  private readonly previous: Int32Array;

  constructor(private readonly ops: readonly Prepared[]) {
    const n = ops.length;
    this.decided = new Uint8Array(n);
    this.next = new Int32Array(n + 1);
    this.previous = new Int32Array(n + 1);
    let last = n;
    for (let index = 0; index < n; index++) {
      if (!ops[index].optional) continue;
      this.next[last] = index;
      this.previous[index] = last;
      last = index;
    }
    this.next[last] = n;
    this.previous[n] = last;
    this.advance();
  }

  isOpen(index: number): boolean {
    return this.decided[index] === 0;
  }

  decide(index: number): void {
    this.decided[index] = 1;
    if (this.ops[index].optional) {
      this.next[this.previous[index]] = this.next[index];
      this.previous[this.next[index]] = this.previous[index];
    } else if (index === this.required) {
      this.advance();
    }
  }

  reopen(index: number): void {
    this.decided[index] = 0;
    if (this.ops[index].optional) {
      this.next[this.previous[index]] = index;
      this.previous[this.next[index]] = index;
    } else if (index < this.required) {
      this.required = index;
    }
  }

  /** The open optional ops before F, in index order. */
  openOptionalBeforeRequired(): number[] {
    const open: number[] = [];
    for (let index = this.next[this.ops.length]; index < this.required; index = this.next[index]) open.push(index);
    return open;
  }

  /**
   * The ops decided after F. Each was free to go while F was open, so it was invoked before F's end: scanning
   * from F up to there finds them all.
   */
  decidedAfterRequired(): number[] {
    const decided: number[] = [];
    const until = this.required < this.ops.length ? this.ops[this.required].end : -Infinity;
    for (let index = this.required + 1; index < this.ops.length && this.ops[index].invoke <= until; index++) {
      if (this.decided[index] === 1) decided.push(index);
    }
    return decided;
  }

  private advance(): void {
    while (this.required < this.ops.length && (this.ops[this.required].optional || this.decided[this.required] === 1)) {
      this.required++;
    }
  }
}

/** What the memo compares of a configuration beyond its exact key: which optional ops it has left open. */
export interface OptionalFates {
  /** Open optional ops before F. */
  openBefore: number[];
  /** Decided optional ops after F. */
  decidedAfter: number[];
}

/**
 * The configurations a search has explored. One is covered by an earlier one with the same exact key (state,
 * required ops done…) that had decided only some of the optional ops it decided: the earlier one can give the
 * others up when they are in the way, and do all this one can. Configurations reached by giving an op up are not
 * recorded (they would count as covered by the one they came from, which needed that move).
 */
export class DominanceMemo {
  private readonly seen = new Map<string, OptionalFates[]>();

  /** Records a configuration; false when an explored one covers it. */
  add(key: string, fates: OptionalFates): boolean {
    const explored = this.seen.get(key);
    if (explored === undefined) {
      this.seen.set(key, [fates]);
      return true;
    }
    if (explored.some((earlier) => covers(earlier, fates))) return false;
    // Forget the ones this covers: they would never cover anything this does not.
    const kept = explored.filter((earlier) => !covers(fates, earlier));
    kept.push(fates);
    this.seen.set(key, kept);
    return true;
  }
}

/** Whether `a` decided a subset of what `b` decided: more open before F, less decided after it. */
function covers(a: OptionalFates, b: OptionalFates): boolean {
  return isSubset(b.openBefore, a.openBefore) && isSubset(a.decidedAfter, b.decidedAfter);
}

/** Both sorted ascending. */
function isSubset(small: readonly number[], large: readonly number[]): boolean {
  let at = 0;
  for (const item of small) {
    while (at < large.length && large[at] < item) at++;
    if (at === large.length || large[at] !== item) return false;
  }
  return true;
}
