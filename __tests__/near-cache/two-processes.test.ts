import { execFile } from "child_process";
import { promisify } from "util";
import type Redis from "ioredis";
import type { Cache, RedisStore } from "../../src/cache";
import { TRACKING_CONNECTION_NAME } from "../../src/cache/stores/redis-tracking";
import { NearReader, nearCacheWriter, preciseNow, percentile } from "../helpers/near-reader";
import { connectRedis, deleteByPrefix, redisUrl, testDatabase, uniquePrefix } from "../helpers/redis";

/**
 * Two real processes with the near cache on, sharing one Redis: A (this test) writes, B (fixtures/near-reader.js)
 * reads one key with get() in a loop and reports every change it sees. B must see every change A makes, in order,
 * whatever made it: A's saves, destroy, expiry, clear, a foreign client, a lock, and a killed tracking connection.
 */
jest.setTimeout(120_000);

const run = promisify(execFile);
let redis: Redis;
let prefix: string;
let store: RedisStore;
let a: Cache;
let b: NearReader;

beforeAll(async () => {
  redis = connectRedis();
  prefix = uniquePrefix("near-two");
  b = await NearReader.start({ redisUrl: redisUrl(), db: testDatabase(), prefix });
});

beforeEach(async () => {
  ({ store, a } = nearCacheWriter(prefix));
});

afterEach(async () => {
  await b.command("unwatch");
  b.drain();
  await store.close();
});

afterAll(async () => {
  await b?.stop();
  await deleteByPrefix(redis, prefix);
  redis?.disconnect();
});

/** B starts reading `key` and has seen `value` there. */
async function watchFrom(key: string, value: unknown): Promise<void> {
  await a.save(key, value);
  await b.command("watch", { key });
  expect((await b.next()).value).toEqual(value);
}

/** The next change B reports. */
async function bSees(): Promise<{ value?: unknown; error?: string }> {
  const { value, error } = await b.next();
  return error ? { error } : { value };
}

test("B sees each of 1,000 saves by A, in order; the invalidation delay is measured", async () => {
  await watchFrom("round", 0);
  const delays: number[] = [];
  for (let i = 1; i <= 1000; i++) {
    await a.save("round", i);
    const savedAt = preciseNow();
    const seen = await b.next();
    expect(seen.value).toBe(i);
    delays.push(seen.at - savedAt);
  }
  const stats = await b.command<{ nearCache: { hits: number; invalidations: number } }>("stats");
  expect(stats.nearCache.invalidations).toBeGreaterThanOrEqual(1000);
  expect(stats.nearCache.hits).toBeGreaterThan(0);
  console.log(
    `invalidation delay over 1,000 rounds (A's save resolved → B's get returns the new value): ` +
      `p50 ${percentile(delays, 50).toFixed(3)} ms, p99 ${percentile(delays, 99).toFixed(3)} ms, ` +
      `max ${Math.max(...delays).toFixed(3)} ms`,
  );
});

test("destroy, expiry and clear by A reach B", async () => {
  await watchFrom("k", "first");
  await a.destroy("k");
  expect(await bSees()).toEqual({ value: null });
  await a.save("k", "short", 300);
  expect(await bSees()).toEqual({ value: "short" });
  expect(await bSees()).toEqual({ value: null });
  await a.save("k", "again");
  expect(await bSees()).toEqual({ value: "again" });
  await a.clear();
  expect(await bSees()).toEqual({ value: null });
});

test("a foreign client's SET and DEL through redis-cli reach B", async () => {
  await watchFrom("k", "ours");
  const cli = ["-u", redisUrl(), "-n", String(testDatabase())];
  await run("redis-cli", [...cli, "SET", store.layout.objectKey("k"), "not ours"]);
  expect(await bSees()).toEqual({ error: "STORE_ERROR" });
  await run("redis-cli", [...cli, "DEL", store.layout.objectKey("k")]);
  expect(await bSees()).toEqual({ value: null });
});

test("a lock A takes makes B's get answer LOCKED until A releases it", async () => {
  await watchFrom("k", "value");
  expect(await a.lock("k", 60_000)).toBe(true);
  expect(await bSees()).toEqual({ error: "LOCKED" });
  await a.unlock("k");
  expect(await bSees()).toEqual({ value: "value" });
});

test("a killed tracking connection: B stands aside, so a save it was not told of still reaches it", async () => {
  await watchFrom("k", "before");
  const list = String(await redis.client("LIST"));
  const ids = list
    .split("\n")
    .filter((line) => line.includes(`name=${TRACKING_CONNECTION_NAME} `) && line.includes(` db=${testDatabase()} `))
    .map((line) => /\bid=(\d+)/.exec(line)![1]);
  expect(ids.length).toBeGreaterThanOrEqual(1);
  for (const id of ids) await redis.client("KILL", "ID", id);
  await a.save("k", "after");
  expect(await bSees()).toEqual({ value: "after" });
  // Tracking is armed again, and B's copies are trusted again.
  for (let i = 0; i < 200; i++) {
    const stats = await b.command<{ nearCache: { live: boolean } }>("stats");
    if (stats.nearCache.live) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect((await b.command<{ nearCache: { live: boolean } }>("stats")).nearCache.live).toBe(true);
  await a.save("k", "armed again");
  expect(await bSees()).toEqual({ value: "armed again" });
});
