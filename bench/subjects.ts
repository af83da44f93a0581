import Redis, { Cluster } from "ioredis";
import { Redlock } from "@sesamecare-oss/redlock";
import { Cache, MemoryStore, RedisKeyLayout, RedisStore, clusterFailFastOptions, waitUntilReady } from "../src/cache";
import { type CacheCommands, defineCommands } from "../src/cache/commands";
import type { Operation } from "./measure";

export const OPERATION_NAMES = ["save", "load", "load+expireTimeMS", "destroy", "lock+unlock", "mixed"] as const;
export type OperationName = (typeof OPERATION_NAMES)[number];

export interface Subject {
  name: string;
  /** The connections whose commands are counted (empty for the in-memory store). */
  clients: Redis[];
  operations: Partial<Record<OperationName, Operation>>;
  /** Makes the keys that load and destroy expect, before a measured run. */
  prepare(operation: OperationName, count: number): Promise<void>;
  close(): Promise<void>;
}

/** Keys cycle through this many names, so every load finds a value. */
export const KEY_SPACE = 1000;
const VALUE = { id: 42, name: "bench user", tags: ["a", "b", "c"], active: true, score: 12.5 };
const TTL_MS = 60_000;
const key = (index: number) => `bench:${index % KEY_SPACE}`;
const lockKey = (index: number) => `bench-lock:${index % KEY_SPACE}`;

/** 80% load, 15% save, 5% lock/save/unlock, decided by the operation index so every subject gets the same mix. */
function mixed(load: Operation, save: Operation, lockSaveUnlock: Operation): Operation {
  return (index) => {
    const slot = index % 20;
    if (slot < 16) return load(index);
    if (slot < 19) return save(index);
    return lockSaveUnlock(index);
  };
}

/** What this plugin's api.cache and actionhero's built-in cache module have in common. */
interface CacheLike {
  save(key: string, value: unknown, expireTimeMS?: number): Promise<unknown>;
  load(key: string, options?: { expireTimeMS?: number }): Promise<unknown>;
  destroy(key: string): Promise<unknown>;
  lock(key: string, expireTimeMS?: number): Promise<unknown>;
  unlock(key: string): Promise<unknown>;
}

function cacheSubject(name: string, cache: CacheLike, clients: Redis[], close: () => Promise<void>): Subject {
  const save: Operation = (i) => cache.save(key(i), VALUE, TTL_MS);
  const load: Operation = (i) => cache.load(key(i));
  return {
    name,
    clients,
    operations: {
      save,
      load,
      "load+expireTimeMS": (i) => cache.load(key(i), { expireTimeMS: TTL_MS }),
      destroy: (i) => cache.destroy(`bench-destroy:${i}`),
      "lock+unlock": async (i) => {
        await cache.lock(lockKey(i), 10_000);
        await cache.unlock(lockKey(i));
      },
      mixed: mixed(load, save, async (i) => {
        await cache.lock(key(i), 10_000);
        await cache.save(key(i), VALUE, TTL_MS);
        await cache.unlock(key(i));
      }),
    },
    prepare: async (operation, count) => {
      if (operation === "destroy") {
        for (let i = 0; i < count; i++) await cache.save(`bench-destroy:${i}`, VALUE, TTL_MS);
      } else {
        for (let i = 0; i < KEY_SPACE; i++) await cache.save(key(i), VALUE, TTL_MS);
      }
    },
    close,
  };
}

export function pluginRedisSubject(url: string): Subject {
  const client = new Redis(url);
  const store = new RedisStore({ client, prefix: "bench:plugin:obj:", lockPrefix: "bench:plugin:lock:" });
  return cacheSubject("ah-cache-plugin (Redis)", new Cache({ store, owner: "bench" }), [client], async () => {
    await store.close();
    client.disconnect();
  });
}

