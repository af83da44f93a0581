import Redis from "ioredis";
import { Cache, CacheError, RedisStore, failFastOptions, waitUntilReady } from "../../src/cache";
import { COMMANDS_PER_WRITE } from "../../src/cache/stores/write-batches";
import { connectRedis, deleteByPrefix, redisUrl, sleep, testDatabase, uniquePrefix } from "../helpers/redis";
import { countSocket } from "../helpers/socket-writes";

/**
 * Commands sent while others are in flight share socket writes, COMMANDS_PER_WRITE at a time; a command sent with
 * nothing in flight is written on its own, at once. Writes are counted on the client's socket itself.
 */
const CLOSING_TIMEOUT_MS = 1_000;
const prefix = uniquePrefix("write-batches");
let redis: Redis;
let cache: Cache;

beforeAll(async () => {
  redis = connectRedis();
  cache = new Cache({ store: new RedisStore({ client: redis, prefix, lockPrefix: `${prefix}lock:` }), owner: "w" });
  await cache.save("warm", 1); // loads the scripts, so every call below is one EVALSHA
});

afterAll(async () => {
  await deleteByPrefix(redis, prefix);
  await redis.quit();
  await sleep(CLOSING_TIMEOUT_MS + 100); // ioredis keeps each dropped command's timeout timer until it fires
});

test("64 saves in one tick take one write for the first and one per COMMANDS_PER_WRITE after it", async () => {
  const socket = countSocket(redis);
  try {
    await Promise.all(Array.from({ length: 64 }, (_, i) => cache.save(`many:${i}`, { i })));
    expect(socket.writes()).toBe(1 + Math.ceil(63 / COMMANDS_PER_WRITE));
  } finally {
    socket.stop();
  }
  const loaded = await Promise.all(Array.from({ length: 64 }, (_, i) => cache.load(`many:${i}`)));
  expect(loaded.map((entry) => entry.value)).toEqual(Array.from({ length: 64 }, (_, i) => ({ i })));
});

test("commands joined in one write still settle in order, each with its own reply", async () => {
  await cache.save("order", 0);
  const replies = await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      i % 2 === 0 ? cache.save("order", i) : cache.load("order").then((entry) => entry.value),
    ),
  );
  // Each load sees the save sent just before it, so the commands reached Redis in the order they were sent.
  replies.forEach((reply, i) => expect(reply).toBe(i % 2 === 0 ? true : i - 1));
});

test("a command sent with nothing in flight is written on its own, uncorked", async () => {
  const socket = countSocket(redis);
  try {
    for (let i = 0; i < 5; i++) await cache.save(`lone:${i}`, i);
    expect(socket.corks()).toBe(0);
    expect(socket.writes()).toBe(5);
  } finally {
    socket.stop();
  }
});

test("a connection that closes while commands are corked settles each of them", async () => {
  const client = new Redis(redisUrl(), { db: testDatabase(), ...failFastOptions(CLOSING_TIMEOUT_MS) });
  client.on("error", () => undefined);
  expect(await waitUntilReady(client, 5_000)).toBe(true);
  const closing = new Cache({ store: new RedisStore({ client, prefix, lockPrefix: `${prefix}lock:` }), owner: "c" });
  await closing.save("warm", 1);
  const calls = Array.from({ length: 20 }, (_, i) => closing.save(`closing:${i}`, i));
  expect(client.stream.writableCorked).toBeGreaterThan(0);
  client.stream.destroy(); // in the same tick: the corked commands never leave this process
  const codes = await Promise.all(calls.map((call) => call.then(String, (error: CacheError) => error.code)));
  expect(codes).toEqual(Array.from({ length: 20 }, () => "UNAVAILABLE"));
  // It reconnects, and is then quit. disconnect() now, between reconnect attempts, would arm ioredis's timer to
  // destroy the already-closed socket, which nothing clears: it kept the jest worker alive 2 s after this file.
  expect(await waitUntilReady(client, 5_000)).toBe(true);
  await client.quit();
});
