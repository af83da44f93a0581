import { Cache, MemoryStore } from "../../src/cache";
import { StoreDecorator } from "../../src/cache/store-decorator";
import { runConformanceSuite } from "./conformance";

runConformanceSuite("memory store", async () => {
  const store = new MemoryStore();
  return { store, now: async () => Date.now(), cleanup: () => store.close() };
});

describe("memory store specifics", () => {
  test("the sweeper removes expired objects and locks that nobody touches again", async () => {
    // The store's injected clock and jest's timers: the sweep is driven, not waited for.
    jest.useFakeTimers();
    try {
      let now = 1_000;
      const store = new MemoryStore({ sweepIntervalMs: 20, now: () => now });
      const cache = new Cache({ store, owner: "alice" });
      await cache.save("brief", 1, 10);
      await cache.lock("brief-lock", 10);
      await cache.save("lasting", 2);
      now = 1_011;
      expect(store.entryCount()).toBe(3);
      jest.advanceTimersByTime(20);
      expect(store.entryCount()).toBe(1);
      await store.close();
    } finally {
      jest.useRealTimers();
    }
  });

  test("sweep() reports how many expired entries it removed", async () => {
    let now = 1_000;
    const store = new MemoryStore({ sweepIntervalMs: 0, now: () => now });
    const cache = new Cache({ store, owner: "alice" });
    await cache.save("a", 1, 100);
    await cache.save("b", 1, 300);
    await cache.lock("c", 100);
    now = 1_100;
    expect(store.sweep()).toBe(0);
    now = 1_101;
    expect(store.sweep()).toBe(2);
    expect(store.entryCount()).toBe(1);
  });

  test("expiry is checked on every access, like Redis: alive at the expiry instant, gone 1 ms later", async () => {
    let now = 5_000;
    const store = new MemoryStore({ sweepIntervalMs: 0, now: () => now });
    const cache = new Cache({ store, owner: "alice" });
    await cache.save("k", "v", 10);
    now = 5_010;
    expect((await cache.load("k")).value).toBe("v");
    now = 5_011;
    await expect(cache.load("k")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  test("close() stops the sweep timer, so a stopped server leaves no timer behind", async () => {
    jest.useFakeTimers();
    try {
      let now = 1_000;
      const store = new MemoryStore({ sweepIntervalMs: 10, now: () => now });
      const cache = new Cache({ store, owner: "alice" });
      await store.close();
      await cache.save("k", 1, 5);
      now = 2_000;
      jest.advanceTimersByTime(100);
      expect(jest.getTimerCount()).toBe(0);
      expect(store.entryCount()).toBe(1);
    } finally {
      jest.useRealTimers();
    }
  });

  test("a waiting load wakes as soon as the lock is released", async () => {
    // The clock stands still, so only the release can end the wait.
    const store = new MemoryStore({ sweepIntervalMs: 0, now: () => 1_000_000 });
    const alice = new Cache({ store, owner: "alice" });
    const bob = alice.withOwner("bob");
    await alice.save("k", "v");
    await bob.lock("k", 60_000);
    const waiting = alice.load("k", { retry: 60_000 });
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    await bob.unlock("k");
    expect((await waiting).value).toBe("v");
    await store.close();
  });

  test("a waiter in the same process wakes on the release itself, with the clock standing still", async () => {
    const store = new MemoryStore({ sweepIntervalMs: 0, now: () => 1_000_000 });
    const cache = new Cache({ store, owner: "alice" });
    const order: string[] = [];
    let releaseFirst!: () => void;
    const first = cache.withLock(
      "k",
      () => new Promise<void>((resolve) => (releaseFirst = resolve)).then(() => void order.push("first")),
      {
        expireTimeMS: 3_600_000,
      },
    );
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    const second = cache.withLock("k", () => order.push("second"), { retry: 3_600_000, expireTimeMS: 3_600_000 });
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([]);
    releaseFirst();
    await Promise.all([first, second]);
    expect(order).toEqual(["first", "second"]);
    await store.close();
  }, 10_000);
});

test("memory store: tokens keep increasing with nothing kept per key once its lock is gone", async () => {
  // The clock stands still, so only the store's counter can order the tokens.
  const store = new MemoryStore({ sweepIntervalMs: 0, now: () => 1_000 });
  const cache = new Cache({ store, owner: "alice" });
  const first = (await cache.acquireLock("k", { expireTimeMS: 100 }))!;
  expect(await store.unlock("k", "alice", first)).toBe(true);
  await cache.acquireLock("other");
  await cache.clear(null, { locks: true });
  expect(store.entryCount()).toBe(0);
  expect(await cache.acquireLock("k", { expireTimeMS: 100 })).toBeGreaterThan(first + 1);
});

test("a withLock TTL past Node's longest timer (75+ days) is not extended every millisecond", async () => {
  const store = new MemoryStore({ sweepIntervalMs: 0 });
  const cache = new Cache({ store, owner: "alice" });
  const extend = jest.spyOn(store, "extend");
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(warning.name);
  process.on("warning", onWarning);
  try {
    // A third of this TTL overflows a timer, which Node would fire after 1 ms.
    await cache.withLock("k", () => new Promise((resolve) => setTimeout(resolve, 100)), { expireTimeMS: 7e9 });
  } finally {
    process.off("warning", onWarning);
  }
  expect(extend).not.toHaveBeenCalled();
  expect(warnings).not.toContain("TimeoutOverflowWarning");
  await store.close();
});

test("a fetch called after a completed save never joins a flight whose value that save replaced", async () => {
  // The flight's save is done in the store, but its reply is slow to come back: the flight has not settled yet.
  let releaseReply!: () => void;
  const replyHeld = new Promise<void>((resolve) => (releaseReply = resolve));
  class SlowSaveReplies extends StoreDecorator {
    async save(...args: Parameters<MemoryStore["save"]>) {
      const outcome = await this.inner.save(...args);
      if (args[1] === "server-a" && args[2] === JSON.stringify("produced")) await replyHeld;
      return outcome;
    }
  }
  const store = new SlowSaveReplies(new MemoryStore({ sweepIntervalMs: 0 }));
  const cache = new Cache({ store, owner: "server-a" });
  const first = cache.fetch("k", () => "produced");
  await new Promise((resolve) => setImmediate(resolve));
  expect(await cache.get("k")).toBe("produced");
  // Another request of the same server replaces the value, and its save completes.
  await cache.save("k", "newer");
  const second = cache.fetch("k", () => "second producer");
  releaseReply();
  expect(await first).toBe("produced");
  expect(await second).toBe("newer");
});
