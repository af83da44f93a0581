import Redis from "ioredis";
import { Cache, CacheError, RedisStore, failFastOptions, waitUntilReady } from "../../src/cache";
import { sleep } from "../helpers/redis";
import { StartedRedis, startRedisServer } from "../../test-support/redis-server";

/**
 * Calls in flight when the connection closes fail with UNAVAILABLE at once, not at operationTimeoutMs; a server
 * that stalls without closing the connection still ends them at operationTimeoutMs. Each case on a redis-server
 * of its own, with 20 calls in flight held back by CLIENT PAUSE or SIGSTOP.
 */
jest.setTimeout(60_000);

const OPERATION_TIMEOUT_MS = 1_000;
let server: StartedRedis | undefined;
let client: Redis | undefined;
let store: RedisStore | undefined;

afterEach(async () => {
  if (server?.process.exitCode === null && server.process.signalCode === null) process.kill(server.pid, "SIGCONT");
  await store?.close();
  client?.disconnect();
  await server?.stop();
  server = client = store = undefined;
});

// ioredis keeps each dropped command's own timeout timer until it fires: let them run out before the file ends.
afterAll(() => sleep(OPERATION_TIMEOUT_MS + 100));

async function setUp(): Promise<{ cache: Cache; closed: () => number | undefined; id: number }> {
  server = await startRedisServer();
  client = new Redis(server.url, failFastOptions(OPERATION_TIMEOUT_MS));
  client.on("error", () => undefined);
  if (!(await waitUntilReady(client, 5_000))) throw new Error("not ready");
  store = new RedisStore({ client, prefix: "inflight:obj:", lockPrefix: "inflight:lock:" });
  const cache = new Cache({ store, owner: "a" });
  await cache.save("k", "v");
  const id = Number(await client.client("ID"));
  let closedAt: number | undefined;
  client.once("close", () => (closedAt = Date.now()));
  return { cache, closed: () => closedAt, id };
}

/** Starts 20 calls, each settling with its code and the time it settled. */
function inFlight(cache: Cache): Promise<Array<{ code: string; at: number }>> {
  const calls = Array.from({ length: 20 }, (_, i) => (i % 2 ? cache.save(`k${i}`, i) : cache.load("k")));
  return Promise.all(
    calls.map((call) =>
      call.then(
        () => ({ code: "OK", at: Date.now() }),
        (error: CacheError) => ({ code: error.code, at: Date.now() }),
      ),
    ),
  );
}

/** Holds every write (our scripts are writes) in the server until `ms` have passed; the admin connection stays usable. */
async function pauseWrites(ms: number): Promise<Redis> {
  const admin = new Redis(server!.url);
  admin.on("error", () => undefined);
  await admin.call("CLIENT", "PAUSE", String(ms), "WRITE");
  return admin;
}

function report(
  label: string,
  settled: Array<{ code: string; at: number }>,
  closedAt: number | undefined,
  since: number,
): number {
  const slowest = Math.max(...settled.map(({ at }) => at - (closedAt ?? since)));
  console.log(`${label}: ${settled.length} calls in flight; slowest settled ${slowest} ms after the close`);
  return slowest;
}

test("SIGKILL of Redis: every call in flight rejects UNAVAILABLE within 100 ms of the close", async () => {
  const { cache, closed } = await setUp();
  const admin = await pauseWrites(30_000);
  const settling = inFlight(cache);
  await sleep(100);
  admin.disconnect();
  const killedAt = Date.now();
  await server!.kill();
  const settled = await settling;
  expect(settled.map(({ code }) => code)).toEqual(Array(20).fill("UNAVAILABLE"));
  expect(closed()).toBeDefined();
  expect(report("SIGKILL", settled, closed(), killedAt)).toBeLessThan(100);
});

test("CLIENT KILL of our connection: every call in flight rejects UNAVAILABLE within 100 ms of the close", async () => {
  const { cache, closed, id } = await setUp();
  const admin = await pauseWrites(30_000);
  const settling = inFlight(cache);
  await sleep(100);
  const killedAt = Date.now();
  expect(await admin.call("CLIENT", "KILL", "ID", String(id))).toBe(1);
  const settled = await settling;
  await admin.call("CLIENT", "UNPAUSE");
  admin.disconnect();
  expect(settled.map(({ code }) => code)).toEqual(Array(20).fill("UNAVAILABLE"));
  expect(report("CLIENT KILL", settled, closed(), killedAt)).toBeLessThan(100);
  // The client reconnects and works again.
  await waitUntilReady(client!, 5_000);
  expect((await cache.load("k")).value).toBe("v");
});

test("SIGSTOP then SIGKILL: the calls stall while the server is stopped, and reject UNAVAILABLE within 100 ms of the close", async () => {
  const { cache, closed } = await setUp();
  process.kill(server!.pid, "SIGSTOP");
  const settling = inFlight(cache);
  await sleep(300);
  const killedAt = Date.now();
  await server!.kill();
  const settled = await settling;
  expect(settled.map(({ code }) => code)).toEqual(Array(20).fill("UNAVAILABLE"));
  expect(settled.every(({ at }) => at >= killedAt)).toBe(true);
  expect(report("SIGSTOP + SIGKILL", settled, closed(), killedAt)).toBeLessThan(100);
});

test("a stalled but connected server still ends the calls at operationTimeoutMs", async () => {
  const { cache, closed } = await setUp();
  process.kill(server!.pid, "SIGSTOP");
  const started = Date.now();
  const settled = await inFlight(cache);
  expect(closed()).toBeUndefined();
  expect(settled.map(({ code }) => code)).toEqual(Array(20).fill("UNAVAILABLE"));
  for (const { at } of settled) expect(at - started).toBeGreaterThanOrEqual(OPERATION_TIMEOUT_MS - 50);
});
