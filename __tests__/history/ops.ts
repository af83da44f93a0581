import type { DeleteOp, ExistsOp, ReadOp, Value, WriteIfAbsentOp, WriteOp } from "../../test-support/history";

/** Builders for hand-made histories: key "k", process "p1" and an ok outcome unless `extra` says otherwise. */
let nextId = 1;

function base(invoke: number, complete: number) {
  return { id: nextId++, process: "p1", key: "k", invoke, complete, outcome: "ok" as const };
}

export function write(value: Value, invoke: number, complete: number, extra: Partial<WriteOp> = {}): WriteOp {
  return { ...base(invoke, complete), method: "save", kind: "write", value, ...extra };
}

export function del(invoke: number, complete: number, extra: Partial<DeleteOp> = {}): DeleteOp {
  return { ...base(invoke, complete), method: "destroy", kind: "delete", ...extra };
}

export function read(value: Value | null, invoke: number, complete: number, extra: Partial<ReadOp> = {}): ReadOp {
  return { ...base(invoke, complete), method: "load", kind: "read", value, ...extra };
}

export function exists(value: boolean, invoke: number, complete: number, extra: Partial<ExistsOp> = {}): ExistsOp {
  return { ...base(invoke, complete), method: "has", kind: "exists", value, ...extra };
}

export function fetchMiss(
  value: Value,
  invoke: number,
  complete: number,
  extra: Partial<WriteIfAbsentOp> = {},
): WriteIfAbsentOp {
  return { ...base(invoke, complete), method: "fetch", kind: "writeIfAbsent", value, ...extra };
}

/** An unknown outcome that may take effect until `effectBy` (Infinity: no bound known). */
export function unknown(effectBy = Infinity) {
  return { outcome: "unknown" as const, effectBy };
}