/** The plugin on a Redis Cluster; its commands are counted on the client side only. */
export async function pluginClusterSubject(startupNodes: Array<{ host: string; port: number }>): Promise<Subject> {
  const client = new Cluster(startupNodes, clusterFailFastOptions());
  if (!(await waitUntilReady(client, 20_000))) throw new Error("bench cluster client not ready");
  const store = new RedisStore({ client, prefix: "bench:plugin:obj:", lockPrefix: "bench:plugin:lock:" });
  return cacheSubject(
    "ah-cache-plugin (Redis Cluster)",
    new Cache({ store, owner: "bench" }),
    [client as unknown as Redis],
    async () => {
      await store.close();
      client.disconnect();
    },
  );
}

export function pluginMemorySubject(): Subject {
  const store = new MemoryStore();
  return cacheSubject("ah-cache-plugin (memory)", new Cache({ store, owner: "bench" }), [], () => store.close());
}

export function rawSubject(url: string): Subject {
  return rawOn(new Redis(url), "raw ioredis");
}

/** Raw ioredis on a Redis Cluster: the baseline that separates the cluster's own cost from the plugin's. */
export async function rawClusterSubject(startupNodes: Array<{ host: string; port: number }>): Promise<Subject> {
  const client = new Cluster(startupNodes);
  if (!(await waitUntilReady(client, 20_000))) throw new Error("bench cluster client not ready");
  return rawOn(client, "raw ioredis (Redis Cluster)");
}

function rawOn(client: Redis | Cluster, name: string): Subject {
  const json = JSON.stringify(VALUE);
  const save: Operation = (i) => client.set(`raw:${key(i)}`, json, "PX", TTL_MS);
  const load: Operation = async (i) => JSON.parse((await client.get(`raw:${key(i)}`)) as string) as unknown;
  const lockUnlock = async (name: string) => {
    await client.set(name, "bench", "PX", 10_000, "NX");
    await client.del(name);
  };
  return {
    name,
    clients: [client as Redis],
    operations: {
      save,
      load,
      "load+expireTimeMS": async (i) =>
        JSON.parse((await client.getex(`raw:${key(i)}`, "PX", TTL_MS)) as string) as unknown,
      destroy: (i) => client.del(`raw:bench-destroy:${i}`),
      "lock+unlock": (i) => lockUnlock(`raw:${lockKey(i)}`),
      mixed: mixed(load, save, async (i) => {
        await client.set(`raw:lock:${key(i)}`, "bench", "PX", 10_000, "NX");
        await save(i);
        await client.del(`raw:lock:${key(i)}`);
      }),
    },
    prepare: async (operation, count) => {
      // One command per key, all in flight at once: a cluster cannot pipeline across slots.
      const keys =
        operation === "destroy"
          ? Array.from({ length: count }, (_, i) => `raw:bench-destroy:${i}`)
          : Array.from({ length: KEY_SPACE }, (_, i) => `raw:${key(i)}`);
      await Promise.all(keys.map((name) => client.set(name, json, "PX", TTL_MS)));
    },
    close: async () => client.disconnect(),
  };
}

/** actionhero's built-in cache module, used directly with a connection of ours in api.redis.clients.client. */
export async function actionheroSubject(url: string): Promise<Subject> {
  const { api, cache } = await import("actionhero");
  const client = new Redis(url);
  (api as Record<string, unknown>).redis = { clients: { client } };
  return cacheSubject("actionhero built-in cache", cache, [client], async () => client.disconnect());
}

export function redlockSubject(url: string): Subject {
  const client = new Redis(url);
  const redlock = new Redlock([client], { retryCount: 0 });
  return {
    name: "redlock",
    clients: [client],
    operations: {
      "lock+unlock": async (i) => {
        const lock = await redlock.acquire([`redlock:${lockKey(i)}`], 10_000);
        await lock.release();
      },
    },
    prepare: async () => undefined,
    close: async () => client.disconnect(),
  };
}

/**
 * The ceiling of the plugin's own design: the very Lua scripts it runs, sent through a plain ioredis client with
 * every argument computed before the run (keys, owner, JSON, TTL). What separates the plugin from this row is its
 * own JavaScript: validation, key building, serialization, the callback/promise wrapper and counters.
 */
