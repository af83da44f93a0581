/**
 * The history format: one record per cache operation on one key, as a worker saw it. See README.md in this folder.
 * Times are milliseconds on one machine-wide monotonic clock (floats), so records of different processes compare.
 */

/** A stored value: anything JSON carries except null, which the format keeps for "absent". */
export type Value = string | number | boolean | Value[] | { [field: string]: Value };

export const CACHE_METHODS = [
  "save",
  "load",
  "get",
  "has",
  "destroy",
  "saveMany",
  "loadMany",
  "destroyMany",
  "fetch",
  "withLock",
  "clear",
] as const;
export type CacheMethod = (typeof CACHE_METHODS)[number];

/**
 * ok: took effect and answered. fail: definitely took no effect (refused before sending, or refused by the store).
 * unknown: may or may not have taken effect (timed out, connection closed after sending).
 */
export type Outcome = "ok" | "fail" | "unknown";
const OUTCOMES: readonly string[] = ["ok", "fail", "unknown"];

interface OpBase {
  /** Unique within the history. */
  id: number;
  /** The worker or client that ran it. */
  process: string;
  key: string;
  method: CacheMethod;
  invoke: number;
  /** When the caller saw the answer or the error. */
  complete: number;
  outcome: Outcome;
  /** Unknown ops only: the latest time the op can still take effect; absent means Infinity. */
  effectBy?: number;
}

export interface WriteOp extends OpBase {
  kind: "write";
  value: Value;
}

export interface DeleteOp extends OpBase {
  kind: "delete";
}

/** What an observation may add: answered from process memory, and grace reads. */
interface ObservationFlags {
  nearHit?: true;
  graceMs?: number;
  graceHit?: true;
}

/** `value` is what it answered, null for "absent"; ignored unless the outcome is ok. */
export interface ReadOp extends OpBase, ObservationFlags {
  kind: "read";
  value: Value | null;
}

/** `value` is whether the key existed; ignored unless the outcome is ok. */
export interface ExistsOp extends OpBase, ObservationFlags {
  kind: "exists";
  value: boolean;
}

/**
 * A fetch miss that returned its own producer's `value`: writes it if the key is absent at its linearization
 * point; otherwise it only read what was there, so that must have been `value`.
 */
export interface WriteIfAbsentOp extends OpBase {
  kind: "writeIfAbsent";
  value: Value;
}

export type Op = WriteOp | DeleteOp | ReadOp | ExistsOp | WriteIfAbsentOp;
export type OpKind = Op["kind"];
export type Observation = ReadOp | ExistsOp;
const KINDS: readonly string[] = ["write", "delete", "read", "exists", "writeIfAbsent"];

/** The latest time the op can take effect: its completion if ok, else effectBy (Infinity when not known). */
export function effectEnd(op: Op): number {
  if (op.outcome === "ok") return op.complete;
  return op.effectBy ?? Infinity;
}

export function isObservation(op: Op): op is Observation {
  return op.kind === "read" || op.kind === "exists";
}

/** Grace hits are judged by checkGrace only: they may answer a state the register left a while ago. */
export function isGraceHit(op: Op): boolean {
  return isObservation(op) && op.graceHit === true;
}

export function isNearHit(op: Op): boolean {
  return isObservation(op) && op.nearHit === true;
}

/** Ops grouped per key, each group in the history's order. */
export function byKey(history: readonly Op[]): Map<string, Op[]> {
  const keys = new Map<string, Op[]>();
  for (const op of history) {
    const ops = keys.get(op.key);
    if (ops) ops.push(op);
    else keys.set(op.key, [op]);
  }
  return keys;
}

/** A key for comparing values: JSON with object fields sorted, so field order never makes two values differ. */
export function valueKey(value: Value | null): string {
  return JSON.stringify(sortFields(value));
}

function sortFields(value: Value | null): unknown {
  if (Array.isArray(value)) return value.map(sortFields);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((field) => [field, sortFields(value[field])]),
  );
}

/** Checks one parsed record and returns it typed; throws naming what is wrong. */
export function toOp(raw: unknown): Op {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new Error("not an object");
  const record = raw as Record<string, unknown>;
  const need = (ok: boolean, what: string) => {
    if (!ok) throw new Error(`${what} (record ${JSON.stringify(raw)})`);
  };
  need(Number.isInteger(record.id), "id must be an integer");
  need(typeof record.process === "string", "process must be a string");
  need(typeof record.key === "string", "key must be a string");
  need((CACHE_METHODS as readonly unknown[]).includes(record.method), "method must be a cache method");
  need(KINDS.includes(record.kind as string), "kind must be one of " + KINDS.join(", "));
  need(OUTCOMES.includes(record.outcome as string), "outcome must be ok, fail or unknown");
  need(Number.isFinite(record.invoke) && Number.isFinite(record.complete), "invoke and complete must be numbers");
  need((record.complete as number) >= (record.invoke as number), "complete must not be before invoke");
  if (record.effectBy !== undefined) {
    need(typeof record.effectBy === "number" && record.effectBy >= (record.invoke as number), "effectBy >= invoke");
  }
  if (record.kind === "write" || record.kind === "writeIfAbsent") need(isValue(record.value), "a write needs a value");
  if (record.kind === "read") need(record.value === null || isValue(record.value), "a read's value must be JSON");
  if (record.kind === "exists") need(typeof record.value === "boolean", "an exists' value must be a boolean");
  if (record.graceMs !== undefined) need(typeof record.graceMs === "number" && record.graceMs >= 0, "graceMs >= 0");
  return raw as Op;
}

function isValue(value: unknown): value is Value {
  if (value === null || value === undefined) return false;
  if (typeof value === "number") return Number.isFinite(value);
  if (typeof value === "string" || typeof value === "boolean") return true;
  if (Array.isArray(value)) return value.every(isValue);
  return typeof value === "object" && Object.values(value).every(isValue);
}
