import * as fs from "fs";
import Redis from "ioredis";
import * as path from "path";
import { Cache, RedisStore } from "../../src/cache";
import { FENCE_MARGIN_MS } from "../../src/cache/commands/fence";
import { startRedisServer, type StartedRedis } from "../../test-support/redis-server";
import { sleep } from "../helpers/redis";

// A Redis of its own: the test compares the whole keyspace and used_memory before and after.
let server: StartedRedis;
let admin: Redis;
let client: Redis;
let store: RedisStore;
let cache: Cache;

beforeAll(async () => {
  server = await startRedisServer();
  admin = new Redis(server.url);
  client = new Redis(server.url);
  store = new RedisStore({ client, prefix: "bk:obj:", lockPrefix: "bk:lock:" });
  cache = new Cache({ store, owner: "alice" });
});

// A private server: each test starts from an empty database.
beforeEach(async () => {
  await admin.flushdb();
});

afterAll(async () => {
  await store.close();
  client.disconnect();
  admin.disconnect();
  await server.stop();
});

async function usedMemory(): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await admin.info("memory"))![1]);
}

/** Every key in the database with its remaining TTL in ms (-1: none). */
async function keysWithTtl(): Promise<Map<string, number>> {
  const keys = await admin.keys("*");
  const ttls = await Promise.all(keys.map((key) => admin.pttl(key)));
  return new Map(keys.map((key, index) => [key, ttls[index]]));
}

/** Polls until the database is empty; expiry runs in Redis's own time, so this waits on Redis, not on a guess. */
async function untilEmpty(): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await admin.dbsize()) > 0) {
    if (Date.now() > deadline) throw new Error(`keys left: ${(await admin.keys("*")).slice(0, 5).join(", ")}`);
    await sleep(100);
  }
}

test("10,000 fetch misses leave no key without a TTL; after expiry the keyspace and memory are back", async () => {
  // Warm up: scripts loaded, client buffers allocated, one of everything written and expired.
  await cache.fetch("warm", () => 1, { expireTimeMS: 50 });
  await untilEmpty();
  const baseline = await usedMemory();

  for (let start = 0; start < 10_000; start += 500) {
    const batch = Array.from({ length: 500 }, (_, i) => start + i);
    await Promise.all(batch.map((i) => cache.fetch(`user:${i}`, () => ({ id: i }), { expireTimeMS: 200 })));
  }
  const ttls = await keysWithTtl();
  // -1: no TTL (-2: expired between KEYS and PTTL).
  const kept = [...ttls].filter(([, ttl]) => ttl === -1).map(([key]) => key);
  expect(kept).toEqual([]);
  // Each miss wrote its value and a fencing counter that outlives the released lock by the margin only.
  const fences = [...ttls].filter(([key]) => key.startsWith("bk:lock:fence:"));
  expect(fences.length).toBeGreaterThan(0);
  for (const [, ttl] of fences) expect(ttl).toBeLessThanOrEqual(FENCE_MARGIN_MS);
  expect(fences.length).toBeLessThanOrEqual(10_000);

  await untilEmpty();
  // 10,000 counters kept for ever were 1.25 MB. What is left is the keyspace's hash tables, which Redis shrinks
  // later in its own cron, and allocator noise: 77 KB in the run that chose this bound.
  expect((await usedMemory()) - baseline).toBeLessThan(256 * 1024);
});

test("lock, extendLock, withLock and the waiting marks leave no key without a TTL", async () => {
  expect(await cache.lock("held", 5_000)).toBe(true);
  expect(await cache.extendLock("held", 8_000)).toBe(true);
  const bob = cache.withOwner("bob");
  // Bob waits for the lock: his waiting mark is set, and the release is published to him.
  const waiting = bob.lock("held", { retry: 10_000 });
  await sleep(50);
  expect(await cache.unlock("held")).toBe(true);
  expect(await waiting).toBe(true);
  await bob.withLock("other", async () => {
    expect(await bob.extendLock("other", 4_000)).toBe(true);
  });
  const ttls = await keysWithTtl();
  expect([...ttls.keys()].sort()).toEqual([
    "bk:lock:fence:{held}",
    "bk:lock:fence:{other}",
    "bk:lock:waiting:{held}",
    "bk:lock:{held}",
  ]);
  for (const [key, ttl] of ttls) expect([key, ttl > 0]).toEqual([key, true]);
  // A held lock's counter outlives it by the margin; a released one's lives the margin only.
  expect(ttls.get("bk:lock:fence:{held}")).toBeGreaterThan(ttls.get("bk:lock:{held}")!);
  expect(ttls.get("bk:lock:fence:{other}")).toBeLessThanOrEqual(FENCE_MARGIN_MS);
  expect(await bob.unlock("held")).toBe(true);
  await untilEmpty();
});

