import { Initializer, api, log, route } from "actionhero";
import { Cache, MemoryStore, RedisStore, waitUntilReady } from "../cache";
import type { CacheStore } from "../cache";
import { ResolvedCachePluginConfig, actionheroConfig, resolveCacheConfig } from "../plugin/config";
import { openRedisClient } from "../plugin/redis-client";

declare module "actionhero" {
  interface Api {
    cache: Cache;
  }
}

export class CacheInitializer extends Initializer {
  private store: CacheStore | undefined;
  private options: ResolvedCachePluginConfig | undefined;

  constructor() {
    super();
    this.name = "ah-cache-plugin";
    // After actionhero's redis initializer (200), so config.redis is settled; before actions load (410).
    this.loadPriority = 250;
    // Before the web server starts (900), so the route exists for the first request.
    this.startPriority = 500;
    // After the servers stop (100), so in-flight actions can still use the cache.
    this.stopPriority = 200;
  }

  async initialize(): Promise<void> {
    const options = (this.options = resolveCacheConfig());
    if (actionheroConfig().redis?.fake === true && !options.cluster) {
      this.store = new MemoryStore({ sweepIntervalMs: options.sweepIntervalMs });
    } else {
      const { client, owned } = openRedisClient(options.operationTimeoutMs, options.cluster);
      const store = new RedisStore({
        client,
        prefix: options.prefix,
        lockPrefix: options.lockPrefix,
        scanCount: options.scanCount,
        ownsClient: owned,
        operationTimeoutMs: options.operationTimeoutMs,
      });
      this.store = store;
      // The server starts even when Redis is away: api.cache then answers UNAVAILABLE per call until it returns.
      if (!(await waitUntilReady(client, options.operationTimeoutMs))) {
        log(
          `ah-cache-plugin: Redis at ${store.endpoint} is not reachable; api.cache answers UNAVAILABLE until it is`,
          "error",
        );
      } else {
        const warning = await store.evictionWarning();
        if (warning) log(`ah-cache-plugin: ${warning}`, "warning");
      }
    }
    api.cache = new Cache({
      store: this.store,
      owner: options.owner,
      lockDuration: options.lockDuration,
      maxValueBytes: options.maxValueBytes,
    });
    log(`ah-cache-plugin: ${this.store.kind} store, owner ${options.owner}`, "info");
  }

  async start(): Promise<void> {
    if (!this.options?.registerRoutes) return;
    const routed = (api.routes?.routes?.get ?? []) as Array<{ path: string }>;
    for (const action of ["cacheTest", "cacheStatus"]) {
      if (!routed.some((existing) => existing.path === `/${action}`)) route.registerRoute("get", `/${action}`, action);
    }
  }

  async stop(): Promise<void> {
    await this.store?.close();
    this.store = undefined;
  }
}
