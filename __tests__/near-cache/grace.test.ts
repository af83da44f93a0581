import Redis from "ioredis";
import { Cache, RedisStore, failFastOptions, waitUntilReady } from "../../src/cache";
import { StartedRedis, startRedisServer } from "../../test-support/redis-server";
import { eventually } from "../cache/behaviours/near-cache";
import { rejectionOf } from "../cache/behaviours/world";

/**
 * Grace on a real outage: Redis is killed (SIGKILL). fetch and get with `grace` answer the last value this process
 * saw, within grace past its expiry; without grace they fail with UNAVAILABLE, as before. The near cache stands
 * aside meanwhile, so a copy is never served as current while its changes cannot be heard.
 */
jest.setTimeout(60_000);

let server: StartedRedis;
let client: Redis;
let store: RedisStore;

beforeEach(async () => {
  server = await startRedisServer();
  client = new Redis(server.url, { ...failFastOptions(500), retryStrategy: () => 100 });
  client.on("error", () => undefined);
  store = new RedisStore({ client, prefix: "grace:obj:", lockPrefix: "grace:lock:", operationTimeoutMs: 500 });
  expect(await waitUntilReady(client, 5000)).toBe(true);
});

afterEach(async () => {
  await store.close();
  client.disconnect();
  await server.stop();
});

for (const nearCache of [true, false]) {
  test(`near cache ${nearCache ? "on" : "off"}: with grace, the last value seen; without, UNAVAILABLE`, async () => {
    const cache = new Cache({ store, owner: "server-a", nearCache });
    if (nearCache) await eventually(() => expect(cache.stats().nearCache.live).toBe(true));
    const producer = jest.fn(() => ({ rates: [1, 2] }));
    expect(await cache.fetch("rates", producer, { expireTimeMS: 60_000, grace: 600_000 })).toEqual({ rates: [1, 2] });
    expect(await cache.get("rates", { grace: 600_000 })).toEqual({ rates: [1, 2] });

    await server.kill();
    // The tracking connection's close is heard (within the invalidation delay), and the near cache stands aside.
    if (nearCache) await eventually(() => expect(cache.stats().nearCache.live).toBe(false));
    const failing = jest.fn(() => ({ rates: [] }));
    expect(await cache.fetch("rates", failing, { grace: 600_000 })).toEqual({ rates: [1, 2] });
    expect(await cache.get("rates", { grace: 600_000 })).toEqual({ rates: [1, 2] });
    expect(failing).not.toHaveBeenCalled();
    expect(cache.stats().nearCache).toMatchObject({ graceHits: 2, live: false });

    expect((await rejectionOf(cache.fetch("rates", failing))).code).toBe("UNAVAILABLE");
    expect((await rejectionOf(cache.get("rates"))).code).toBe("UNAVAILABLE");
    // A key this process never read has no grace copy.
    expect((await rejectionOf(cache.get("never-read", { grace: 600_000 }))).code).toBe("UNAVAILABLE");
    expect(cache.stats().nearCache.graceHits).toBe(2);
  });
}

test("grace ends grace ms after the value was last known current (here its expiry)", async () => {
  const cache = new Cache({ store, owner: "server-a" });
  const before = Date.now();
  expect(await cache.fetch("short", () => "v", { expireTimeMS: 50, grace: 100 })).toBe("v");
  await server.kill();
  // Written at or after `before`: known current then; grace is measured from there, whatever the kill took.
  expect(await cache.get("short", { grace: Date.now() - before + 60_000 })).toBe("v");
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect((await rejectionOf(cache.get("short", { grace: 40 }))).code).toBe("UNAVAILABLE");
});

