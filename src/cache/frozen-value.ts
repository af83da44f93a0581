import { deserializeValue } from "./serialization";

/** A stored value parsed once and deeply frozen: the near cache's callers share it, so none of them may change it. */
export function frozenValue(json: string): unknown {
  return deepFreeze(deserializeValue(json));
}

function deepFreeze(value: unknown): unknown {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  for (const child of Object.values(value)) deepFreeze(child);
  return Object.freeze(value);
}
