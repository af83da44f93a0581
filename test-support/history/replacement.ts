import { effectEnd, type Observation, type Op, type Value, valueKey } from "./history";

/** What an observation's answer says of the key's state: a value (null: absent), or for exists, present or not. */
function matcher(observation: Observation): (state: Value | null) => boolean {
  if (observation.kind === "exists") return (state) => (state !== null) === observation.value;
  const answer = valueKey(observation.value);
  return (state) => valueKey(state) === answer;
}

/** The state an op leaves the key in if it takes effect; undefined for observations and failed ops. */
export function leaves(op: Op): { state: Value | null } | undefined {
  if (op.outcome === "fail") return undefined;
  if (op.kind === "delete") return { state: null };
  if (op.kind === "write" || op.kind === "writeIfAbsent") return { state: op.value };
  return undefined;
}

export interface Replacement {
  /** Some op invoked before the cutoff (or the initial absence) may have left the state the observation answered. */
  written: boolean;
  /**
   * When that state had certainly stopped being the key's state: the completion of the first ok write or delete
   * to another state that began after the latest moment any such op could have taken effect. Infinity: not known
   * to have stopped.
   */
  replacedAt: number;
  /** The op that certainly replaced it. */
  by?: Op;
}

/**
 * For an observation of one key, whether its answer was ever the key's state, and by when it had certainly been
 * replaced. `keyOps` are the key's ops; only ops invoked before `sourcesBefore` count as having left the state.
 * Sound, not exact: it never says "replaced" when some valid order keeps the state, and takes unknown ops at
 * their latest possible effect.
 */
export function replacement(observation: Observation, keyOps: readonly Op[], sourcesBefore: number): Replacement {
  const matches = matcher(observation);
  // The key starts absent: that counts as a source that took effect before everything.
  let latestSource = matches(null) ? -Infinity : undefined;
  for (const op of keyOps) {
    const left = leaves(op);
    if (left === undefined || op.invoke >= sourcesBefore || !matches(left.state)) continue;
    latestSource = Math.max(latestSource ?? -Infinity, effectEnd(op));
  }
  if (latestSource === undefined) return { written: false, replacedAt: Infinity };
  let by: Op | undefined;
  for (const op of keyOps) {
    const left = leaves(op);
    if (left === undefined || op.outcome !== "ok" || matches(left.state) || op.invoke <= latestSource) continue;
    if (by === undefined || op.complete < by.complete) by = op;
  }
  return by === undefined ? { written: true, replacedAt: Infinity } : { written: true, replacedAt: by.complete, by };
}
