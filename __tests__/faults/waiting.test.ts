import Redis from "ioredis";
import { Cache, RedisStore, failFastOptions, waitUntilReady } from "../../src/cache";
import { recordCommands, sleep } from "../helpers/redis";
import { StartedRedis, freePort, startRedisServer } from "../../test-support/redis-server";

/**
 * Waiting for a lock, on a redis-server of this file's own (so commands can be counted and the server stopped):
 * waiting never depends on the release subscriber, withLock's extender ends with it, and a crowd of waiters in one
 * process costs Redis what one waiter does.
 */
jest.setTimeout(60_000);

let server: StartedRedis;
const clients: Redis[] = [];
const stores: RedisStore[] = [];

function connectTo(url: string): Redis {
  // disconnectTimeout: ioredis arms this timer when it disconnects a client whose connection already failed, and
  // nothing clears it early; a short one lets the file end without a lingering timer.
  const client = new Redis(url, { ...failFastOptions(5_000), lazyConnect: false, disconnectTimeout: 50 });
  client.on("error", () => undefined);
  clients.push(client);
  return client;
}

async function connect(): Promise<Redis> {
  const client = connectTo(server.url);
  if (!(await waitUntilReady(client, 5_000))) throw new Error("test client not ready");
  return client;
}

function storeOn(client: Redis, prefix: string): RedisStore {
  const store = new RedisStore({ client, prefix: `${prefix}:obj:`, lockPrefix: `${prefix}:lock:` });
  stores.push(store);
  return store;
}

/** Total calls of every command Redis has run, from INFO commandstats (the INFO call itself included). */
async function commandsRun(admin: Redis): Promise<number> {
  const info = await admin.info("commandstats");
  return [...info.matchAll(/calls=(\d+)/g)].reduce((sum, match) => sum + Number(match[1]), 0);
}

beforeAll(async () => {
  server = await startRedisServer();
});

afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
  for (const client of clients.splice(0)) client.disconnect();
});

afterAll(async () => {
  await server?.stop();
});

describe("waiting never depends on the release subscriber", () => {
  test("a fetch hit opens no subscriber connection", async () => {
    const client = await connect();
    const duplicate = jest.spyOn(client, "duplicate");
    const cache = new Cache({ store: storeOn(client, "hit"), owner: "a" });
    await cache.save("k", "cached");
    expect(await cache.fetch("k", () => "produced")).toBe("cached");
    expect(await cache.lock("free", { retry: 5_000 })).toBe(true);
    expect(duplicate).not.toHaveBeenCalled();
  });

  test("when the subscriber cannot connect, a waiter re-checks within its own retry budget", async () => {
    const client = await connect();
    const deadPort = await freePort();
    // The subscriber is a duplicate of the client: point it at a port nobody listens on.
    jest.spyOn(client, "duplicate").mockImplementation(() => connectTo(`redis://127.0.0.1:${deadPort}`));
    const holder = new Cache({ store: storeOn(await connect(), "nosub"), owner: "holder" });
    const waiter = new Cache({ store: storeOn(client, "nosub"), owner: "waiter" });
    await holder.lock("k", 60_000);
    setTimeout(() => void holder.unlock("k"), 100);
    const started = Date.now();
    expect(await waiter.lock("k", { retry: 3_000 })).toBe(true);
    // Well inside the budget: it did not first wait operationTimeoutMs (5 s) for the subscriber.
    expect(Date.now() - started).toBeLessThan(2_000);
    const budget = Date.now();
    expect(await waiter.lock("k", { retry: 300 })).toBe(false);
    expect(Date.now() - budget).toBeLessThan(2_000);
  });

  test("while the main connection is down, a waiting call fails with UNAVAILABLE at once", async () => {
    const deadPort = await freePort();
    const cache = new Cache({ store: storeOn(connectTo(`redis://127.0.0.1:${deadPort}`), "down"), owner: "a" });
    for (const call of [
      () => cache.lock("k", { retry: 10_000 }),
      () => cache.fetch("k", () => 1),
      () => cache.withLock("k", () => 1),
    ]) {
      const started = Date.now();
      await expect(call()).rejects.toMatchObject({ code: "UNAVAILABLE" });
      expect(Date.now() - started).toBeLessThan(1_000);
    }
  });
});

describe("withLock's extender stops for good when fn settles", () => {
  test("an extend in flight as fn returns is neither re-armed nor turned into an abort", async () => {
    const client = await connect();
    const store = storeOn(client, "extender");
    const cache = new Cache({ store, owner: "a" });
    const other = cache.withOwner("b");
    // Hold every extend's reply back until fn has returned, to force the race.
    let fnDone!: () => void;
    const returned = new Promise<void>((resolve) => (fnDone = resolve));
    const extend = store.extend.bind(store);
    let extends_ = 0;
    jest.spyOn(store, "extend").mockImplementation(async (...args) => {
      extends_ += 1;
      const reply = await extend(...args);
      await returned;
      return reply;
    });
    let signal!: AbortSignal;
    const timersBefore = process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
    await cache.withLock(
      "k",
      async (context) => {
        signal = context.signal;
        while (extends_ === 0) await sleep(5);
        fnDone();
      },
      { expireTimeMS: 30 },
    );
    const extendsAtReturn = extends_;
    const evalsBefore = await commandsRun(client);
    await sleep(200);
    // Nothing of the hold is left: no extend, no abort, no timer, and the lock is free for anyone.
    expect(extends_).toBe(extendsAtReturn);
    expect(await commandsRun(client)).toBe(evalsBefore + 1);
    expect(signal.aborted).toBe(false);
    expect(process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length).toBeLessThanOrEqual(
      timersBefore,
    );
    expect(await other.lock("k", 2_000)).toBe(true);
  });
});

describe("no thundering herd", () => {
  test("2,000 waiters on one key in one process: every one gets the lock, at under 10 Redis commands each", async () => {
    const client = await connect();
    const admin = await connect();
    const cache = new Cache({ store: storeOn(client, "herd"), owner: "a" });
    const WAITERS = 2_000;
    const sent = recordCommands(client);
    const before = await commandsRun(admin);
    let inside = 0;
    let overlaps = 0;
    await Promise.all(
      Array.from({ length: WAITERS }, () =>
        cache.withLock(
          "k",
          async () => {
            if (++inside > 1) overlaps += 1;
            await new Promise((resolve) => setImmediate(resolve));
            inside -= 1;
          },
          { retry: 50_000 },
        ),
      ),
    );
    const serverCommands = (await commandsRun(admin)) - before - 1;
    sent.restore();
    const perAcquisition = sent.names.length / WAITERS;
    console.log(
      `herd: ${WAITERS} waiters; per acquisition ${perAcquisition.toFixed(2)} commands sent, ` +
        `${(serverCommands / WAITERS).toFixed(2)} run by Redis (script calls included)`,
    );
    expect(overlaps).toBe(0);
    expect(perAcquisition).toBeLessThan(10);
  });
});