for (const nearCache of [false, true]) {
  describe(`near cache ${nearCache ? "on" : "off"}, Redis killed`, () => {
    let cache: Cache;
    beforeEach(async () => {
      cache = new Cache({ store, owner: "server-a", nearCache });
      if (nearCache) await eventually(() => expect(cache.stats().nearCache.live).toBe(true));
    });

    /** Saved with no TTL and read with grace, so this process holds a grace copy of each. */
    async function seen(...keys: string[]): Promise<void> {
      for (const key of keys) {
        await cache.save(key, `value of ${key}`);
        expect(await cache.get(key, { grace: 600_000 })).toBe(`value of ${key}`);
      }
    }

    async function expectGone(key: string): Promise<void> {
      expect(await cache.get(key, { grace: 600_000 })).toBeNull();
      const producer = jest.fn(() => "produced");
      expect((await rejectionOf(cache.fetch(key, producer, { grace: 600_000 }))).code).toBe("UNAVAILABLE");
    }

    test("what this process destroyed or cleared stays gone: grace answers null, fetch fails", async () => {
      await seen("session:1", "session:2", "token:1", "token:2", "kept");
      await cache.destroy("session:1");
      await cache.destroyMany(["session:2"]);
      await cache.clear("token:");
      expect(await cache.get("session:1")).toBeNull();
      await server.kill();
      if (nearCache) await eventually(() => expect(cache.stats().nearCache.live).toBe(false));
      for (const key of ["session:1", "session:2", "token:1", "token:2"]) await expectGone(key);
      expect(await cache.get("kept", { grace: 600_000 })).toBe("value of kept");
    });

    test("a read racing this process's write never brings the old value back (loadMany, get, has, load, fetch)", async () => {
      const reads: Array<(key: string) => Promise<unknown>> = [
        (key) => cache.loadMany([key]),
        (key) => cache.get(key),
        (key) => cache.has(key),
        (key) => cache.load(key).catch(() => null),
        (key) => cache.fetch(key, () => "produced"),
      ];
      const keys = reads.flatMap((_, i) => [`destroyed:${i}`, `replaced:${i}`]);
      await seen(...keys);
      await Promise.all(
        reads.flatMap((read, i) => [
          read(`destroyed:${i}`),
          cache.destroy(`destroyed:${i}`),
          read(`replaced:${i}`),
          cache.save(`replaced:${i}`, "newer"),
        ]),
      );
      await server.kill();
      for (let i = 0; i < reads.length; i++) {
        expect([i, await cache.get(`destroyed:${i}`, { grace: 600_000 })]).toEqual([i, null]);
        expect([i, await cache.get(`replaced:${i}`, { grace: 600_000 })]).toEqual([i, "newer"]);
      }
    });

    test("clear() ends every copy", async () => {
      await seen("a", "b");
      await cache.clear();
      await server.kill();
      for (const key of ["a", "b"]) await expectGone(key);
    });

    test("a key with no TTL gets no unbounded grace: it counts from when the copy was last known current", async () => {
      await seen("flags");
      if (nearCache) {
        // Current while tracking was live: known current until the outage was heard.
        await eventually(async () => {
          const hits = cache.stats().nearCache.hits;
          expect(await cache.get("flags")).toBe("value of flags");
          expect(cache.stats().nearCache.hits).toBe(hits + 1);
        });
      }
      await server.kill();
      if (nearCache) await eventually(() => expect(cache.stats().nearCache.live).toBe(false));
      const lastKnown = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect((await rejectionOf(cache.get("flags", { grace: 50 }))).code).toBe("UNAVAILABLE");
      expect(await cache.get("flags", { grace: Date.now() - lastKnown + 60_000 })).toBe("value of flags");
    });
  });
}

test("a Redis that stops answering (SIGSTOP): the missed heartbeat makes the near cache stand aside, not serve stale", async () => {
  const cache = new Cache({ store, owner: "server-a", nearCache: true });
  await eventually(() => expect(cache.stats().nearCache.live).toBe(true));
  await cache.save("k", "v");
  await eventually(async () => {
    const hits = cache.stats().nearCache.hits;
    expect(await cache.get("k")).toBe("v");
    expect(cache.stats().nearCache.hits).toBe(hits + 1);
  });
  const stoppedAt = Date.now();
  server.process.kill("SIGSTOP");
  try {
    // The connection stays open, so only the heartbeat can tell that changes are no longer heard.
    await eventually(() => expect(cache.stats().nearCache.live).toBe(false), 10_000);
    expect((await rejectionOf(cache.get("k"))).code).toBe("UNAVAILABLE");
    expect(await cache.get("k", { grace: 60_000 })).toBe("v");
    // Grace counts from the last heartbeat answered before the stall, not from when the silence was noticed (a
    // heartbeat or two later): a grace shorter than the time since the stall began finds nothing.
    const sinceStall = Date.now() - stoppedAt;
    expect((await rejectionOf(cache.get("k", { grace: sinceStall - 10 }))).code).toBe("UNAVAILABLE");
    // The last answered heartbeat went out at most a heartbeat (1 s) before the stall.
    expect(await cache.get("k", { grace: Date.now() - stoppedAt + 3_000 })).toBe("v");
  } finally {
    server.process.kill("SIGCONT");
  }
  await eventually(() => expect(cache.stats().nearCache.live).toBe(true), 20_000);
  expect(await cache.get("k")).toBe("v");
});
