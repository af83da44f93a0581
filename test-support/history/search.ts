import { ILLEGAL, type Prepared, step } from "./register";

/**
 * A point between segments: the register's state, and which of the optional ops still open across the cut
 * (their ids) were already decided, taken effect or given up. Those not listed may still take effect later.
 */
export interface Config {
  state: number;
  done: readonly number[];
}

/** States explored so far, shared by all segments of a check so one budget bounds the whole check. */
export interface Budget {
  left: number;
}

export function configKey(config: Config): string {
  return `${config.state}:${config.done.join(",")}`;
}

/** The root frame has no move; a skip is encoded as -(index + 1) so both fit one number. */
const NO_MOVE = Number.NEGATIVE_INFINITY;

interface Frame {
  moves: number[];
  next: number;
  move: number;
  previous: number;
}

/**
 * Wing–Gong/Lowe search of one segment (ops sorted by invoke) from every start configuration: depth first over
 * "which op takes effect next", memoizing (ops done as a bitset, state) so each configuration is explored once.
 * Answers the configurations it can end in (every required op done), projected on the ops in `carryOut`, or
 * undefined when the budget ran out. With `stopAtFirst`, it stops at the first such end.
 */
export function searchSegment(
  ops: readonly Prepared[],
  starts: readonly Config[],
  carryOut: ReadonlySet<number>,
  budget: Budget,
  stopAtFirst: boolean,
): Config[] | undefined {
  const search = new SegmentSearch(ops, carryOut, budget, stopAtFirst);
  for (const start of starts) {
    search.explore(start);
    if (search.stopped) break;
  }
  return search.result();
}

class SegmentSearch {
  private readonly done: Uint8Array;
  private readonly words: Uint16Array;
  private readonly memo = new Set<string>();
  private readonly ends = new Map<string, Config>();
  private readonly indexOf = new Map<number, number>();
  private readonly required: number;
  private exhausted = false;
  private state = 0;
  private requiredLeft = 0;
  /** Every op before this index is done: the scan for the next moves starts here. */
  private first = 0;

  constructor(
    private readonly ops: readonly Prepared[],
    private readonly carryOut: ReadonlySet<number>,
    private readonly budget: Budget,
    private readonly stopAtFirst: boolean,
  ) {
    this.done = new Uint8Array(ops.length);
    this.words = new Uint16Array(Math.ceil(ops.length / 16));
    ops.forEach((op, index) => this.indexOf.set(op.op.id, index));
    this.required = ops.filter((op) => !op.optional).length;
  }

  get stopped(): boolean {
    return this.exhausted || (this.stopAtFirst && this.ends.size > 0);
  }

  result(): Config[] | undefined {
    return this.exhausted ? undefined : [...this.ends.values()];
  }

  explore(start: Config): void {
    const carried = start.done.map((id) => this.indexOf.get(id)).filter((index) => index !== undefined);
    carried.forEach((index) => this.mark(index, 1));
    this.state = start.state;
    this.requiredLeft = this.required;
    if (this.visit()) this.depthFirst();
    carried.forEach((index) => this.mark(index, 0));
  }

  private depthFirst(): void {
    const stack: Frame[] = [{ moves: this.moves(), next: 0, move: NO_MOVE, previous: this.state }];
    while (stack.length > 0 && !this.stopped) {
      const frame = stack[stack.length - 1];
      if (frame.next === frame.moves.length) {
        stack.pop();
        this.undo(frame);
        continue;
      }
      const move = frame.moves[frame.next++];
      const previous = this.state;
      if (!this.apply(move)) continue;
      const entered = { moves: [] as number[], next: 0, move, previous };
      if (!this.visit()) this.undo(entered);
      else stack.push({ ...entered, moves: this.moves() });
    }
    // Stopped early: leave the bitset as it was at the start.
    for (let depth = stack.length - 1; depth >= 0; depth--) this.undo(stack[depth]);
  }

  /** Takes a move from the current configuration; false when the op cannot take effect in this state. */
  private apply(move: number): boolean {
    if (move < 0) {
      this.mark(-move - 1, 1);
      return true;
    }
    const op = this.ops[move];
    const next = step(op, this.state);
    if (next === ILLEGAL) return false;
    this.state = next;
    this.mark(move, 1);
    if (!op.optional) this.requiredLeft--;
    return true;
  }

  private undo(frame: Frame): void {
    if (frame.move === NO_MOVE) return;
    const skipped = frame.move < 0;
    const index = skipped ? -frame.move - 1 : frame.move;
    this.mark(index, 0);
    this.state = frame.previous;
    if (!skipped && !this.ops[index].optional) this.requiredLeft++;
  }

  /**
   * The ops that may take effect next: not done, and no op not done must precede them (ends before they start).
   * Scanning in invoke order, the first op invoked after the smallest end seen is blocked, and so is every later
   * one. If the op with that smallest end is optional, giving it up is also a move: that is the only time giving
   * up matters, and offering it only then keeps the search from trying every order of give-ups.
   */
  private moves(): number[] {
    const moves: number[] = [];
    let minEnd = Infinity;
    let minAt = -1;
    for (let index = this.first; index < this.ops.length; index++) {
      if (this.done[index] === 1) continue;
      const op = this.ops[index];
      if (op.invoke > minEnd) {
        if (this.ops[minAt].optional) moves.push(-minAt - 1);
        break;
      }
      moves.push(index);
      if (op.end < minEnd) {
        minEnd = op.end;
        minAt = index;
      }
    }
    return moves;
  }

  /** Records the current configuration; false when it was explored before. */
  private visit(): boolean {
    const key = this.key();
    if (this.memo.has(key)) return false;
    this.memo.add(key);
    if (--this.budget.left < 0) this.exhausted = true;
    if (this.requiredLeft === 0) this.recordEnd();
    return true;
  }

  private recordEnd(): void {
    const done: number[] = [];
    for (const id of this.carryOut) if (this.done[this.indexOf.get(id) as number] === 1) done.push(id);
    const end = { state: this.state, done: done.sort((a, b) => a - b) };
    this.ends.set(configKey(end), end);
  }

  private mark(index: number, value: 0 | 1): void {
    this.done[index] = value;
    const bit = 1 << (index % 16);
    this.words[index >> 4] = value === 1 ? this.words[index >> 4] | bit : this.words[index >> 4] & ~bit;
    if (value === 0 && index < this.first) this.first = index;
    while (this.first < this.ops.length && this.done[this.first] === 1) this.first++;
  }

  private key(): string {
    let key = `${this.state}|`;
    for (let at = 0; at < this.words.length; at += 4096) {
      key += String.fromCharCode(...this.words.subarray(at, at + 4096));
    }
    return key;
  }
}
