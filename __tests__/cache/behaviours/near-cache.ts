import { Cache, type NearCacheLimits } from "../../../src/cache";
import { rejectionOf, type Behaviour, type World } from "./world";

/** Polls `check` until it passes (the invalidation delay), failing with its last error after `timeoutMs`. */
export async function eventually(check: () => Promise<void> | void, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }
}

/** A cache with the near cache on over the world's store, once its change feed is live. */
export async function nearCacheOn(
  world: World,
  owner = "carol",
  limits: Partial<NearCacheLimits> = {},
): Promise<Cache> {
  const cache = new Cache({ store: world.target.store, owner, nearCache: limits });
  await eventually(() => expect(cache.stats().nearCache.live).toBe(true), 10_000);
  return cache;
}

/**
 * The near cache on every store: copies answer get/has/fetch hits from process memory, and any change by another
 * writer (here alice, a cache without a near cache on the same store) reaches them within the invalidation delay.
 */
export const nearCache: Behaviour = (world) => {
  describe("near cache", () => {
    test("a current copy answers get without the store: frozen, shared, counted as a near hit", async () => {
      // Written before the feed is armed, so no report of this write can cancel the first read's copy.
      await world.alice.save("k", { list: [1] });
      const carol = await nearCacheOn(world);
      const first = await carol.get<{ list: number[] }>("k");
      const second = (await carol.get<{ list: number[] }>("k"))!;
      expect(first).toEqual({ list: [1] });
      expect(carol.stats().nearCache).toMatchObject({ hits: 1, misses: 1, entries: 1, enabled: true });
      expect(Object.isFrozen(second) && Object.isFrozen(second.list)).toBe(true);
      expect(() => second.list.push(2)).toThrow(TypeError);
      expect(await carol.get("k")).toEqual({ list: [1] });
      expect(await carol.has("k")).toBe(true);
      expect(carol.stats().nearCache.hits).toBe(3);
    });

    test("another writer's save, destroy and clear reach the copy", async () => {
      const { alice } = world;
      await alice.save("k", 1);
      const carol = await nearCacheOn(world);
      expect(await carol.get("k")).toBe(1);
      await alice.save("k", 2);
      await eventually(async () => expect(await carol.get("k")).toBe(2));
      await alice.destroy("k");
      await eventually(async () => expect(await carol.get("k")).toBeNull());
      await alice.save("k", 3);
      await eventually(async () => expect(await carol.get("k")).toBe(3));
      await alice.clear();
      await eventually(async () => expect(await carol.has("k")).toBe(false));
      // At least the first copy, read before any of these writes, was dropped by one.
      expect(carol.stats().nearCache.invalidations).toBeGreaterThanOrEqual(1);
    });

    test("this process's own writes show at once, without waiting for the feed", async () => {
      const carol = await nearCacheOn(world);
      await carol.save("k", 1);
      expect(await carol.get("k")).toBe(1);
      expect(await carol.get("k")).toBe(1);
      await carol.save("k", 2);
      expect(await carol.get("k")).toBe(2);
      await carol.saveMany([{ key: "k", value: 3 }]);
      expect(await carol.get("k")).toBe(3);
      await carol.destroy("k");
      expect(await carol.get("k")).toBeNull();
      await carol.save("k", 4);
      expect(await carol.get("k")).toBe(4);
      await carol.clear();
      expect(await carol.get("k")).toBeNull();
    });

    test("a key with no value is a copy too, dropped when a value appears", async () => {
      const { alice } = world;
      const carol = await nearCacheOn(world);
      expect(await carol.get("flag")).toBeNull();
      expect(await carol.get("flag")).toBeNull();
      expect(carol.stats().nearCache.hits).toBe(1);
      await alice.save("flag", true);
      await eventually(async () => expect(await carol.get("flag")).toBe(true));
    });

    test("copies expire at their expireTimestamp", async () => {
      const { alice } = world;
      const carol = await nearCacheOn(world);
      await alice.save("short", 1, 80);
      expect(await carol.get("short")).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(await carol.get("short")).toBeNull();
    });

    test("a lock another owner takes stops reads through the copy; the holder's own owner reads", async () => {
      const { alice } = world;
      const carol = await nearCacheOn(world);
      await alice.save("k", 1);
      expect(await carol.get("k")).toBe(1);
      await alice.lock("k", 60_000);
      await eventually(async () => expect((await rejectionOf(carol.get("k"))).code).toBe("LOCKED"));
      expect((await rejectionOf(carol.has("k"))).code).toBe("LOCKED");
      expect(await alice.get("k")).toBe(1);
      await alice.unlock("k");
      expect(await carol.get("k")).toBe(1);
    });

    test("a lock taken in this process shuts out its other owners at once", async () => {
      const carol = await nearCacheOn(world);
      const dave = carol.withOwner("dave");
      await carol.save("k", 1);
      expect(await dave.get("k")).toBe(1);
      expect(await dave.get("k")).toBe(1);
      expect(await carol.lock("k", 60_000)).toBe(true);
      expect((await rejectionOf(dave.get("k"))).code).toBe("LOCKED");
      expect(await carol.get("k")).toBe(1);
    });

    test("fetch hits come from the copy (the producer never runs); load still goes to the store", async () => {
      await world.alice.save("k", "stored");
      const carol = await nearCacheOn(world);
      const producer = jest.fn(() => "produced");
      expect(await carol.fetch("k", producer)).toBe("stored");
      expect(await carol.fetch("k", producer)).toBe("stored");
      expect(producer).not.toHaveBeenCalled();
      expect(carol.stats().nearCache.hits).toBe(1);
      // fetch read without recording, so this load is the first recorded read.
      expect((await carol.load("k")).readAt).toBeNull();
      expect((await carol.load("k")).readAt).not.toBeNull();
    });

    test("stays under maxEntries and maxBytes, least recently used first", async () => {
      const { alice } = world;
      for (const key of ["a", "b", "c", "d"]) await alice.save(key, key);
      await alice.save("big", "x".repeat(200));
      const carol = await nearCacheOn(world, "carol", { maxEntries: 3, maxBytes: 100 });
      for (const key of ["a", "b", "c"]) await carol.get(key);
      await carol.get("a");
      await carol.get("d");
      expect(carol.stats().nearCache).toMatchObject({ entries: 3, evictions: 1 });
      // "b" was the least recently used: it went, "a" stayed.
      const hits = carol.stats().nearCache.hits;
      await carol.get("a");
      await carol.get("b");
      expect(carol.stats().nearCache.hits).toBe(hits + 1);
      expect(await carol.get("big")).toBe("x".repeat(200));
      expect(carol.stats().nearCache.bytes).toBeLessThanOrEqual(100);
      expect(await carol.get("big")).toBe("x".repeat(200));
      expect(carol.stats().nearCache.hits).toBe(hits + 1);
    });

    test("grace: fetch serves the last value seen when the producer throws after expiry, within grace only", async () => {
      const carol = await nearCacheOn(world);
      const failing = () => Promise.reject(new Error("source down"));
      expect(await carol.fetch("g", () => "first", { expireTimeMS: 50 })).toBe("first");
      await new Promise((resolve) => setTimeout(resolve, 120));
      expect(await carol.fetch("g", failing, { grace: 60_000 })).toBe("first");
      expect(carol.stats().nearCache.graceHits).toBe(1);
      expect((await rejectionOf(carol.fetch("g", failing))).message).toBe("source down");
      expect((await rejectionOf(carol.fetch("g", failing, { grace: 1 }))).message).toBe("source down");
      expect(carol.stats().nearCache.graceHits).toBe(1);
    });

    test("grace works without the near cache, from the copies that calls with grace keep", async () => {
      const { alice } = world;
      const failing = () => Promise.reject(new Error("source down"));
      expect(await alice.fetch("g", () => "first", { expireTimeMS: 50, grace: 60_000 })).toBe("first");
      await new Promise((resolve) => setTimeout(resolve, 120));
      expect(await alice.fetch("g", failing, { grace: 60_000 })).toBe("first");
      expect(alice.stats().nearCache).toMatchObject({ enabled: false, graceHits: 1, hits: 0 });
    });

    test("bad options are refused with a clear error", async () => {
      const { alice, target } = world;
      expect(await rejectionOf(alice.get("k", { grace: -1 }))).toMatchObject({ code: "INVALID_TTL" });
      expect(await rejectionOf(alice.get("k", { bogus: 1 } as never))).toMatchObject({ code: "INVALID_OPTIONS" });
      expect(await rejectionOf(alice.fetch("k", () => 1, { grace: "x" as never }))).toMatchObject({
        code: "INVALID_TTL",
      });
      expect(() => new Cache({ store: target.store, owner: "x", nearCache: { maxEntries: 0 } })).toThrow(
        expect.objectContaining({ code: "INVALID_OPTIONS", message: expect.stringContaining("maxEntries") }),
      );
    });
  });
};
