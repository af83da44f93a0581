import { Action, api } from "actionhero";
import { optionsInEffect } from "../plugin/options-in-effect";
import { refuseInProduction } from "../plugin/production-guard";

/**
 * What operators and health checks read: which store, whether it is connected, the options in effect, and what
 * this server did. The owner name holds the host's address, so it is left out unless config.cache.statusShowsOwner.
 */
export class CacheStatusAction extends Action {
  name = "cacheStatus";
  description =
    "Reports ah-cache-plugin's store, connection state, options in effect, counters since start, and the locks this server holds";
  outputExample = {
    cacheStatus: {
      store: "redis",
      connection: "ready",
      stats: { saves: 12, loads: 40, hits: 31, misses: 9, lockWaits: 2, lockFailures: 1, errors: { NOT_FOUND: 9 } },
      locksHeld: 1,
      options: { store: "redis", lockDuration: 10000, operationTimeoutMs: 5000 },
    },
  };

  async run() {
    refuseInProduction(this.name);
    const { owner, ...status } = await api.cache.status();
    const showOwner = optionsInEffect()?.statusShowsOwner === true;
    return { cacheStatus: { ...status, ...(showOwner ? { owner } : {}), options: optionsInEffect() } };
  }
}
