import type { CachePluginConfig } from "ah-cache-plugin";

/**
 * ah-cache-plugin options. Copy this file into your project's src/config/ to
 * change them; without it the plugin uses exactly these defaults. A key that is
 * not an option is refused at start, naming the closest one. Values are never
 * converted: a number read from an environment variable needs Number(…), and a
 * flag process.env.X === "true".
 */
export const DEFAULT = {
  cache: (): CachePluginConfig => ({
    // Redis key prefixes. They must differ from actionhero's own
    // "actionhero:cache:" and "actionhero:lock:", and must not contain "{" or
    // "}" (the braces around each key are its Redis Cluster hash tag).
    prefix: "ah-cache-plugin:object:",
    lockPrefix: "ah-cache-plugin:lock:",

    // Who this server locks as. Undefined means one unique name per server
    // process ("<actionhero id>:<pid>:<random>"); set it only if you know two
    // processes must share locks.
    owner: undefined,

    // Default TTL of api.cache.lock(), in ms. Undefined means
    // config.general.lockDuration (10000 by default).
    lockDuration: undefined,

    // The largest value api.cache.save() accepts, in bytes of JSON.
    maxValueBytes: 1024 * 1024,

    // The longest any api.cache call waits for Redis before failing with
    // UNAVAILABLE, in ms.
    operationTimeoutMs: 5000,

    // In-memory mode (config.redis.fake = true): how often expired entries are
    // swept out, in ms.
    sweepIntervalMs: 10_000,

    // COUNT hint of each SCAN batch behind keys(), size(), clear(), locks() and
    // dumps (never KEYS). Undefined means config.redis.scanCount, then 1000.
    scanCount: undefined,

    // Put the cache on a Redis Cluster whatever config.redis says:
    // { nodes: [{ host, port }, …], options?: ClusterOptions }. Undefined means
    // the cache connects the way config.redis.client does.
    cluster: undefined,

    // Register GET /api/cacheTest (it writes) and GET /api/cacheStatus.
    // Undefined means on, except when NODE_ENV is "production".
    registerRoutes: undefined,

    // Answer api.cache.get/has/fetch hits from process memory, kept coherent
    // by Redis client tracking (docs/near-cache.md): false, true (10,000
    // entries, 32 MiB), or { maxEntries, maxBytes }.
    nearCache: false,

    // Show this server's owner name (it holds the host's address) in the
    // cacheStatus action's answer.
    statusShowsOwner: false,

    // Let the cacheTest (it writes) and cacheStatus actions run when NODE_ENV
    // is "production". Off, they refuse there whatever calls them: a route, a
    // websocket or socket client, a task.
    actionsInProduction: false,
  }),
};
