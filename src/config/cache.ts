/**
 * ah-cache-plugin options. Copy this file into your project's src/config/ to change them;
 * without it the plugin uses exactly these defaults.
 */
export const DEFAULT = {
  cache: () => ({
    // Redis key prefixes. They must differ from actionhero's own "actionhero:cache:" and "actionhero:lock:",
    // and must not contain "{" or "}" (the braces around each key are its Redis Cluster hash tag).
    prefix: "ah-cache-plugin:object:",
    lockPrefix: "ah-cache-plugin:lock:",

    // Who this server locks as. Leave undefined for one unique name per server process
    // ("<actionhero id>:<pid>:<random>"); set it only if you know two processes must share locks.
    owner: undefined as string | undefined,

    // Default TTL of api.cache.lock(), in ms. Undefined means config.general.lockDuration (10000 by default).
    lockDuration: undefined as number | undefined,

    // The largest value api.cache.save() accepts, in bytes of JSON.
    maxValueBytes: 1024 * 1024,

    // The longest any api.cache call waits for Redis before failing with UNAVAILABLE, in ms.
    operationTimeoutMs: 5000,

    // In-memory mode (config.redis.fake = true): how often expired entries are swept out, in ms.
    sweepIntervalMs: 10_000,

    // COUNT hint of each SCAN batch behind keys(), size(), clear(), locks() and dumps (never KEYS).
    // Undefined means config.redis.scanCount, then 1000.
    scanCount: undefined as number | undefined,

    // Put the cache on a Redis Cluster whatever config.redis says: { nodes: [{ host, port }, …], options?: ClusterOptions }.
    // Undefined means the cache connects the way config.redis.client does (which may itself be a Cluster).
    cluster: undefined as
      { nodes: Array<{ host: string; port: number }>; options?: Record<string, unknown> } | undefined,

    // Register GET /api/cacheTest and GET /api/cacheStatus for the plugin's actions.
    registerRoutes: true,
  }),
};
