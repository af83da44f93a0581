import { callbackResult, rejectionOf, tick, type Behaviour } from "./world";

/**
 * Locks are exclusive per acquisition: two requests of one server exclude each other, exactly as two servers do.
 * What stays per server (the owner): reads and writes by the holder's server, and unlock().
 */
export const lockExclusion: Behaviour = (world) => {
  describe("lock exclusion inside one server", () => {
    test("of ten concurrent lock() calls in one process, exactly one resolves true", async () => {
      const results = await Promise.all(Array.from({ length: 10 }, () => world.alice.lock("k")));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await world.alice.locks()).toEqual(["k"]);
    });

    test("a second lock() on a key this server holds resolves false, and with retry waits for the release", async () => {
      const { alice } = world;
      expect(await alice.lock("k", 60_000)).toBe(true);
      expect(await alice.lock("k")).toBe(false);
      expect(await alice.acquireLock("k")).toBeNull();
      let settled = false;
      const waiting = alice.lock("k", 60_000, { retry: 30_000 }).then((taken) => ((settled = true), taken));
      for (let i = 0; i < 5; i++) await tick();
      expect(settled).toBe(false);
      expect(await alice.unlock("k")).toBe(true);
      expect(await waiting).toBe(true);
    });

    test("concurrent withLock bodies on one key run one after another, with distinct increasing tokens", async () => {
      const { alice } = world;
      let inside = 0;
      let mostInside = 0;
      const entered: number[] = [];
      await Promise.all(
        Array.from({ length: 6 }, () =>
          alice.withLock("k", async ({ token }) => {
            inside += 1;
            mostInside = Math.max(mostInside, inside);
            entered.push(token);
            for (let i = 0; i < 3; i++) await tick();
            inside -= 1;
          }),
        ),
      );
      expect(mostInside).toBe(1);
      expect(entered).toHaveLength(6);
      for (let i = 1; i < entered.length; i++) expect(entered[i]).toBeGreaterThan(entered[i - 1]);
      expect(await alice.locks()).toEqual([]);
    });

    test("a withLock whose lock was taken over by another request of the same server never releases the new holder", async () => {
      const { alice, bob } = world;
      let reason: unknown;
      await alice.withLock(
        "k",
        async ({ signal }) => {
          // The lock goes (unlock is per server) and another request of this server takes it.
          await alice.unlock("k");
          expect(await alice.lock("k", 60_000)).toBe(true);
          // The extender may already have found the lock gone (before or during the re-lock): an abort that has
          // fired fires no event, so only wait for one that has not.
          if (!signal.aborted)
            await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
          reason = signal.reason;
        },
        { expireTimeMS: 60 },
      );
      expect((reason as { code?: string }).code).toBe("LOCK_LOST");
      expect(await alice.locks()).toEqual(["k"]);
      expect(await bob.lock("k")).toBe(false);
    });

    test("fetch waits while another request of this server holds the key's lock, and produces after the release", async () => {
      const { alice } = world;
      await alice.lock("k", 60_000);
      let runs = 0;
      const producer = () => ++runs;
      expect((await rejectionOf(alice.fetch("k", producer, { lockTimeoutMS: 60 }))).code).toBe("LOCK_TIMEOUT");
      expect(runs).toBe(0);
      const waiting = alice.fetch("k", producer, { lockTimeoutMS: 30_000 });
      await tick();
      await alice.unlock("k");
      expect(await waiting).toBe(1);
    });

    test("the holder's server still reads and writes the key, and unlocks it, from any of its requests", async () => {
      const { alice, bob } = world;
      await alice.lock("k");
      await expect(alice.save("k", "v")).resolves.toBe(true);
      expect((await alice.load("k")).value).toBe("v");
      expect(await alice.push("k", 1)).toBe(1);
      expect(await alice.checkLock("k")).toBe(true);
      expect(await bob.checkLock("k")).toBe(false);
      expect(await alice.unlock("k")).toBe(true);
    });
  });

  describe("extendLock", () => {
    test("sets the TTL of a lock this server holds and resolves true", async () => {
      const { alice } = world;
      await alice.lock("k", 1_000);
      expect(await alice.extendLock("k", 60_000)).toBe(true);
      const [details] = await alice.locks({ details: true });
      expect(details.ttl).toBeGreaterThan(50_000);
      expect(details.ttl).toBeLessThanOrEqual(60_000);
    });

    test("defaults to lockDuration", async () => {
      const { alice } = world;
      await alice.lock("k", 1_000);
      expect(await alice.extendLock("k")).toBe(true);
      const [details] = await alice.locks({ details: true });
      expect(details.ttl).toBeGreaterThan(alice.lockDuration - 5_000);
    });

    test("resolves false, changing nothing, when the lock is free or another owner's", async () => {
      const { alice, bob } = world;
      expect(await alice.extendLock("k", 60_000)).toBe(false);
      expect(await alice.locks()).toEqual([]);
      await bob.lock("k", 1_000);
      expect(await alice.extendLock("k", 60_000)).toBe(false);
      const [details] = await alice.locks({ details: true });
      expect(details).toMatchObject({ owner: "bob" });
      expect(details.ttl).toBeLessThanOrEqual(1_000);
    });

    test("calls next(null, true|false), and refuses a bad TTL or key", async () => {
      const { alice } = world;
      await alice.lock("k");
      expect(await callbackResult((next) => alice.extendLock("k", 5_000, next))).toEqual([null, true]);
      expect(await callbackResult((next) => alice.extendLock("other", next))).toEqual([null, false]);
      expect((await rejectionOf(alice.extendLock("k", -1))).code).toBe("INVALID_TTL");
      expect((await rejectionOf(alice.extendLock(""))).code).toBe("INVALID_KEY");
    });
  });

  describe("checkLock(key, false)", () => {
    test("is treated like null: answers at once", async () => {
      const { alice, bob } = world;
      expect(await alice.checkLock("k", false)).toBe(true);
      await bob.lock("k", 60_000);
      expect(await alice.checkLock("k", false)).toBe(false);
      expect(await callbackResult((next) => alice.checkLock("k", false, next))).toEqual([null, false]);
    });
  });
};
