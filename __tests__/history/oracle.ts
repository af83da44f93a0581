import type { Op } from "../../test-support/history";

/**
 * The definition of linearizability, checked the slow way: for every subset of the unknown writes taking effect,
 * every order of the ops that respects real time (a before b when a ended before b was invoked), run on a
 * register that starts absent. Shares no code with the checker; ops of one key only.
 */
export function bruteForceLinearizable(history: readonly Op[]): boolean {
  const placed = history.filter((op) => op.outcome !== "fail" && !(isObservation(op) && op.outcome === "unknown"));
  const required = placed.filter((op) => op.outcome === "ok");
  const optional = placed.filter((op) => op.outcome === "unknown");
  for (let mask = 0; mask < 1 << optional.length; mask++) {
    const chosen = [...required, ...optional.filter((_op, index) => (mask & (1 << index)) !== 0)];
    if (someOrderWorks(chosen, ABSENT)) return true;
  }
  return false;
}

const ABSENT = "<absent>";

function isObservation(op: Op): boolean {
  return op.kind === "read" || op.kind === "exists";
}

function lastMoment(op: Op): number {
  return op.outcome === "ok" ? op.complete : (op.effectBy ?? Infinity);
}

function someOrderWorks(left: readonly Op[], state: string): boolean {
  if (left.length === 0) return true;
  return left.some((next) => {
    if (left.some((other) => other !== next && lastMoment(other) < next.invoke)) return false;
    const after = run(next, state);
    return (
      after !== undefined &&
      someOrderWorks(
        left.filter((op) => op !== next),
        after,
      )
    );
  });
}

/** The state after `op`, or undefined when it could not have answered what it did. */
function run(op: Op, state: string): string | undefined {
  switch (op.kind) {
    case "write":
      return JSON.stringify(op.value);
    case "delete":
      return ABSENT;
    case "read":
      return state === (op.value === null ? ABSENT : JSON.stringify(op.value)) ? state : undefined;
    case "exists":
      return (state !== ABSENT) === op.value ? state : undefined;
    case "writeIfAbsent":
      if (state === ABSENT) return JSON.stringify(op.value);
      if (op.outcome === "unknown") return state;
      return state === JSON.stringify(op.value) ? state : undefined;
  }
}
