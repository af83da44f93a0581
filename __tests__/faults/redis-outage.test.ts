import Redis from "ioredis";
import { Cache, CacheError, RedisStore, failFastOptions, waitUntilReady } from "../../src/cache";
import { sleep } from "../helpers/redis";
import { StartedRedis, startRedisServer } from "../../test-support/redis-server";

/**
 * Redis dies under load (SIGKILL), stays down, and comes back on the same port. Every operation must settle with a
 * value or a CacheError, never hang, never surface an unhandled rejection, and work again once Redis is back.
 */
jest.setTimeout(120_000);

const OPERATION_TIMEOUT_MS = 1000;
/** The bound every operation must settle within: the timeout plus scheduling slack on a busy 2-core machine. */
const SETTLE_BOUND_MS = OPERATION_TIMEOUT_MS + 2000;

let server: StartedRedis;
let client: Redis;
let store: RedisStore;
let cache: Cache;
let other: Cache;

interface Outcome {
  phase: "up" | "down" | "back";
  started: number;
  waited: number;
  /** The CacheError code, or "ok". */
  code: string;
}

beforeAll(async () => {
  server = await startRedisServer();
  client = new Redis(server.url, { ...failFastOptions(OPERATION_TIMEOUT_MS), retryStrategy: () => 100 });
  store = new RedisStore({
    client,
    prefix: "outage:obj:",
    lockPrefix: "outage:lock:",
    operationTimeoutMs: OPERATION_TIMEOUT_MS,
  });
  cache = new Cache({ store, owner: "server-a" });
  other = cache.withOwner("server-b");
  // Without an offline queue nothing waits for the connection, so the test does, once.
  expect(await waitUntilReady(client, 5000)).toBe(true);
  await cache.save("warm", 1);
});

afterAll(async () => {
  await store.close();
  client.disconnect();
  await server.stop();
});

async function restart(): Promise<void> {
  server = await startRedisServer([], { port: server.port, dir: server.dir });
}

async function untilAvailable(): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await cache.save("probe", 1);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(100);
    }
  }
}

test("under load, an outage turns every call into a bounded UNAVAILABLE, and calls succeed again after it", async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on("unhandledRejection", onUnhandled);
  let phase: Outcome["phase"] = "up";
  let running = true;
  const outcomes: Outcome[] = [];

  const operations: Array<(i: number) => Promise<unknown>> = [
    (i) => cache.save(`k${i % 50}`, { i }, 60_000),
    (i) =>
      cache
        .load(`k${i % 50}`)
        .catch((error: CacheError) => (error.code === "NOT_FOUND" ? null : Promise.reject(error))),
    (i) => cache.lock(`l${i % 50}`, 5_000).then(() => cache.unlock(`l${i % 50}`)),
    (i) => cache.checkLock(`l${i % 50}`, 200),
    (i) => cache.destroy(`k${(i + 7) % 50}`),
    (i) => cache.locks({ details: i % 2 === 0 } as never),
    // Callback form: the error must arrive through the callback too.
    (i) =>
      new Promise((resolve, reject) => {
        void cache.load(`k${i % 50}`, (error) => (error && error.code !== "NOT_FOUND" ? reject(error) : resolve(null)));
      }),
  ];

  const worker = async (id: number) => {
    for (let i = id; running; i += 8) {
      const started = Date.now();
      const startedIn = phase;
      let code = "ok";
      try {
        await operations[i % operations.length](i);
      } catch (error) {
        expect(error).toBeInstanceOf(CacheError);
        code = (error as CacheError).code;
      }
      outcomes.push({ phase: startedIn, started, waited: Date.now() - started, code });
      // While Redis is down calls fail at once; yield so this loop cannot starve the timers driving the test.
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  const workers = Array.from({ length: 8 }, (_, id) => worker(id));

  await sleep(1000);
  phase = "down";
  await server.kill();
  await sleep(3000);
  await restart();
  await untilAvailable();
  phase = "back";
  await sleep(1500);
  running = false;
  await Promise.all(workers);
  process.off("unhandledRejection", onUnhandled);

  const byPhase = (wanted: Outcome["phase"]) => outcomes.filter((outcome) => outcome.phase === wanted);
  const failuresUp = byPhase("up").filter((outcome) => outcome.code !== "ok");
  const down = byPhase("down");
  const back = byPhase("back");
  const longestWait = outcomes.reduce((longest, outcome) => Math.max(longest, outcome.waited), 0);
  console.log(
    `outage: ${outcomes.length} operations; up ${byPhase("up").length}, during outage ${down.length} ` +
      `(${down.filter((outcome) => outcome.code === "UNAVAILABLE").length} UNAVAILABLE), after ${back.length}; longest wait ${longestWait} ms`,
  );

  expect(unhandled).toEqual([]);
  // Before the outage nothing fails, except calls caught in flight by the kill itself.
  expect(failuresUp.every((outcome) => outcome.code === "UNAVAILABLE")).toBe(true);
  expect(down.length).toBeGreaterThan(50);
  expect(down.filter((outcome) => outcome.code !== "ok").every((outcome) => outcome.code === "UNAVAILABLE")).toBe(true);
  expect(down.filter((outcome) => outcome.code === "UNAVAILABLE").length).toBeGreaterThan(50);
  expect(longestWait).toBeLessThan(SETTLE_BOUND_MS);
  expect(back.length).toBeGreaterThan(50);
  expect(back.filter((outcome) => outcome.code !== "ok")).toEqual([]);
});

test("a write the caller was told failed is never applied later", async () => {
  await untilAvailable();
  await cache.save("late", "before");
  await server.kill();
  const refused = await cache.save("late", "during outage").catch((error: CacheError) => error.code);
  expect(refused).toBe("UNAVAILABLE");
  // Redis comes back with no data (it keeps nothing on disk); a replayed write would reappear now.
  await restart();
  await untilAvailable();
  await sleep(300);
  await expect(cache.load("late")).rejects.toMatchObject({ code: "NOT_FOUND" });
});

test("a waiting lock acquire and a running withLock see the outage", async () => {
  await untilAvailable();
  await other.lock("held", 60_000);
  const waiting = cache.lock("held", 5_000, { retry: 60_000 }).then(
    () => "acquired",
    (error: CacheError) => error.code,
  );
  let abortReason: unknown;
  const running = cache.withLock(
    "work",
    ({ signal }) =>
      new Promise((resolve) =>
        signal.addEventListener("abort", () => {
          abortReason = signal.reason;
          resolve("aborted");
        }),
      ),
    { expireTimeMS: 300 },
  );
  await sleep(50);
  await server.kill();
  expect(await waiting).toBe("UNAVAILABLE");
  expect(await running).toBe("aborted");
  expect((abortReason as CacheError).code).toBe("UNAVAILABLE");
  await restart();
  await untilAvailable();
  expect(await cache.withLock("work", () => "works again")).toBe("works again");
});

test("UNAVAILABLE names the server and the connection error", async () => {
  await server.kill();
  const error = (await cache.load("anything").catch((failure) => failure)) as CacheError;
  expect(error.code).toBe("UNAVAILABLE");
  expect(error.message).toContain(`127.0.0.1:${server.port}`);
  await restart();
  await untilAvailable();
});
