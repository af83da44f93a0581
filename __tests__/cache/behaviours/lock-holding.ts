import { CacheError } from "../../../src/cache";
import { sleep } from "../../helpers/redis";
import type { Cache } from "../../../src/cache";
import { callbackResult, rejectionOf, type Behaviour, type ConformanceTarget } from "./world";

export const lockHolding: Behaviour = (world) => {
  let alice: Cache;
  let bob: Cache;
  let target: ConformanceTarget;
  beforeEach(() => {
    ({ alice, bob, target } = world);
  });

  describe("waiting lock acquire", () => {
    test("lock(key, ttl, { retry }) waits for a release and then takes the lock", async () => {
      await bob.lock("k", 60_000);
      setTimeout(() => void bob.unlock("k"), 50);
      expect(await alice.lock("k", 5_000, { retry: 5_000 })).toBe(true);
      expect(await bob.checkLock("k")).toBe(false);
    });

    test("lock(key, { retry }) gives up with false once the budget runs out", async () => {
      await bob.lock("k", 60_000);
      expect(await alice.lock("k", { retry: 60 })).toBe(false);
    });

    test("waiting outlasts a lock that expires without a release", async () => {
      await bob.lock("k", 60);
      expect(await alice.lock("k", { retry: 5_000 })).toBe(true);
    });

    test("several waiters all get the lock in turn, one at a time", async () => {
      const owners = ["w1", "w2", "w3", "w4"].map((name) => alice.withOwner(name));
      await bob.lock("k");
      const order: string[] = [];
      let inside = 0;
      let overlaps = 0;
      const waiters = owners.map(async (owner) => {
        expect(await owner.lock("k", { retry: 10_000 })).toBe(true);
        if (++inside > 1) overlaps += 1;
        order.push(owner.owner);
        await sleep(5);
        inside -= 1;
        expect(await owner.unlock("k")).toBe(true);
      });
      await sleep(20);
      await bob.unlock("k");
      await Promise.all(waiters);
      expect(overlaps).toBe(0);
      expect(order.sort()).toEqual(["w1", "w2", "w3", "w4"]);
    });
  });

  describe("fencing tokens", () => {
    test("each acquisition gets a strictly larger token; a held lock gives none", async () => {
      const first = await alice.acquireLock("k");
      expect(first).toBeGreaterThan(0);
      expect(await alice.acquireLock("k")).toBeNull();
      expect(await bob.acquireLock("k")).toBeNull();
      await alice.unlock("k");
      const second = await bob.acquireLock("k");
      expect(second).toBeGreaterThan(first!);
      await bob.unlock("k");
      const third = await alice.acquireLock("k", { expireTimeMS: 40 });
      expect(third).toBeGreaterThan(second!);
      await sleep(100);
      expect(await bob.acquireLock("k")).toBeGreaterThan(third!);
    });

    test("a fresh token is never below the store clock in microseconds, so it outruns a lost counter", async () => {
      const before = await target.now();
      const token = await alice.acquireLock("k");
      expect(token).toBeGreaterThanOrEqual(before * 1000);
      expect(Number.isSafeInteger(token)).toBe(true);
    });

    test("acquireLock calls next(null, token | null)", async () => {
      const [error, token] = await callbackResult((next) => alice.acquireLock("k", {}, next));
      expect(error).toBeNull();
      expect(token).toBeGreaterThan(0);
      expect(await callbackResult((next) => bob.acquireLock("k", next))).toEqual([null, null]);
    });
  });

  describe("withLock", () => {
    test("runs fn under the lock, resolves its result and releases the lock", async () => {
      const result = await alice.withLock("k", async ({ token, signal }) => {
        expect(token).toBeGreaterThan(0);
        expect(signal.aborted).toBe(false);
        expect(await bob.lock("k")).toBe(false);
        await alice.save("k", "inside", { requireLock: true });
        return 42;
      });
      expect(result).toBe(42);
      expect(await bob.lock("k")).toBe(true);
      expect((await alice.load("k", { retry: 0 }).catch((error) => error)).code).toBe("LOCKED");
    });

    test("releases the lock when fn throws, and rejects with fn's error", async () => {
      await expect(
        alice.withLock("k", () => {
          throw new Error("boom");
        }),
      ).rejects.toThrow("boom");
      expect(await bob.lock("k")).toBe(true);
    });

    test("waits for the lock up to retry, then rejects with LOCK_TIMEOUT without running fn", async () => {
      await bob.lock("k", 60_000);
      let ran = false;
      const error = await rejectionOf(alice.withLock("k", () => (ran = true), { retry: 60 }));
      expect(error.code).toBe("LOCK_TIMEOUT");
      expect(ran).toBe(false);
      setTimeout(() => void bob.unlock("k"), 30);
      await expect(alice.withLock("k", () => "got it", { retry: 5_000 })).resolves.toBe("got it");
    });

    test("extends the lock while fn runs longer than the TTL", async () => {
      const outcome = await alice.withLock(
        "k",
        async ({ signal }) => {
          // Five TTLs long; extends come every 200 ms, so a stall under 400 ms cannot lose the lock.
          await sleep(3_000);
          return { aborted: signal.aborted, othersLocked: !(await bob.lock("k")) };
        },
        { expireTimeMS: 600 },
      );
      expect(outcome).toEqual({ aborted: false, othersLocked: true });
    });

    test("aborts the signal with LOCK_LOST when the lock is taken away", async () => {
      let reason: unknown;
      await alice.withLock(
        "k",
        async ({ signal }) => {
          // Simulate a lost lock: it expires while the extender is not due yet, and someone else takes it.
          await alice.unlock("k");
          await bob.lock("k");
          // An abort that already fired (the extender ran during the two calls above) fires no event.
          if (!signal.aborted)
            await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
          reason = signal.reason;
        },
        { expireTimeMS: 60 },
      );
      expect((reason as CacheError).code).toBe("LOCK_LOST");
      expect(await bob.checkLock("k")).toBe(true);
      expect(await alice.checkLock("k")).toBe(false);
    });

    test("refuses bad arguments", async () => {
      expect((await rejectionOf(alice.withLock("", () => 1))).code).toBe("INVALID_KEY");
      expect((await rejectionOf(alice.withLock("k", "no" as never))).code).toBe("INVALID_OPTIONS");
      expect((await rejectionOf(alice.withLock("k", () => 1, { expireTimeMS: -1 })).catch((e) => e)).code).toBe(
        "INVALID_TTL",
      );
      expect(await alice.locks()).toEqual([]);
    });
  });

  describe("locks({ details: true })", () => {
    test("gives each lock's key, owner and remaining TTL", async () => {
      await alice.lock("a", 60_000);
      await bob.lock("b{*}", 30_000);
      const details = (await alice.locks({ details: true })).sort((x, y) => x.key.localeCompare(y.key));
      expect(details).toEqual([
        { key: "a", owner: "alice", ttl: expect.any(Number) },
        { key: "b{*}", owner: "bob", ttl: expect.any(Number) },
      ]);
      expect(details[0].ttl).toBeGreaterThan(50_000);
      expect(details[0].ttl).toBeLessThanOrEqual(60_000);
      expect(details[1].ttl).toBeLessThanOrEqual(30_000);
      expect(await alice.locks({ details: false })).toEqual(expect.arrayContaining(["a", "b{*}"]));
    });

    test("refuses unknown options", async () => {
      expect((await rejectionOf(alice.locks({ detail: true } as never))).code).toBe("INVALID_OPTIONS");
    });
  });
};
