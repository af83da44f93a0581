import { effectEnd, type Op, type OpKind, type Value, valueKey } from "./history";

/** Register states are small integers per key (0 = absent), so a search configuration is cheap to key. */
export const ABSENT = 0;
/**
 * Every value no op of the key reads back (no read answered it, no fetch miss returned it) is this one state:
 * such a value can only ever matter as "present", and one state for all of them makes the unknown writes of
 * them interchangeable, which the search uses (see `effectClass`).
 */
export const UNREAD = 1;
/** What `step` answers for an op that cannot take effect in the given state. */
export const ILLEGAL = -1;

/** An op as the search sees it: only what decides where it may go and what it does. */
export interface Prepared {
  op: Op;
  kind: OpKind;
  invoke: number;
  /** The latest time it can take effect; it precedes every op invoked after this. */
  end: number;
  /** An unknown write, delete or writeIfAbsent: it may take effect within [invoke, end], or never. */
  optional: boolean;
  /** The state it writes or expects; for exists, 1 (present) or 0 (absent). */
  arg: number;
}

/** Numbers the values of one key; equal JSON (fields in any order) gets the same number. */
export class StateIds {
  private readonly ids = new Map<string, number>([[valueKey(null), ABSENT]]);
  /** By id: absent, then UNREAD (it stands for many values, so none is kept), then each value read back. */
  private readonly values: Array<Value | null> = [null, null];

  id(value: Value | null): number {
    const key = valueKey(value);
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(key, id);
      this.values.push(value);
    }
    return id;
  }

  value(id: number): Value | null {
    return this.values[id];
  }
}

/**
 * The ops of one key the search must place, sorted by invoke: failed ops took no effect and are dropped, and so
 * are unknown reads (a read that answered nothing constrains nothing).
 */
export function prepare(ops: readonly Op[], ids: StateIds): Prepared[] {
  const read = readBack(ops);
  const prepared: Prepared[] = [];
  for (const op of ops) {
    if (op.outcome === "fail") continue;
    const observation = op.kind === "read" || op.kind === "exists";
    if (observation && op.outcome === "unknown") continue;
    prepared.push({
      op,
      kind: op.kind,
      invoke: op.invoke,
      end: effectEnd(op),
      optional: op.outcome === "unknown",
      arg: argument(op, ids, read),
    });
  }
  return prepared.sort(byInvoke);
}

function byInvoke(a: Prepared, b: Prepared): number {
  return a.invoke - b.invoke || a.op.id - b.op.id;
}

function argument(op: Op, ids: StateIds, read: ReadonlySet<string>): number {
  switch (op.kind) {
    case "delete":
      return ABSENT;
    case "exists":
      return op.value ? 1 : 0;
    case "read":
      return ids.id(op.value);
    default:
      return read.has(valueKey(op.value)) ? ids.id(op.value) : UNREAD;
  }
}

/** The values some op reads back: an ok read's answer, an ok fetch miss's own value. */
export function readBack(ops: readonly Op[]): Set<string> {
  const values = new Set<string>();
  for (const op of ops) {
    if (op.outcome !== "ok") continue;
    if ((op.kind === "read" && op.value !== null) || op.kind === "writeIfAbsent") values.add(valueKey(op.value));
  }
  return values;
}

/**
 * Optional ops of one class do the same thing to any state: deletes, writes of one value (of unread values),
 * writes-if-absent of one value. Of those that may go next, using one that may land until later while one that
 * must land sooner stays unused never helps, so the search offers only the earliest-ending of each class.
 */
export function effectClass(op: Prepared): number {
  const kinds = ["write", "delete", "writeIfAbsent"];
  return op.arg * kinds.length + kinds.indexOf(op.kind);
}

/** The state after `op` takes effect in `state`, or ILLEGAL when it could not have answered what it did there. */
export function step(op: Prepared, state: number): number {
  switch (op.kind) {
    case "write":
    case "delete":
      return op.arg;
    case "read":
      return state === op.arg ? state : ILLEGAL;
    case "exists":
      return (state !== ABSENT) === (op.arg === 1) ? state : ILLEGAL;
    case "writeIfAbsent":
      if (state === ABSENT) return op.arg;
      // Present: it read what was there, which must be the value it answered. (An unknown one that found another
      // value changed nothing: the same as never taking effect, which the search also tries.)
      return state === op.arg ? state : ILLEGAL;
  }
}
