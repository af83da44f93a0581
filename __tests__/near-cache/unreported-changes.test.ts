import Redis from "ioredis";
import { Cache, RedisStore, failFastOptions, waitUntilReady } from "../../src/cache";
import { StartedRedis, startRedisServer } from "../../test-support/redis-server";
import { eventually } from "../cache/behaviours/near-cache";

/**
 * What Redis 7.0 does not report to client tracking, as docs/near-cache.md lists it, and the remedy it gives: on a
 * redis-server of its own, since SWAPDB touches whole databases.
 */
jest.setTimeout(60_000);

let server: StartedRedis;
let client: Redis;
let admin: Redis;
let store: RedisStore;

beforeAll(async () => {
  server = await startRedisServer();
  client = new Redis(server.url, failFastOptions(2_000));
  client.on("error", () => undefined);
  admin = new Redis(server.url);
  expect(await waitUntilReady(client, 5_000)).toBe(true);
  store = new RedisStore({ client, prefix: "u:obj:", lockPrefix: "u:lock:" });
});

afterAll(async () => {
  await store.close();
  client.disconnect();
  admin.disconnect();
  await server.stop();
});

test("SWAPDB is not reported: copies answer the old value until the tracking connections are killed", async () => {
  const cache = new Cache({ store, owner: "server-a", nearCache: true });
  await eventually(() => expect(cache.stats().nearCache.live).toBe(true), 10_000);
  await cache.save("flags", "before the swap");
  await eventually(async () => {
    const hits = cache.stats().nearCache.hits;
    expect(await cache.get("flags")).toBe("before the swap");
    expect(cache.stats().nearCache.hits).toBe(hits + 1);
  });
  await admin.swapdb(0, 1);
  expect(await admin.exists("u:obj:{flags}")).toBe(0);
  // Redis sent no invalidation: the copy still answers (the documented exception).
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(await cache.get("flags")).toBe("before the swap");
  // The remedy in the docs: every server's tracking connection is a pub/sub client; killing them sets every copy
  // aside, and the near cache re-arms by itself.
  await admin.client("KILL", "TYPE", "pubsub");
  await eventually(async () => expect(await cache.get("flags")).toBeNull(), 10_000);
  await eventually(() => expect(cache.stats().nearCache.live).toBe(true), 10_000);
  await admin.swapdb(0, 1);
});
