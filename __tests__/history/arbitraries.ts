import fc from "fast-check";
import type { Op, Outcome } from "../../test-support/history";

/**
 * Small random histories of one key: up to `maxOps` ops on a coarse time grid (so ties and overlaps are common,
 * and so are quiescent cuts), values 1..3 (repeats allowed), every outcome, unknowns with and without effectBy.
 * Reads answer at random: some histories are linearizable, many are not.
 */
export function smallHistory(maxOps: number, unknownShare: "some" | "many" = "some"): fc.Arbitrary<Op[]> {
  const shape = unknownShare === "some" ? opShape(["ok", "ok", "ok", "ok", "fail", "unknown", "unknown"]) : manyUnknown;
  return fc.array(shape, { minLength: 1, maxLength: maxOps }).map((shapes) => shapes.map(toOp));
}

const value = fc.integer({ min: 1, max: 3 });
const meaning = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("write" as const), value }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("delete" as const) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("read" as const), value: fc.option(value) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("exists" as const), value: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("writeIfAbsent" as const), value }) },
);
function opShape(outcomes: Outcome[]) {
  return fc.record({
    meaning,
    invoke: fc.integer({ min: 0, max: 12 }),
    duration: fc.integer({ min: 0, max: 4 }),
    outcome: fc.constantFrom(...outcomes),
    // Past the completion or before it (the client saw the connection close, then the error surfaced), or unbounded.
    effectBy: fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }),
  });
}
/** Half the ops unknown: what stresses how the search decides, applies and gives up unknown ops. */
const manyUnknown = opShape(["ok", "unknown"]);

type Shape = typeof manyUnknown extends fc.Arbitrary<infer T> ? T : never;

function toOp(shape: Shape, index: number): Op {
  const { meaning, invoke, duration, outcome } = shape;
  const complete = invoke + duration;
  const effectBy = outcome === "unknown" && shape.effectBy !== undefined ? invoke + shape.effectBy : undefined;
  const base = { id: index + 1, process: `p${index % 3}`, key: "k", invoke, complete, outcome };
  const timing = effectBy === undefined ? base : { ...base, effectBy };
  switch (meaning.kind) {
    case "write":
      return { ...timing, method: "save", ...meaning };
    case "delete":
      return { ...timing, method: "destroy", ...meaning };
    case "read":
      return { ...timing, method: "load", ...meaning };
    case "exists":
      return { ...timing, method: "has", ...meaning };
    case "writeIfAbsent":
      return { ...timing, method: "fetch", ...meaning };
  }
}
