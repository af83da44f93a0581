import Redis from "ioredis";
import { Cache, RedisStore } from "../../src/cache";
import { recordCommands } from "../helpers/redis";
import { StartedRedis, startRedisServer } from "../../test-support/redis-server";

/** Client-visible commands in commandstats; everything else is called from inside our scripts. */
function topLevelCalls(commandstats: string): Record<string, number> {
  const calls: Record<string, number> = {};
  for (const line of commandstats.split("\n")) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (match) calls[match[1]] = Number(match[2]);
  }
  return calls;
}

const OPERATIONS = 1000;

// A redis-server of its own, so INFO commandstats counts only this test's traffic.
let server: StartedRedis;
let redis: Redis;
let admin: Redis;
let alice: Cache;

beforeAll(async () => {
  server = await startRedisServer();
  redis = new Redis(server.url);
  admin = new Redis(server.url);
  alice = new Cache({ store: new RedisStore({ client: redis }), owner: "alice" });
  // Loads every script once, so the counts below are steady-state EVALSHA calls.
  await alice.save("warm", 1, 1000);
  await alice.load("warm", { expireTimeMS: 1000 });
  await alice.destroy("warm");
  await alice.lock("warm");
  await alice.checkLock("warm");
  await alice.unlock("warm");
  await alice.push("warm", 1);
  await alice.listLength("warm");
  await alice.pop("warm");
  await alice.fetch("warm-fetch", () => 1, { expireTimeMS: 1000 });
  await alice.saveMany([{ key: "warm", value: 1 }]);
  await alice.loadMany(["warm"]);
  await alice.destroyMany(["warm"]);
  await alice.get("warm");
  await alice.has("warm");
});

afterAll(async () => {
  await redis.quit();
  await admin.quit();
  await server.stop();
});

const cases: Array<[string, (i: number) => Promise<unknown>, (i: number) => Promise<unknown>]> = [
  ["save", (i) => alice.save(`k${i}`, { i }, 60_000), async () => undefined],
  ["load", (i) => alice.load(`k${i}`), (i) => alice.save(`k${i}`, { i }, 60_000)],
  ["load with expireTimeMS", (i) => alice.load(`k${i}`, { expireTimeMS: 30_000 }), (i) => alice.save(`k${i}`, { i })],
  ["destroy", (i) => alice.destroy(`k${i}`), (i) => alice.save(`k${i}`, { i })],
  ["lock", (i) => alice.lock(`k${i}`, 60_000), (i) => alice.unlock(`k${i}`)],
  ["unlock", (i) => alice.unlock(`k${i}`), (i) => alice.lock(`k${i}`, 60_000)],
  ["checkLock", (i) => alice.checkLock(`k${i}`), async () => undefined],
  ["push", (i) => alice.push(`q${i % 10}`, { i }), async () => undefined],
  ["pop", (i) => alice.pop(`q${i}`), (i) => alice.push(`q${i}`, { i })],
  ["listLength", (i) => alice.listLength(`q${i}`), async () => undefined],
  ["fetch of a cached value", (i) => alice.fetch(`k${i}`, () => "unused"), (i) => alice.save(`k${i}`, { i }, 60_000)],
  ["get", (i) => alice.get(`k${i}`), (i) => alice.save(`k${i}`, { i }, 60_000)],
  ["has", (i) => alice.has(`k${i}`), async () => undefined],
  // Batches of 10 keys: one script for all ten on a single Redis.
  ["loadMany of 10 keys", (i) => alice.loadMany(tenKeys(i)), (i) => alice.saveMany(tenEntries(i))],
  ["saveMany of 10 entries", (i) => alice.saveMany(tenEntries(i)), async () => undefined],
  ["destroyMany of 10 keys", (i) => alice.destroyMany(tenKeys(i)), (i) => alice.saveMany(tenEntries(i))],
];

function tenKeys(i: number): string[] {
  return Array.from({ length: 10 }, (_, j) => `b${i}:${j}`);
}

function tenEntries(i: number): Array<{ key: string; value: unknown }> {
  return tenKeys(i).map((key, j) => ({ key, value: { j } }));
}

test.each(cases)(
  "%s sends exactly one command to Redis, counted by the client and by INFO commandstats",
  async (_, operation, prepare) => {
    for (let i = 0; i < OPERATIONS; i++) await prepare(i);
    await admin.config("RESETSTAT");
    const recorder = recordCommands(redis);
    try {
      for (let i = 0; i < OPERATIONS; i++) await operation(i);
    } finally {
      recorder.restore();
    }
    const server = topLevelCalls(await admin.info("commandstats"));
    expect(recorder.names.length / OPERATIONS).toBe(1);
    expect(new Set(recorder.names)).toEqual(new Set(["evalsha"]));
    expect(server.evalsha).toBe(OPERATIONS);
    expect(server.eval ?? 0).toBe(0);
  },
);

test("fetch of a missing value sends three commands: read-or-lock, the guarded save, unlock", async () => {
  await admin.config("RESETSTAT");
  const recorder = recordCommands(redis);
  try {
    for (let i = 0; i < OPERATIONS; i++) await alice.fetch(`cold${i}`, () => ({ i }), { expireTimeMS: 60_000 });
  } finally {
    recorder.restore();
  }
  expect(recorder.names.length / OPERATIONS).toBe(3);
  expect(new Set(recorder.names)).toEqual(new Set(["evalsha"]));
  expect(topLevelCalls(await admin.info("commandstats")).evalsha).toBe(3 * OPERATIONS);
});

test("loadMany of 10 keys runs one MGET for all of them inside Redis, then one SETRANGE per key", async () => {
  for (let i = 0; i < 100; i++) await alice.saveMany(tenEntries(i));
  await admin.config("RESETSTAT");
  for (let i = 0; i < 100; i++) await alice.loadMany(tenKeys(i));
  const calls = topLevelCalls(await admin.info("commandstats"));
  expect(calls.evalsha).toBe(100);
  expect(calls.mget).toBe(100);
  expect(calls.time).toBe(100);
  expect(calls.setrange).toBe(1000);
});
