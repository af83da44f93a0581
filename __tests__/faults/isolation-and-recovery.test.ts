import Redis from "ioredis";
import { Cache, CacheError, RedisStore } from "../../src/cache";
import { connectRedis, deleteByPrefix, recordCommands, uniquePrefix } from "../helpers/redis";
import { StartedRedis, startRedisServer } from "../../test-support/redis-server";

const redis = connectRedis();
const base = uniquePrefix("isolation");

const stores: RedisStore[] = [];

afterAll(async () => {
  // A store that waited for a lock holds a subscriber connection of its own until it is closed.
  await Promise.all(stores.map((store) => store.close()));
  await deleteByPrefix(redis, base);
  await redis.quit();
});

function cacheAt(prefix: string, owner = "owner"): Cache {
  const store = new RedisStore({ client: redis, prefix: `${prefix}obj:`, lockPrefix: `${prefix}lock:` });
  stores.push(store);
  return new Cache({ store, owner });
}

describe("script cache loss", () => {
  // SCRIPT FLUSH empties the script cache of the whole server, so it runs on a redis-server of its own.
  let server: StartedRedis;
  let client: Redis;

  beforeAll(async () => {
    server = await startRedisServer();
    client = new Redis(server.url);
  });

  afterAll(async () => {
    client.disconnect();
    await server.stop();
  });

  test("after SCRIPT FLUSH every operation still succeeds (NOSCRIPT falls back to EVAL)", async () => {
    const cache = new Cache({ store: new RedisStore({ client }), owner: "owner" });
    // Every script runs once first, so this connection believes all of them are loaded.
    await cache.save("k", 1);
    await cache.load("k", { expireTimeMS: 5000 });
    await cache.lock("k");
    await cache.checkLock("k");
    await cache.unlock("k");
    await cache.destroy("k");
    await client.script("FLUSH");
    const recorder = recordCommands(client);
    try {
      expect(await cache.save("k", 2, 10_000)).toBe(true);
      expect((await cache.load("k", { expireTimeMS: 5000 })).value).toBe(2);
      expect(await cache.lock("k")).toBe(true);
      expect(await cache.checkLock("k")).toBe(true);
      expect(await cache.unlock("k")).toBe(true);
      expect(await cache.destroy("k")).toBe(true);
    } finally {
      recorder.restore();
    }
    // Six calls, and each was answered NOSCRIPT once and re-sent (ioredis turns the resend into a full EVAL).
    expect(recorder.names).toHaveLength(12);
    expect(await cache.save("k", 3)).toBe(true);
  });
});

describe("isolation between namespaces", () => {
  test("two prefixes on one Redis never see each other's objects, locks or locks() output", async () => {
    const first = cacheAt(`${base}one:`, "same-owner");
    const second = cacheAt(`${base}one:x:`, "same-owner");
    await first.save("k", "first");
    await first.lock("k");
    await second.save("k", "second");
    expect((await first.load("k")).value).toBe("first");
    expect((await second.load("k")).value).toBe("second");
    expect(await second.lock("k", { retry: 0 })).toBe(true);
    expect(await first.locks()).toEqual(["k"]);
    expect(await second.locks()).toEqual(["k"]);
    expect(await first.unlock("k")).toBe(true);
    expect(await second.locks()).toEqual(["k"]);
    expect(await first.keys()).toEqual(["k"]);
    expect(await first.clear()).toBe(1);
    expect(await second.keys()).toEqual(["k"]);
    expect(await second.locks()).toEqual(["k"]);
    expect((await second.load("k")).value).toBe("second");
  });

  test("keys()/clear() with glob characters in the scope never reach another namespace or other keys", async () => {
    const cache = cacheAt(`${base}clear:`);
    const neighbour = cacheAt(`${base}clear2:`);
    for (const key of ["*", "?", "[a-z]", "\\", "plain"]) {
      await cache.save(key, key);
      await neighbour.save(key, key);
    }
    expect(await cache.keys("[")).toEqual(["[a-z]"]);
    expect(await cache.keys("*")).toEqual(["*"]);
    expect(await cache.clear()).toBe(5);
    expect((await neighbour.keys()).sort()).toEqual(["*", "?", "[a-z]", "\\", "plain"].sort());
  });

  test("keys full of glob characters never make locks() match anything else", async () => {
    const cache = cacheAt(`${base}glob:`);
    const neighbours = cacheAt(`${base}glob2:`);
    const globKeys = ["*", "?", "[a-z]", "\\", "a*", "*b", "[*]", "\\*"];
    for (const key of globKeys) await neighbours.lock(key);
    await neighbours.lock("plain");
    await cache.lock("[a-z]");
    expect(await cache.locks()).toEqual(["[a-z]"]);
    expect((await neighbours.locks()).sort()).toEqual([...globKeys, "plain"].sort());
  });
});

describe("size limit", () => {
  test("a value over maxValueBytes is refused with TOO_LARGE before anything is sent", async () => {
    const cache = new Cache({
      store: new RedisStore({ client: redis, prefix: `${base}big:obj:`, lockPrefix: `${base}big:lock:` }),
      owner: "o",
    });
    const recorder = recordCommands(redis);
    let error: CacheError | undefined;
    try {
      error = await cache.save("big", "x".repeat(1024 * 1024)).then(
        () => undefined,
        (failure: CacheError) => failure,
      );
    } finally {
      recorder.restore();
    }
    expect(error?.code).toBe("TOO_LARGE");
    expect(error?.message).toMatch(/1048578 bytes of JSON; the limit is 1048576 bytes/);
    expect(recorder.names).toEqual([]);
    expect(await redis.exists(`${base}big:obj:{big}`)).toBe(0);
    await expect(cache.save("big", "x".repeat(1024 * 1024 - 2))).resolves.toBe(true);
  });
});

describe("owner spoofing through the public API", () => {
  test("another owner can never release, refresh, overwrite or delete a lock it does not hold", async () => {
    const holder = cacheAt(`${base}spoof:`, "holder");
    const intruder = cacheAt(`${base}spoof:`, "intruder");
    await holder.save("k", "holder's");
    const token = await holder.acquireLock("k", { expireTimeMS: 60_000 });
    const attempts = await Promise.all([
      intruder.unlock("k"),
      intruder.lock("k", 1),
      intruder.acquireLock("k"),
      intruder.checkLock("k"),
      intruder.save("k", "x").catch((error: CacheError) => error.code),
      intruder.save("k", "x", { requireLock: true }).catch((error: CacheError) => error.code),
      intruder.destroy("k").catch((error: CacheError) => error.code),
      intruder.destroy("k", { requireLock: true }).catch((error: CacheError) => error.code),
      intruder.load("k").catch((error: CacheError) => error.code),
      intruder.withLock("k", () => "ran", { retry: 50 }).catch((error: CacheError) => error.code),
    ]);
    expect(attempts).toEqual([
      false,
      false,
      null,
      false,
      "LOCKED",
      "LOCK_NOT_HELD",
      "LOCKED",
      "LOCK_NOT_HELD",
      "LOCKED",
      "LOCK_TIMEOUT",
    ]);
    expect(await holder.locks({ details: true })).toEqual([{ key: "k", owner: "holder", ttl: expect.any(Number) }]);
    expect((await holder.locks({ details: true }))[0].ttl).toBeGreaterThan(50_000);
    // Still the holder's acquisition: its token names the current fencing counter.
    expect(await holder.acquireLock("k")).toBeNull();
    expect(await holder.unlock("k")).toBe(true);
    expect(await holder.acquireLock("k")).toBeGreaterThan(token!);
    expect((await holder.load("k")).value).toBe("holder's");
  });
});
