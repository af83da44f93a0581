import { log } from "actionhero";
import type { Cluster, Redis } from "ioredis";
import { MemoryStore, RedisStore, waitUntilReady } from "../cache";
import type { CacheStore } from "../cache";
import { actionheroConfig, type ResolvedCachePluginConfig } from "./config";
import { isIoredisMock } from "./in-memory-redis";
import { openRedisClient } from "./redis-client";
import { MINIMUM_REDIS_VERSION, isVersionBelow, redisServerVersion, tooOldMessage } from "./redis-version";
import { addStartupNote, startupFailure } from "./startup-notes";
import type { CacheOptionsInEffect } from "./options-in-effect";

export interface OpenedStore {
  store: CacheStore;
  redis?: CacheOptionsInEffect["redis"];
}

function memoryStore(options: ResolvedCachePluginConfig): OpenedStore {
  return { store: new MemoryStore({ sweepIntervalMs: options.sweepIntervalMs }) };
}

/**
 * The store `api.cache` uses: in-memory when config.redis.fake is set or when config.redis.client is ioredis-mock
 * (whose Lua emulation answers our scripts wrongly: a free lock looks taken), else Redis. config.cache.cluster wins
 * over both, as it names a real Cluster.
 */
export async function openCacheStore(options: ResolvedCachePluginConfig): Promise<OpenedStore> {
  const redisConfig = actionheroConfig().redis;
  if (!options.cluster && redisConfig?.fake === true) return memoryStore(options);
  if (!options.cluster && isIoredisMock(redisConfig?.client?.konstructor)) {
    addStartupNote(
      "warning",
      "config.redis.client is ioredis-mock, which cannot run the cache's Lua scripts faithfully, so api.cache uses " +
        "the in-memory store; set config.redis.fake = true to say so and silence this warning",
    );
    return memoryStore(options);
  }
  return openRedisStore(options);
}

async function openRedisStore(options: ResolvedCachePluginConfig): Promise<OpenedStore> {
  const { client, owned } = openRedisClient(options.operationTimeoutMs, options.cluster);
  const store = new RedisStore({
    client,
    prefix: options.prefix,
    lockPrefix: options.lockPrefix,
    scanCount: options.scanCount,
    ownsClient: owned,
    operationTimeoutMs: options.operationTimeoutMs,
  });
  // The server starts even when Redis is away: api.cache then answers UNAVAILABLE per call until it returns.
  if (!(await waitUntilReady(client, options.operationTimeoutMs))) {
    addStartupNote("error", `Redis at ${store.endpoint} is not reachable; api.cache answers UNAVAILABLE until it is`);
    client.once("ready", () => void checkVersionLater(client, store.endpoint));
    return { store, redis: { endpoint: store.endpoint, version: null } };
  }
  const version = (await redisServerVersion(client).catch(() => undefined)) ?? null;
  if (version !== null && isVersionBelow(version, MINIMUM_REDIS_VERSION)) {
    await store.close();
    throw startupFailure(tooOldMessage(version, store.endpoint));
  }
  const warning = await store.evictionWarning();
  if (warning) addStartupNote("warning", warning);
  return { store, redis: { endpoint: store.endpoint, version } };
}

/** A Redis that was away at start is checked when it first answers; too old, every script would fail, so say why. */
async function checkVersionLater(client: Redis | Cluster, endpoint: string): Promise<void> {
  const version = await redisServerVersion(client).catch(() => undefined);
  if (version !== undefined && isVersionBelow(version, MINIMUM_REDIS_VERSION)) {
    log(tooOldMessage(version, endpoint), "crit");
  }
}
