import { DominanceMemo, Frontier } from "./frontier";
import { effectClass, ILLEGAL, type Prepared, step } from "./register";

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

/** The root frame has no move; a give-up is encoded as -(index + 1) so both fit one number. */
const NO_MOVE = Number.NEGATIVE_INFINITY;

interface Frame {
  moves: number[];
  next: number;
  move: number;
  previous: number;
  previousFresh: number;
  previousBeforeFresh: number;
}

/**
 * Wing–Gong/Lowe search of one segment (ops sorted by invoke): depth first over "which op takes effect next",
 * memoizing configurations so each is explored once, across every start it is asked about. `ends` yields each
 * configuration a start can end in (every required op done), projected on the ops in `carryOut`, as it finds
 * it, and keeps its place: the next segment can be tried from one end before this one looks for the next.
 */
export class SegmentSearch {
  private readonly frontier: Frontier;
  private readonly memo = new DominanceMemo();
  private readonly found = new Set<string>();
  private readonly indexOf = new Map<number, number>();
  private readonly required: number;
  /** The budget ran out: what was yielded is not all there is. */
  exhausted = false;
  private state = 0;
  /**
   * The optional op applied last, while no other op has taken effect since (-1: none). Until another op takes
   * effect, only one it made possible may (see `followsFresh`): with any other, the order with that op first
   * and the optional op after is searched too. Searching only such orders keeps unknown ops that may land any
   * time from multiplying the states by every subset of them.
   */
  private fresh = -1;
  /** The state before the fresh op took effect. */
  private beforeFresh = 0;
  private requiredLeft = 0;

  constructor(
    private readonly ops: readonly Prepared[],
    private readonly carryOut: ReadonlySet<number>,
    private readonly budget: Budget,
  ) {
    this.frontier = new Frontier(ops);
    ops.forEach((op, index) => this.indexOf.set(op.op.id, index));
    this.required = ops.filter((op) => !op.optional).length;
  }

  /** The new configurations this segment can end in from `start`. Abandon it or run it to the end. */
  *ends(start: Config): Generator<Config, void> {
    const carried = start.done.map((id) => this.indexOf.get(id)).filter((index) => index !== undefined);
    carried.forEach((index) => this.frontier.decide(index));
    this.state = start.state;
    this.fresh = -1;
    this.beforeFresh = 0;
    this.requiredLeft = this.required;
    if (this.visit()) yield* this.depthFirst();
    carried.reverse().forEach((index) => this.frontier.reopen(index));
  }

  private *depthFirst(): Generator<Config, void> {
    const stack: Frame[] = [{ ...this.entering(NO_MOVE), moves: this.moves() }];
    const root = this.endHere();
    if (root) yield root;
    while (stack.length > 0 && !this.exhausted) {
      const frame = stack[stack.length - 1];
      if (frame.next === frame.moves.length) {
        stack.pop();
        this.undo(frame);
        continue;
      }
      const move = frame.moves[frame.next++];
      const entered = this.entering(move);
      if (!this.apply(move)) continue;
      // A give-up is not recorded: it would count as covered by the configuration it came from.
      if (move >= 0 && !this.visit()) {
        this.undo(entered);
        continue;
      }
      stack.push({ ...entered, moves: this.moves() });
      const end = this.endHere();
      if (end) yield end;
    }
    // Out of budget: leave the frontier as it was at the start.
    for (let depth = stack.length - 1; depth >= 0; depth--) this.undo(stack[depth]);
  }

  /** A frame for `move` from the current configuration, holding what undoing it restores. */
  private entering(move: number): Frame {
    const restore = { previous: this.state, previousFresh: this.fresh, previousBeforeFresh: this.beforeFresh };
    return { moves: [], next: 0, move, ...restore };
  }

  /** Takes a move from the current configuration; false when it cannot (or need not) be taken in this state. */
  private apply(move: number): boolean {
    if (move < 0) {
      this.frontier.decide(-move - 1);
      return true;
    }
    const op = this.ops[move];
    const next = step(op, this.state);
    if (next === ILLEGAL) return false;
    this.beforeFresh = op.optional ? this.state : 0;
    this.state = next;
    this.fresh = op.optional ? move : -1;
    this.frontier.decide(move);
    if (!op.optional) this.requiredLeft--;
    return true;
  }

  private undo(frame: Frame): void {
    if (frame.move === NO_MOVE) return;
    const gaveUp = frame.move < 0;
    const index = gaveUp ? -frame.move - 1 : frame.move;
    this.frontier.reopen(index);
    this.state = frame.previous;
    this.fresh = frame.previousFresh;
    this.beforeFresh = frame.previousBeforeFresh;
    if (!gaveUp && !this.ops[index].optional) this.requiredLeft++;
  }

