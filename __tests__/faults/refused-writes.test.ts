import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import Redis from "ioredis";
import { Cache, RedisStore, failFastOptions, waitUntilReady } from "../../src/cache";
import { sleep } from "../helpers/redis";
import { StartedRedis, startRedisServer } from "../../test-support/redis-server";

/**
 * A Redis that refuses writes (maxmemory with noeviction, a read-only replica) still answers reads; a clear() that
 * fails says so; and values under our prefix that we did not write are reported, never rewritten.
 * On a primary and a replica of this file's own.
 */
jest.setTimeout(60_000);

let primary: StartedRedis;
let replica: StartedRedis;
let primaryClient: Redis;
let replicaClient: Redis;
const stores: RedisStore[] = [];

async function connect(url: string): Promise<Redis> {
  const client = new Redis(url, failFastOptions(5_000));
  client.on("error", () => undefined);
  if (!(await waitUntilReady(client, 5_000))) throw new Error(`no connection to ${url}`);
  return client;
}

function cacheOn(client: Redis, prefix: string, owner = "a"): Cache {
  const store = new RedisStore({ client, prefix: `${prefix}:obj:`, lockPrefix: `${prefix}:lock:` });
  stores.push(store);
  return new Cache({ store, owner });
}

async function replicated(): Promise<void> {
  const target = await primaryClient.call("INFO", "replication");
  const offset = /master_repl_offset:(\d+)/.exec(String(target))![1];
  for (let tries = 0; tries < 200; tries++) {
    const info = String(await replicaClient.call("INFO", "replication"));
    if (
      info.includes("master_link_status:up") &&
      Number(/slave_repl_offset:(\d+)/.exec(info)?.[1] ?? -1) >= Number(offset)
    )
      return;
    await sleep(25);
  }
  throw new Error("the replica did not catch up");
}

beforeAll(async () => {
  primary = await startRedisServer(["--repl-diskless-sync-delay", "0"]);
  replica = await startRedisServer(["--replicaof", "127.0.0.1", String(primary.port)]);
  primaryClient = await connect(primary.url);
  replicaClient = await connect(replica.url);
});

afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
  await primaryClient.config("SET", "maxmemory", "0");
});

afterAll(async () => {
  primaryClient?.disconnect();
  replicaClient?.disconnect();
  await replica?.stop();
  await primary?.stop();
});

describe("reads survive a Redis that refuses writes", () => {
  test("out of memory (noeviction): load and fetch hits answer as stored, without recording readAt", async () => {
    const cache = cacheOn(primaryClient, "oom");
    await cache.save("k", { v: 1 }, 60_000);
    await cache.load("k");
    const before = await cache.load("k");
    await primaryClient.config("SET", "maxmemory-policy", "noeviction");
    await primaryClient.config("SET", "maxmemory", "1");
    const full = await cache.load("k", { expireTimeMS: 1_000 });
    expect(full.value).toEqual({ v: 1 });
    expect(full.readAt).toBeGreaterThanOrEqual(before.readAt!);
    // The sliding TTL did not apply: this read wrote nothing.
    expect(full.expireTimestamp).toBe(before.expireTimestamp);
    expect(await cache.fetch("k", () => ({ v: 2 }))).toEqual({ v: 1 });
    expect(cache.stats().readOnlyLoads).toBe(2);
    // get and has are read-only scripts: they answer on a full Redis directly, not as a fallback.
    expect(await cache.get("k")).toEqual({ v: 1 });
    expect(await cache.has("k")).toBe(true);
    expect(await cache.get("missing")).toBeNull();
    await expect(cache.save("k", 2)).rejects.toMatchObject({ code: "STORE_ERROR" });
    await primaryClient.config("SET", "maxmemory", "0");
    expect((await cache.load("k")).readAt).toBe(full.readAt);
  });

  test("a read-only replica: load and fetch hits answer, writes are UNAVAILABLE (READONLY), clear() rejects and removes nothing", async () => {
    const writer = cacheOn(primaryClient, "replica");
    await writer.save("a", "A");
    await writer.save("b", "B");
    await writer.load("a");
    await replicated();
    const reader = cacheOn(replicaClient, "replica");
    const loaded = await reader.load("a");
    expect(loaded).toMatchObject({ value: "A", readAt: expect.any(Number) });
    // Nothing was recorded: the next read sees the same readAt.
    expect((await reader.load("a")).readAt).toBe(loaded.readAt);
    expect(await reader.fetch("b", () => "produced")).toBe("B");
    expect(reader.stats().readOnlyLoads).toBe(3);
    expect(await reader.get("b")).toBe("B");
    expect(await reader.has("a")).toBe(true);
    expect(await reader.has("missing")).toBe(false);
    await expect(reader.load("missing")).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(reader.save("a", "x")).rejects.toMatchObject({
      code: "UNAVAILABLE",
      message: expect.stringMatching(/READONLY/),
    });
    await expect(reader.clear()).rejects.toMatchObject({
      code: "UNAVAILABLE",
      message: expect.stringMatching(/READONLY/),
    });
    expect((await writer.keys()).sort()).toEqual(["a", "b"]);
  });
});

function cacheKey(cache: Cache, key: string): string {
  return (cache.store as RedisStore).layout.objectKey(key);
}

describe("values under our prefix that we did not write", () => {
  test("a plain foreign string is STORE_ERROR for load and fetch, and is never rewritten", async () => {
    const cache = cacheOn(primaryClient, "foreign-string");
    await primaryClient.set(cacheKey(cache, "k"), "not ours");
    await expect(cache.load("k")).rejects.toMatchObject({
      code: "STORE_ERROR",
      message: expect.stringMatching(/did not write/),
    });
    await expect(cache.fetch("k", () => 1)).rejects.toMatchObject({ code: "STORE_ERROR" });
    expect(await primaryClient.get(cacheKey(cache, "k"))).toBe("not ours");
  });

  test("a key of another type is STORE_ERROR, not NOT_FOUND; keys() lists it and dumpWrite fails on it", async () => {
    const cache = cacheOn(primaryClient, "foreign-type");
    await cache.save("ours", 1);
    await primaryClient.hset(cacheKey(cache, "k"), "field", "value");
    await expect(cache.load("k")).rejects.toMatchObject({ code: "STORE_ERROR" });
    await expect(cache.fetch("k", () => 1)).rejects.toMatchObject({ code: "STORE_ERROR" });
    expect((await cache.keys()).sort()).toEqual(["k", "ours"]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ah-cache-foreign-"));
    try {
      await expect(cache.dumpWrite(path.join(dir, "dump.jsonl"))).rejects.toMatchObject({
        code: "STORE_ERROR",
        key: "k",
      });
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(await primaryClient.hget(cacheKey(cache, "k"), "field")).toBe("value");
  });

  test("a fencing counter of the wrong type fails lock() before the lock is set", async () => {
    const cache = cacheOn(primaryClient, "foreign-fence");
    const layout = (cache.store as RedisStore).layout;
    await primaryClient.hset(layout.fenceKey("k"), "field", "value");
    await expect(cache.lock("k", 60_000)).rejects.toMatchObject({ code: "STORE_ERROR" });
    expect(await primaryClient.exists(layout.lockKey("k"))).toBe(0);
    await expect(cache.withLock("k", () => 1)).rejects.toMatchObject({ code: "STORE_ERROR" });
    expect(await primaryClient.exists(layout.lockKey("k"))).toBe(0);
  });
});