export function scriptCeilingSubject(url: string): Subject {
  return scriptsOn(new Redis(url), "same scripts, raw ioredis");
}

/** The same ceiling on a Redis Cluster, through a client with the plugin's own cluster options. */
export async function scriptCeilingClusterSubject(
  startupNodes: Array<{ host: string; port: number }>,
): Promise<Subject> {
  const client = new Cluster(startupNodes, clusterFailFastOptions());
  if (!(await waitUntilReady(client, 20_000))) throw new Error("bench cluster client not ready");
  return scriptsOn(client, "same scripts, raw ioredis (Redis Cluster)");
}

/**
 * load without recording the read: the plugin's read-only script (what get() and a replica run), on the cluster.
 * Beside the load ceiling it shows what recording readAt costs there: a write, which every replica applies too.
 */
export async function readOnlyLoadClusterSubject(
  startupNodes: Array<{ host: string; port: number }>,
): Promise<Subject> {
  const subject = await scriptCeilingClusterSubject(startupNodes);
  const commands = subject.clients[0] as unknown as CacheCommands;
  const keys = Array.from({ length: KEY_SPACE }, (_, i) => [
    CEILING_LAYOUT.objectKey(key(i)),
    CEILING_LAYOUT.lockKey(key(i)),
  ]);
  const load: Operation = async (i) => {
    const [object, lock] = keys[i % KEY_SPACE];
    const [, stored] = await commands.ahCacheLoadReadOnly(object, lock, "bench");
    return storedValue(stored);
  };
  return {
    ...subject,
    name: "load without readAt (read-only script), raw ioredis (Redis Cluster)",
    operations: { load },
  };
}

/** The keys the ceiling subjects use. */
const CEILING_LAYOUT = new RedisKeyLayout("bench:ceiling:obj:", "bench:ceiling:lock:");

/** The value in a stored object: its JSON follows the 39-character header (includes/header.lua); the plugin parses it too. */
const storedValue = (stored: unknown) => JSON.parse((stored as string).slice(39)) as unknown;

function scriptsOn(client: Redis | Cluster, name: string): Subject {
  defineCommands(client);
  const commands = client as unknown as CacheCommands;
  const layout = CEILING_LAYOUT;
  const json = JSON.stringify(VALUE);
  const ttl = String(TTL_MS);
  const channel = layout.releaseChannel();
  const keys = Array.from({ length: KEY_SPACE }, (_, i) => ({
    object: layout.objectKey(key(i)),
    lock: layout.lockKey(key(i)),
    lockOfLockKey: layout.lockKey(lockKey(i)),
    fenceOfLockKey: layout.fenceKey(lockKey(i)),
    waitingOfLockKey: layout.waitingKey(lockKey(i)),
  }));
  const at = (i: number) => keys[i % KEY_SPACE];
  const save: Operation = (i) => commands.ahCacheSave(at(i).object, at(i).lock, "bench", json, ttl, "");
  const loadWith =
    (ttlArgument: string): Operation =>
    async (i) => {
      const [, stored] = await commands.ahCacheLoad(at(i).object, at(i).lock, "bench", ttlArgument);
      return storedValue(stored);
    };
  const load = loadWith("");
  return {
    name,
    clients: [client as Redis],
    operations: {
      save,
      load,
      "load+expireTimeMS": loadWith(ttl),
      "lock+unlock": async (i) => {
        const { lockOfLockKey, fenceOfLockKey, waitingOfLockKey } = at(i);
        await commands.ahCacheLock(lockOfLockKey, fenceOfLockKey, "bench", "10000");
        await commands.ahCacheUnlock(lockOfLockKey, fenceOfLockKey, waitingOfLockKey, "bench", channel, "");
      },
    },
    prepare: async () => {
      for (let i = 0; i < KEY_SPACE; i++) await save(i);
    },
    close: async () => client.disconnect(),
  };
}
