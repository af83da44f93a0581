import type Redis from "ioredis";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Cache, RedisStore } from "../../src/cache";
import { LOCK_FALLBACK_POLL_MS } from "../../src/cache/stores/redis";
import { connectRedis, deleteByPrefix, recordCommands, sleep, uniquePrefix } from "../helpers/redis";
import { runConformanceSuite } from "./conformance";
import { redisTarget, serverTimeMs } from "./redis-target";

const redis = connectRedis();

afterAll(async () => {
  await redis.quit();
});

runConformanceSuite(
  "redis store",
  redisTarget(
    "conformance",
    () => redis,
    (prefix) => deleteByPrefix(redis, prefix),
  ),
);

describe("redis store specifics", () => {
  let prefix: string;
  let store: RedisStore;
  let alice: Cache;

  beforeEach(() => {
    prefix = uniquePrefix("redis");
    store = new RedisStore({ client: redis, prefix: `${prefix}obj:`, lockPrefix: `${prefix}lock:` });
    alice = new Cache({ store, owner: "alice" });
  });

  afterEach(async () => {
    await store.close();
    await deleteByPrefix(redis, prefix);
  });

  test("a waiter in the same process wakes on the release itself: with polling an hour apart, it still gets the lock", async () => {
    const patient = new RedisStore({
      client: redis,
      prefix: `${prefix}obj:`,
      lockPrefix: `${prefix}lock:`,
      lockFallbackPollMs: 3_600_000,
    });
    const cache = new Cache({ store: patient, owner: "alice" });
    try {
      const order: string[] = [];
      const first = cache.withLock("k", async () => {
        await sleep(20);
        order.push("first");
      });
      await sleep(5);
      // The second request waits for the first one's release; a poll would come an hour later.
      const second = cache.withLock("k", () => order.push("second"), { retry: 3_600_000, expireTimeMS: 3_600_000 });
      await Promise.all([first, second]);
      expect(order).toEqual(["first", "second"]);
    } finally {
      await patient.close();
    }
  }, 10_000);

  test("default prefixes stay clear of actionhero's own cache and lock keys", () => {
    const defaults = new RedisStore({ client: redis });
    for (const key of [defaults.layout.objectKey("k"), defaults.layout.lockKey("k")]) {
      expect(key.startsWith("actionhero:cache:")).toBe(false);
      expect(key.startsWith("actionhero:lock:")).toBe(false);
    }
  });

  test("object TTLs are set in milliseconds on the Redis key", async () => {
    await alice.save("k", "v", 1500);
    const pttl = await redis.pttl(store.layout.objectKey("k"));
    expect(pttl).toBeGreaterThan(500);
    expect(pttl).toBeLessThanOrEqual(1500);
    await alice.save("forever", "v");
    expect(await redis.pttl(store.layout.objectKey("forever"))).toBe(-1);
  });

  test("lock TTLs are honoured to the millisecond (actionhero rounds up to whole seconds)", async () => {
    await alice.lock("k", 1500);
    const pttl = await redis.pttl(store.layout.lockKey("k"));
    // Rounded up to whole seconds it would be up to 2000.
    expect(pttl).toBeGreaterThan(500);
    expect(pttl).toBeLessThanOrEqual(1500);
  });

  test("load with expireTimeMS moves the Redis TTL too", async () => {
    await alice.save("k", "v", 1000);
    await alice.load("k", { expireTimeMS: 120_000 });
    expect(await redis.pttl(store.layout.objectKey("k"))).toBeGreaterThan(100_000);
  });

  test("timestamps come from the Redis server clock, whatever this process's clock says", async () => {
    const skewed = jest.spyOn(Date, "now").mockReturnValue(0);
    try {
      await alice.save("k", "v", 10_000);
      const loaded = await alice.load("k");
      skewed.mockRestore();
      const serverNow = await serverTimeMs(redis);
      expect(Math.abs(loaded.createdAt - serverNow)).toBeLessThan(5_000);
      expect(loaded.expireTimestamp).toBe(loaded.createdAt + 10_000);
    } finally {
      skewed.mockRestore();
    }
  });

  test("an object and its lock share one Redis Cluster hash tag, whatever the key holds", () => {
    // Redis's rule: the tag is between the first "{" and the first "}" after it, when that is non-empty.
    const hashTag = (redisKey: string) => {
      const open = redisKey.indexOf("{");
      const close = open < 0 ? -1 : redisKey.indexOf("}", open + 1);
      return close > open + 1 ? redisKey.slice(open + 1, close) : redisKey;
    };
    for (const key of ["plain", "}", "}x", "{a}", "a}b{c}", "%7D", "ключ", "*"]) {
      const objectTag = hashTag(store.layout.objectKey(key));
      expect(objectTag).toBe(hashTag(store.layout.lockKey(key)));
      expect(objectTag).not.toBe(store.layout.objectKey(key));
    }
  });

  test("prefixes with glob characters only ever list their own locks", async () => {
    const globPrefix = `${prefix}g*[a]?\\:`;
    const globby = new Cache({
      store: new RedisStore({ client: redis, prefix: `${globPrefix}obj:`, lockPrefix: `${globPrefix}lock:` }),
      owner: "x",
    });
    const neighbour = new Cache({
      store: new RedisStore({ client: redis, prefix: `${prefix}gXaY\\:obj:`, lockPrefix: `${prefix}gXaY\\:lock:` }),
      owner: "x",
    });
    await globby.lock("mine");
    await neighbour.lock("theirs");
    expect(await globby.locks()).toEqual(["mine"]);
    expect(await neighbour.locks()).toEqual(["theirs"]);
  });

  test("refuses prefixes that would break the hash tag or merge objects with locks", () => {
    expect(() => new RedisStore({ client: redis, prefix: "a{b", lockPrefix: "l:" })).toThrow(
      /must be a non-empty string without/,
    );
    expect(() => new RedisStore({ client: redis, prefix: "same:", lockPrefix: "same:" })).toThrow(/must differ/);
    // A list and a lock would be one key (z:list:{q}), and so would an object and a fencing counter.
    for (const [prefix, lockPrefix, families] of [
      ["z:", "z:list:", "lists and locks"],
      ["z:fence:", "z:", "objects and fencing counters"],
      ["z:waiting:", "z:", "objects and waiting marks"],
    ]) {
      expect(() => new RedisStore({ client: redis, prefix, lockPrefix })).toThrow(
        expect.objectContaining({ code: "INVALID_OPTIONS", message: expect.stringContaining(families) }),
      );
    }
    // Prefixes that only look alike stay apart.
    expect(new RedisStore({ client: redis, prefix: "x:", lockPrefix: "x:l:" }).kind).toBe("redis");
  });

  test("locks() walks the keyspace with SCAN, never KEYS", async () => {
    for (let i = 0; i < 30; i++) await alice.lock(`k${i}`);
    const recorder = recordCommands(redis);
    try {
      const scanning = new RedisStore({
        client: redis,
        prefix: `${prefix}obj:`,
        lockPrefix: `${prefix}lock:`,
        scanCount: 7,
      });
      expect((await new Cache({ store: scanning, owner: "a" }).locks()).length).toBe(30);
    } finally {
      recorder.restore();
    }
    const sent = recorder.names;
    expect(sent.filter((name) => name !== "scan")).toEqual([]);
    expect(sent.length).toBeGreaterThan(1);
  });

  test("keys, size, clear and dumps also SCAN with the configured COUNT, never KEYS, and clear pipelines UNLINKs", async () => {
    const scanning = new RedisStore({
      client: redis,
      prefix: `${prefix}obj:`,
      lockPrefix: `${prefix}lock:`,
      scanCount: 7,
    });
    const cache = new Cache({ store: scanning, owner: "a" });
    for (let i = 0; i < 30; i++) await cache.save(`k${i}`, i);
    await cache.push("queue", 1);
    const file = path.join(os.tmpdir(), `${prefix.replace(/:/g, "-")}dump.jsonl`);
    const sent: Array<{ name: string; args: unknown[] }> = [];
    const original = redis.sendCommand;
    redis.sendCommand = function (this: typeof redis, ...args: Parameters<typeof redis.sendCommand>) {
      sent.push({ name: args[0].name, args: args[0].args });
      return original.apply(this, args);
    };
    try {
      expect(await cache.keys()).toHaveLength(30);
      expect(await cache.size()).toBe(30);
      expect(await cache.dumpWrite(file)).toBe(31);
      expect(await cache.clear()).toBe(31);
    } finally {
      delete (redis as Partial<typeof redis>).sendCommand;
      fs.rmSync(file, { force: true });
    }
    expect(sent.some((command) => command.name === "keys")).toBe(false);
    const scans = sent.filter((command) => command.name === "scan");
    expect(scans.length).toBeGreaterThan(4);
    for (const scan of scans) expect(scan.args.slice(-2).map(String)).toEqual(["COUNT", "7"]);
    // One UNLINK per key, each of a single key, sent as pipelines (not awaited one by one).
    const unlinks = sent.filter((command) => command.name === "unlink");
    expect(unlinks).toHaveLength(31);
    for (const unlink of unlinks) expect(unlink.args).toHaveLength(1);
  });

  describe("lock hand-off over pub/sub", () => {
    // With the fallback poll pushed out to a minute, only a release message can wake these waiters in time.
    const noPolling = { lockFallbackPollMs: 60_000 };
    /** Another server's store on the same keys: by default on the shared connection, with polling a minute apart. */
    const otherServer = (client: Redis = redis, options: { lockFallbackPollMs?: number } = noPolling) =>
      new RedisStore({ client, prefix: `${prefix}obj:`, lockPrefix: `${prefix}lock:`, ...options });

    test("a waiter on another connection wakes when the lock is released", async () => {
      const holderConnection = connectRedis();
      try {
        const holder = new Cache({
          store: otherServer(holderConnection, {}),
          owner: "holder",
        });
        const waiterStore = otherServer();
        const waiter = new Cache({ store: waiterStore, owner: "waiter" });
        await holder.lock("k", 60_000);
        const waiting = waiter.lock("k", { retry: 50_000 });
        while (waiterStore.waiting === 0) await new Promise((resolve) => setImmediate(resolve));
        await holder.unlock("k");
        expect(await waiting).toBe(true);
        await waiterStore.close();
      } finally {
        await holderConnection.quit();
      }
    }, 10_000);

    test("an unlock nobody waits for publishes nothing; one a waiter marked publishes the lock key", async () => {
      const subscriber = redis.duplicate();
      const heard: string[] = [];
      subscriber.on("message", (_channel: string, lockKey: string) => heard.push(lockKey));
      await subscriber.subscribe(store.layout.releaseChannel());
      try {
        await alice.lock("unwaited", 60_000);
        expect(await alice.unlock("unwaited")).toBe(true);
        await alice.lock("waited", 60_000);
        // The mark a waiter on another server keeps set while it waits.
        await redis.set(store.layout.waitingKey("waited"), "1", "PX", 60_000);
        expect(await alice.unlock("waited")).toBe(true);
        // Messages arrive in publish order: once the second release is heard, the first would have been too.
        while (heard.length === 0) await new Promise((resolve) => setImmediate(resolve));
        expect(heard).toEqual([store.layout.lockKey("waited")]);
        // The mark is left to expire, so the waiters it stands for are told of the next release too.
        await alice.lock("waited", 60_000);
        expect(await alice.unlock("waited")).toBe(true);
        while (heard.length === 1) await new Promise((resolve) => setImmediate(resolve));
        expect(heard).toEqual([store.layout.lockKey("waited"), store.layout.lockKey("waited")]);
      } finally {
        subscriber.disconnect();
      }
    });

    test("a waiter's mark outlasts each round it waits, polling a minute apart included", async () => {
      const waiterStore = otherServer();
      const waiter = new Cache({ store: waiterStore, owner: "waiter" });
      await alice.lock("k", 60_000);
      const waiting = waiter.lock("k", { retry: 50_000 });
      while (waiterStore.waiting === 0) await new Promise((resolve) => setImmediate(resolve));
      // Until its subscription is live the waiter re-checks every 50 ms, marking for a second or so; once it is,
      // a round waits up to the poll interval and marks for longer than that.
      const mark = store.layout.waitingKey("k");
      expect(await redis.pttl(mark)).toBeGreaterThan(LOCK_FALLBACK_POLL_MS);
      while ((await redis.pttl(mark)) <= noPolling.lockFallbackPollMs) await sleep(5);
      expect(await alice.checkLock("k")).toBe(true); // still held: only the rounds' marks moved
      await alice.unlock("k");
      expect(await waiting).toBe(true);
      await waiterStore.close();
    }, 10_000);

    test("a waiter sends its mark once while the mark lasts, not before every check", async () => {
      const waiterConnection = connectRedis();
      const waiterStore = otherServer(waiterConnection, {});
      const sent = recordCommands(waiterConnection);
      try {
        await alice.lock("k", 60_000);
        const waiting = new Cache({ store: waiterStore, owner: "waiter" }).lock("k", { retry: 50_000 });
        // Each round re-checks the lock (one script) every 50 ms; the mark lasts over a second.
        while (sent.names.filter((name) => name === "evalsha").length < 5) await sleep(10);
        expect(sent.names.filter((name) => name === "set")).toHaveLength(1);
        await alice.unlock("k");
        expect(await waiting).toBe(true);
      } finally {
        sent.restore();
        await waiterStore.close();
        await waiterConnection.quit();
      }
    }, 10_000);

    test("checkLock and load with retry wake on release too", async () => {
      const waiterStore = otherServer();
      const waiter = new Cache({ store: waiterStore, owner: "waiter" });
      await alice.save("k", "v");
      await alice.lock("k", 60_000);
      const checking = waiter.checkLock("k", 50_000);
      const loading = waiter.load("k", { retry: 50_000 });
      while (waiterStore.waiting < 2) await new Promise((resolve) => setImmediate(resolve));
      await alice.unlock("k");
      expect(await checking).toBe(true);
      expect((await loading).value).toBe("v");
      await waiterStore.close();
    }, 10_000);

    test("all waiters of a store share one subscriber connection", async () => {
      const waiterStore = otherServer();
      const waiter = new Cache({ store: waiterStore, owner: "waiter" });
      for (let i = 0; i < 20; i++) await alice.lock(`k${i}`, 60_000);
      const waiting = Array.from({ length: 20 }, (_, i) => waiter.lock(`k${i}`, { retry: 50_000 }));
      while (waiterStore.waiting < 20) await new Promise((resolve) => setImmediate(resolve));
      // Registering does not wait for the subscriber, so give its SUBSCRIBE a moment to arrive.
      const numsub = async () =>
        ((await redis.call("PUBSUB", "NUMSUB", store.layout.releaseChannel())) as [string, number])[1];
      for (let tries = 0; tries < 100 && (await numsub()) === 0; tries++) await sleep(10);
      expect(await numsub()).toBe(1);
      for (let i = 0; i < 20; i++) await alice.unlock(`k${i}`);
      expect(await Promise.all(waiting)).toEqual(Array(20).fill(true));
      await waiterStore.close();
      const [, afterClose] = (await redis.call("PUBSUB", "NUMSUB", store.layout.releaseChannel())) as [string, number];
      expect(afterClose).toBe(0);
    }, 10_000);

    test("the fencing counter survives unlock and is not listed as a lock", async () => {
      const token = await alice.acquireLock("k");
      await alice.unlock("k");
      expect(await redis.get(store.layout.fenceKey("k"))).toBe(String(token));
      expect(await alice.locks()).toEqual([]);
    });

    test("an acquisition lost in a failover (lock and counter both gone) is never issued its token again", async () => {
      const lost = await alice.acquireLock("k");
      // What a promoted replica that never received the acquisition holds: neither the lock nor the counter.
      await redis.del(store.layout.lockKey("k"), store.layout.fenceKey("k"));
      await sleep(5);
      const next = await alice.withOwner("bob").acquireLock("k");
      expect(next).toBeGreaterThan(lost!);
      expect(await redis.get(store.layout.fenceKey("k"))).toBe(String(next));
    });

    test("a key of another type at the lock key counts as held: lock resolves false and writes nothing", async () => {
      await redis.hset(store.layout.lockKey("k"), "not", "ours");
      expect(await alice.lock("k")).toBe(false);
      expect(await redis.type(store.layout.lockKey("k"))).toBe("hash");
      expect(await redis.exists(store.layout.fenceKey("k"))).toBe(0);
    });
  });
});
