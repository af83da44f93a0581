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

test("grace ends grace ms after the value's expiry", async () => {
  const cache = new Cache({ store, owner: "server-a" });
  expect(await cache.fetch("short", () => "v", { expireTimeMS: 50, grace: 100 })).toBe("v");
  await server.kill();
  expect(await cache.get("short", { grace: 100 })).toBe("v");
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect((await rejectionOf(cache.get("short", { grace: 100 }))).code).toBe("UNAVAILABLE");
});

test("a Redis that stops answering (SIGSTOP): the missed heartbeat makes the near cache stand aside, not serve stale", async () => {
  const cache = new Cache({ store, owner: "server-a", nearCache: true });
  await eventually(() => expect(cache.stats().nearCache.live).toBe(true));
  await cache.save("k", "v");
  await eventually(async () => {
    const hits = cache.stats().nearCache.hits;
    expect(await cache.get("k")).toBe("v");
    expect(cache.stats().nearCache.hits).toBe(hits + 1);
  });
  server.process.kill("SIGSTOP");
  try {
    // The connection stays open, so only the heartbeat can tell that changes are no longer heard.
    await eventually(() => expect(cache.stats().nearCache.live).toBe(false), 10_000);
    expect((await rejectionOf(cache.get("k"))).code).toBe("UNAVAILABLE");
    expect(await cache.get("k", { grace: 60_000 })).toBe("v");
  } finally {
    server.process.kill("SIGCONT");
  }
  await eventually(() => expect(cache.stats().nearCache.live).toBe(true), 20_000);
  expect(await cache.get("k")).toBe("v");
});
