import { Cache } from "../../../src/cache";
import { sleep } from "../../helpers/redis";
import { callbackResult, rejectionOf, type Behaviour, type ConformanceTarget } from "./world";

export const locks: Behaviour = (world) => {
  let alice: Cache;
  let bob: Cache;
  let target: ConformanceTarget;
  beforeEach(() => {
    ({ alice, bob, target } = world);
  });

  describe("lock", () => {
    test("resolves true when obtained, and false while anyone holds it, this owner included", async () => {
      expect(await alice.lock("k")).toBe(true);
      expect(await bob.lock("k")).toBe(false);
      expect(await alice.lock("k")).toBe(false);
    });

    test("a lock on one key does not lock another", async () => {
      await alice.lock("k1");
      expect(await bob.lock("k2")).toBe(true);
      await bob.save("k3", "free");
    });

    test("the TTL is honoured to the millisecond, not rounded up to seconds", async () => {
      // Checked through the remaining TTL, not by racing a short lock, so a stalled machine cannot flip it.
      expect(await alice.lock("k", 1_500)).toBe(true);
      const [held] = await bob.locks({ details: true });
      // Rounded up to whole seconds (actionhero's behaviour) it would be up to 2000.
      expect(held.ttl).toBeGreaterThan(1_000);
      expect(held.ttl).toBeLessThanOrEqual(1_500);
      // A 50 ms lock is gone well before a whole second: a stall only makes it more so.
      expect(await alice.lock("brief", 50)).toBe(true);
      await sleep(200);
      expect(await bob.lock("brief")).toBe(true);
    });

    test("locking again does not refresh the TTL: extendLock does", async () => {
      await alice.lock("k", 150);
      expect(await alice.lock("k", 60_000)).toBe(false);
      const [before] = await alice.locks({ details: true });
      expect(before.ttl).toBeLessThanOrEqual(150);
      expect(await alice.extendLock("k", 60_000)).toBe(true);
      const [after] = await alice.locks({ details: true });
      expect(after.ttl).toBeGreaterThan(50_000);
    });

    test("the default TTL is lockDuration", async () => {
      expect(alice.lockDuration).toBe(10_000);
      const configured = new Cache({ store: target.store, owner: "carol", lockDuration: 1_500 });
      expect(await configured.lock("k")).toBe(true);
      const [held] = await bob.locks({ details: true });
      expect(held).toMatchObject({ key: "k", owner: "carol" });
      expect(held.ttl).toBeGreaterThan(1_000);
      expect(held.ttl).toBeLessThanOrEqual(1_500);
    });

    test("calls next(null, true|false)", async () => {
      expect(await callbackResult((next) => alice.lock("k", next))).toEqual([null, true]);
      expect(await callbackResult((next) => bob.lock("k", 1000, next))).toEqual([null, false]);
    });

    test.each([0, -1, NaN, Infinity, "10"])("refuses a TTL of %p with INVALID_TTL and takes no lock", async (ttl) => {
      const error = await rejectionOf(alice.lock("k", ttl as number));
      expect(error.code).toBe("INVALID_TTL");
      expect(await alice.locks()).toEqual([]);
    });
  });

  describe("unlock", () => {
    test("removes this owner's lock and resolves true", async () => {
      await alice.lock("k");
      expect(await alice.unlock("k")).toBe(true);
      expect(await bob.lock("k")).toBe(true);
    });

    test("resolves false when there is no lock", async () => {
      expect(await alice.unlock("k")).toBe(false);
    });

    test("never removes another owner's lock", async () => {
      await bob.lock("k");
      expect(await alice.unlock("k")).toBe(false);
      expect(await alice.lock("k")).toBe(false);
      expect(await alice.locks()).toEqual(["k"]);
    });

    test("calls next(null, true|false)", async () => {
      await alice.lock("k");
      expect(await callbackResult((next) => alice.unlock("k", next))).toEqual([null, true]);
      expect(await callbackResult((next) => alice.unlock("k", next))).toEqual([null, false]);
    });
  });

  describe("checkLock", () => {
    test("true when unlocked or held by this owner, false when another owner holds it", async () => {
      expect(await alice.checkLock("k")).toBe(true);
      await alice.lock("k");
      expect(await alice.checkLock("k")).toBe(true);
      expect(await bob.checkLock("k")).toBe(false);
    });

    test("retry waits for the lock to clear", async () => {
      await bob.lock("k");
      setTimeout(() => void bob.unlock("k"), 60);
      expect(await alice.checkLock("k", 5_000)).toBe(true);
    });

    test("retry answers false once the budget runs out", async () => {
      await bob.lock("k", 10_000);
      const started = Date.now();
      expect(await alice.checkLock("k", 80)).toBe(false);
      expect(Date.now() - started).toBeGreaterThanOrEqual(75);
    });

    test("calls next(null, true|false)", async () => {
      await bob.lock("k");
      expect(await callbackResult((next) => alice.checkLock("k", next))).toEqual([null, false]);
      expect(await callbackResult((next) => bob.checkLock("k", 10, next))).toEqual([null, true]);
    });

    test("refuses a negative retry", async () => {
      expect((await rejectionOf(alice.checkLock("k", -5))).code).toBe("INVALID_TTL");
    });
  });

  describe("locks", () => {
    test("lists the user keys locked by any owner, and only those", async () => {
      expect(await alice.locks()).toEqual([]);
      await alice.lock("a");
      await bob.lock("b");
      await alice.lock("c");
      await alice.unlock("c");
      await alice.save("unlocked-object", 1);
      expect((await alice.locks()).sort()).toEqual(["a", "b"]);
    });

    test("leaves out expired locks", async () => {
      await alice.lock("brief", 30);
      await alice.lock("long", 60_000);
      await sleep(100);
      expect(await bob.locks()).toEqual(["long"]);
    });

    test("calls next(null, keys)", async () => {
      await alice.lock("k");
      expect(await callbackResult((next) => alice.locks(next))).toEqual([null, ["k"]]);
    });
  });

  describe("guarded writes (requireLock)", () => {
    test("save and destroy succeed while this owner holds the lock", async () => {
      await alice.lock("k");
      await expect(alice.save("k", "v", { requireLock: true, expireTimeMS: 60_000 })).resolves.toBe(true);
      const loaded = await alice.load("k");
      expect(loaded.expireTimestamp).toBe(loaded.createdAt + 60_000);
      await expect(alice.destroy("k", { requireLock: true })).resolves.toBe(true);
    });

    test("are refused with LOCK_NOT_HELD when nobody holds the lock, and nothing changes", async () => {
      await alice.save("k", "original");
      const error = await rejectionOf(alice.save("k", "changed", { requireLock: true }));
      expect(error.code).toBe("LOCK_NOT_HELD");
      expect(error.message).toBe("Lock not held by this owner");
      expect((await rejectionOf(alice.destroy("k", { requireLock: true }))).code).toBe("LOCK_NOT_HELD");
      expect((await alice.load("k")).value).toBe("original");
    });

    test("a holder whose lock expired can never overwrite the next holder's work", async () => {
      await alice.lock("k", 40);
      await sleep(100);
      await bob.lock("k");
      await bob.save("k", "bob's", { requireLock: true });
      await bob.unlock("k");
      expect((await rejectionOf(alice.save("k", "stale alice", { requireLock: true }))).code).toBe("LOCK_NOT_HELD");
      expect((await rejectionOf(alice.destroy("k", { requireLock: true }))).code).toBe("LOCK_NOT_HELD");
      expect((await alice.load("k")).value).toBe("bob's");
    });

    test("another owner's lock refuses them with LOCK_NOT_HELD too", async () => {
      await bob.lock("k");
      expect((await rejectionOf(alice.save("k", "v", { requireLock: true }))).code).toBe("LOCK_NOT_HELD");
    });

    test.each([
      ["save", () => alice.save("k", "v", { requireLock: "yes" } as never)],
      ["save", () => alice.save("k", "v", { requireLok: true } as never)],
      ["destroy", () => alice.destroy("k", { requireLock: 1 } as never)],
    ])("%s refuses malformed options with INVALID_OPTIONS", async (_, call) => {
      expect((await rejectionOf(call())).code).toBe("INVALID_OPTIONS");
    });
  });
};