  /**
   * The ops that may take effect next: not done, and no op not done must precede them (ends before they start).
   * Scanning in invoke order, the first op invoked after the smallest end seen is blocked, and so is every later
   * one. If the op with that smallest end is optional, giving it up is also a move: that is the only time giving
   * up matters, and offering it only then keeps the search from trying every order of give-ups.
   * Required ops come before optional ones: orders that use up no unknown op are explored first, and they cover
   * the others.
   * An observation (read, exists) that can take effect now is the only move: any order that places it later can
   * place it now instead, as nothing placed in between had to precede it in real time (it may go now), and it
   * changes no state. (Not so a delete of an absent key: placed later, it might erase something.)
   */
  private moves(): number[] {
    const open: number[] = [];
    let minEnd = Infinity;
    let minAt = -1;
    let blocked = false;
    for (const index of this.scanOrder()) {
      const op = this.ops[index];
      if (op.invoke > minEnd) {
        blocked = true;
        break;
      }
      if (op.end < minEnd) {
        minEnd = op.end;
        minAt = index;
      }
      if (this.fresh < 0 || this.followsFresh(op)) open.push(index);
    }
    const settled = open.find((index) => isObservation(this.ops[index]) && this.next(index) !== ILLEGAL);
    if (settled !== undefined) return [settled];
    const demand = open.filter((index) => isConditional(this.ops[index]) && this.next(index) === ILLEGAL);
    // Most urgent first (earliest end): the order changes only how soon an order is found, and this one measured
    // best (half the states of invoke order with 12 to 16 ops in flight on one key).
    const moves = open.filter((index) => !this.ops[index].optional).sort((a, b) => this.ops[a].end - this.ops[b].end);
    for (const index of this.earliestOfEachClass(open)) if (this.useful(index, demand)) moves.push(index);
    if (blocked && this.ops[minAt].optional) moves.push(-minAt - 1);
    return moves;
  }

  /**
   * Whether `op` may come right after the fresh optional op: only if it could not have come before it (it was
   * not legal there), or real time puts it after. Otherwise the order with `op` first is searched too, and there
   * the optional op stays undecided longer. (So never a write or delete, always legal, unless real time says so.)
   */
  private followsFresh(op: Prepared): boolean {
    return this.ops[this.fresh].end < op.invoke || step(op, this.beforeFresh) === ILLEGAL;
  }

  /**
   * Whether applying an optional op now can matter: it changes the state, and either an observation (or fetch
   * miss) that cannot happen now could right after it, or it must be decided before some later op, or nothing
   * required is left and it will not be carried into the next segment (so its state would end this one).
   */
  private useful(index: number, demand: readonly number[]): boolean {
    const op = this.ops[index];
    const next = this.next(index);
    if (next === ILLEGAL || next === this.state) return false;
    if (op.end < this.ops[this.ops.length - 1].invoke) return true;
    if (this.requiredLeft === 0) return !this.carryOut.has(op.op.id);
    return demand.some((other) => other !== index && step(this.ops[other], next) !== ILLEGAL);
  }

  /** Of the optional ops in `open`, the earliest-ending one of each effect class (see `effectClass`). */
  private earliestOfEachClass(open: readonly number[]): number[] {
    const earliest = new Map<number, number>();
    for (const index of open) {
      const op = this.ops[index];
      if (!op.optional) continue;
      const best = earliest.get(effectClass(op));
      if (best === undefined || op.end < this.ops[best].end) earliest.set(effectClass(op), index);
    }
    return [...earliest.values()];
  }

  /**
   * The open ops in index (invoke) order, as far as a scan for moves may need: the optional ones still open
   * before F, then everything open from F on. The caller stops at the first blocked op.
   */
  private *scanOrder(): Generator<number> {
    yield* this.frontier.openOptionalBeforeRequired();
    for (let index = this.frontier.required; index < this.ops.length; index++) {
      if (this.frontier.isOpen(index)) yield index;
    }
  }

  private next(index: number): number {
    return step(this.ops[index], this.state);
  }

  /** Records the current configuration; false when an explored one covers it. */
  private visit(): boolean {
    const after = this.frontier.decidedAfterRequired();
    const required = after.filter((index) => !this.ops[index].optional);
    const key = `${this.state}|${this.fresh}|${this.beforeFresh}|${this.frontier.required}|${required.join(",")}`;
    const openBefore = this.frontier.openOptionalBeforeRequired();
    const decidedAfter = after.filter((index) => this.ops[index].optional);
    if (!this.memo.add(key, { openBefore, decidedAfter })) return false;
    if (--this.budget.left < 0) this.exhausted = true;
    return true;
  }

  /** The current configuration as an end of the segment, if it is one not yielded before. */
  private endHere(): Config | undefined {
    if (this.requiredLeft > 0) return undefined;
    // An op carried into the next segment can be applied there just as well, right before what observes it.
    if (this.fresh >= 0 && this.carryOut.has(this.ops[this.fresh].op.id)) return undefined;
    const done: number[] = [];
    for (const id of this.carryOut) if (!this.frontier.isOpen(this.indexOf.get(id) as number)) done.push(id);
    const end = { state: this.state, done: done.sort((a, b) => a - b) };
    const key = configKey(end);
    if (this.found.has(key)) return undefined;
    this.found.add(key);
    return end;
  }
}

function isObservation(op: Prepared): boolean {
  return op.kind === "read" || op.kind === "exists";
}

/** Ops whose legality depends on the state: they are what an optional op can be needed for. */
function isConditional(op: Prepared): boolean {
  return op.kind === "read" || op.kind === "exists" || op.kind === "writeIfAbsent";
}
