import type { RunOptions } from "./run";
import type { NemesisName } from "./nemesis";

/** One checked scenario: a store, a fault, and the claims its history must bear out. */
export interface Scenario {
  name: string;
  options: RunOptions;
}

const KEYS = ["a", "b", "c"];

/**
 * The scenarios CI runs (short) and `npm run verify:histories` runs longer: the memory store with no fault, and a
 * single Redis under each fault, two workers of three clients each, the near cache on in the first worker only.
 */
export function scenarios(durationMs: number, seed: number, only?: NemesisName): Scenario[] {
  const redis = (nemesis: NemesisName): Scenario => ({
    name: `redis, ${nemesis}`,
    options: {
      store: "redis",
      nemesis,
      workers: 2,
      clients: 3,
      durationMs,
      keys: KEYS,
      nearCacheWorkers: [0],
      seed,
    },
  });
  const memory: Scenario = {
    name: "memory, none",
    options: {
      store: "memory",
      nemesis: "none",
      workers: 1,
      clients: 4,
      durationMs,
      keys: KEYS,
      nearCacheWorkers: [],
      seed,
    },
  };
  const all = [memory, ...(["none", "pause", "kill-clients", "kill-tracking", "restart"] as const).map(redis)];
  return only === undefined ? all : all.filter((scenario) => scenario.options.nemesis === only);
}
