import { Action, api } from "actionhero";

/** What operators and health checks read: which store, whether it is connected, and what this server did. */
export class CacheStatus extends Action {
  name = "cacheStatus";
  description =
    "Reports ah-cache-plugin's store, connection state, owner, counters since start, and the locks this server holds";
  outputExample = {
    cacheStatus: {
      store: "redis",
      connection: "ready",
      owner: "10.0.0.5:4242:9f1c2e3d",
      stats: { saves: 12, loads: 40, hits: 31, misses: 9, lockWaits: 2, lockFailures: 1, errors: { NOT_FOUND: 9 } },
      locksHeld: 1,
    },
  };

  async run() {
    return { cacheStatus: await api.cache.status() };
  }
}
