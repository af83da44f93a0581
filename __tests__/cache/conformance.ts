import { Cache } from "../../src/cache";
import { batches } from "./behaviours/batches";
import { dumps } from "./behaviours/dumps";
import { fetchBehaviour } from "./behaviours/fetch";
import { getAndHas } from "./behaviours/get-has";
import { graceRules } from "./behaviours/grace";
import { keysSizeClear } from "./behaviours/keys";
import { lists } from "./behaviours/lists";
import { nearCache } from "./behaviours/near-cache";
import { lockExclusion } from "./behaviours/lock-exclusion";
import { lockHolding } from "./behaviours/lock-holding";
import { locks } from "./behaviours/locks";
import { loadAndDestroy } from "./behaviours/objects-load";
import { saveBehaviour } from "./behaviours/objects-save";
import { parity } from "./behaviours/parity";
import { statsAndCallbacks } from "./behaviours/stats-and-callbacks";
import type { Behaviour, ConformanceTarget, World } from "./behaviours/world";

export type { ConformanceTarget } from "./behaviours/world";
export { SPECIAL_KEYS } from "./behaviours/world";

/** Every behaviour of the suite, one file each under behaviours/. */
const BEHAVIOURS: Behaviour[] = [
  saveBehaviour,
  loadAndDestroy,
  locks,
  lockHolding,
  lockExclusion,
  keysSizeClear,
  lists,
  fetchBehaviour,
  dumps,
  statsAndCallbacks,
  parity,
  batches,
  getAndHas,
  nearCache,
  graceRules,
];

/**
 * The one suite every store must pass: memory, Redis, Redis Cluster and Sentinel each call it from their own
 * `*-store.test.ts`. Cases use two caches with different owners on the same store, the way two actionhero servers
 * share one Redis; each test gets a fresh, empty namespace.
 */
export function runConformanceSuite(storeName: string, createTarget: () => Promise<ConformanceTarget>): void {
  describe(`cache conformance: ${storeName}`, () => {
    const world = {} as World;

    beforeEach(async () => {
      const target = await createTarget();
      const alice = new Cache({ store: target.store, owner: "alice" });
      Object.assign(world, { target, alice, bob: alice.withOwner("bob") });
    });

    afterEach(async () => {
      await world.target.cleanup();
    });

    for (const behaviour of BEHAVIOURS) behaviour(world);
  });
}