test("extendLock keeps the counter alive past the lock, so the holder's token still releases it", async () => {
  const token = await cache.acquireLock("long", { expireTimeMS: 300 });
  expect(token).toBeGreaterThan(0);
  expect(await cache.extendLock("long", 60_000)).toBe(true);
  expect(await admin.pttl("bk:lock:fence:{long}")).toBeGreaterThan(59_000);
  // The token-checked release compares the counter: it would say NOT_HOLDER had the counter expired after 1.3 s.
  expect(await store.unlock("long", "alice", token)).toBe(true);
  await untilEmpty();
});

test("a token taken after the counter expired is larger than every earlier one", async () => {
  const tokens: number[] = [];
  for (let i = 0; i < 20; i++) {
    const token = (await cache.acquireLock("k", { expireTimeMS: 10_000 }))!;
    tokens.push(token);
    expect(await store.unlock("k", "alice", token)).toBe(true);
  }
  // Each acquisition's token is larger than the one before; then the counter expires.
  expect(tokens).toEqual([...tokens].sort((a, b) => a - b));
  expect(new Set(tokens).size).toBe(20);
  await untilEmpty();
  const after = await cache.acquireLock("k", { expireTimeMS: 50 });
  expect(after).toBeGreaterThan(Math.max(...tokens));
  await untilEmpty();
  const afterExpiry = await cache.acquireLock("k");
  expect(afterExpiry).toBeGreaterThan(after!);
  await cache.unlock("k");
});

test("clear({ locks: true }) removes the locks with their counters and marks, and counts the locks only", async () => {
  await cache.save("a", 1);
  await cache.lock("a", 60_000);
  await cache.lock("b", 60_000);
  await admin.set("bk:lock:waiting:{b}", "1", "PX", 60_000);
  expect(await admin.dbsize()).toBe(6);
  // One object and two locks.
  expect(await cache.clear(null, { locks: true })).toBe(3);
  expect(await admin.dbsize()).toBe(0);
});

describe("the bytes per object, lock, counter and waiting mark in docs/operations.md", () => {
  const DOC = path.join(__dirname, "..", "..", "docs", "operations.md");
  const START = "<!-- memory-usage:start -->";
  const END = "<!-- memory-usage:end -->";

  test("are what MEMORY USAGE measures", async () => {
    const redis = new RedisStore({ client });
    const cacheWithDefaults = new Cache({ store: redis, owner: "server-1" });
    const key = "user:00042";
    await cacheWithDefaults.save(key, { id: 42, name: "a user" }, 60_000);
    await cacheWithDefaults.lock(key, 60_000);
    await admin.set(`ah-cache-plugin:lock:waiting:{${key}}`, "1", "PX", 60_000);
    const rows: Array<[string, string]> = [
      ["an object with a TTL", `ah-cache-plugin:object:{${key}}`],
      ["a lock", `ah-cache-plugin:lock:{${key}}`],
      ["its fencing counter", `ah-cache-plugin:lock:fence:{${key}}`],
      ["a waiting mark", `ah-cache-plugin:lock:waiting:{${key}}`],
    ];
    const lines = ["| what | bytes |", "| --- | --- |"];
    for (const [what, redisKey] of rows) {
      lines.push(`| ${what} | ${await admin.memory("USAGE", redisKey, "SAMPLES", 0)} |`);
    }
    const table = `${START}\n${lines.join("\n")}\n${END}`;
    const doc = fs.readFileSync(DOC, "utf8");
    const written = doc.slice(doc.indexOf(START), doc.indexOf(END) + END.length);
    if (process.env.UPDATE_DOCS === "1") fs.writeFileSync(DOC, doc.replace(written, table));
    else expect(written).toBe(table);
    await redis.close();
  });
});
