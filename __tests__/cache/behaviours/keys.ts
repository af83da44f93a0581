import { sleep } from "../../helpers/redis";
import type { Cache } from "../../../src/cache";
import { SPECIAL_KEYS, callbackResult, rejectionOf, type Behaviour } from "./world";

export const keysSizeClear: Behaviour = (world) => {
  let alice: Cache;
  let bob: Cache;
  beforeEach(() => {
    ({ alice, bob } = world);
  });

  describe("keys, size and clear", () => {
    test("keys() lists live objects only (not locks, not expired ones), optionally by scope prefix", async () => {
      await alice.save("user:1", 1);
      await alice.save("user:2", 2);
      await alice.save("session:1", 3);
      await alice.save("brief", 4, 30);
      await alice.lock("lock-only");
      await sleep(100);
      expect((await alice.keys()).sort()).toEqual(["session:1", "user:1", "user:2"]);
      expect((await bob.keys("user:")).sort()).toEqual(["user:1", "user:2"]);
      expect(await alice.keys("nothing-here")).toEqual([]);
      expect(await alice.size()).toBe(3);
    });

    test("scope prefixes with glob and brace characters match literally", async () => {
      for (const key of ["a*1", "a*2", "ab", "{x}1", "{x}2", "}y", "%7D", "%25z"]) await alice.save(key, key);
      expect((await alice.keys("a*")).sort()).toEqual(["a*1", "a*2"]);
      expect((await alice.keys("{x}")).sort()).toEqual(["{x}1", "{x}2"]);
      expect(await alice.keys("}")).toEqual(["}y"]);
      expect(await alice.keys("%7")).toEqual(["%7D"]);
      expect(await alice.keys("%2")).toEqual(["%25z"]);
    });

    test("clear() removes every object, and clear({ locks: true }) every lock too, keeping fencing tokens rising", async () => {
      await alice.save("a", 1);
      await bob.save("b", 2);
      const token = await bob.acquireLock("b");
      await alice.lock("c");
      expect(await alice.clear()).toBe(2);
      expect(await alice.keys()).toEqual([]);
      expect((await alice.locks()).sort()).toEqual(["b", "c"]);
      expect(await alice.clear({ locks: true })).toBe(2);
      expect(await alice.locks()).toEqual([]);
      expect(await alice.size()).toBe(0);
      expect(await alice.acquireLock("b")).toBeGreaterThan(token!);
    });

    test("calls next(null, result)", async () => {
      await alice.save("k", 1);
      expect(await callbackResult((next) => alice.keys(next))).toEqual([null, ["k"]]);
      expect(await callbackResult((next) => alice.keys("k", next))).toEqual([null, ["k"]]);
      expect(await callbackResult((next) => alice.size(next))).toEqual([null, 1]);
      expect(await callbackResult((next) => alice.clear(next))).toEqual([null, 1]);
    });

    test("keys() refuses a scope prefix that is not a string", async () => {
      expect((await rejectionOf(alice.keys(5 as never))).code).toBe("INVALID_KEY");
    });
  });

  describe("keys with glob, brace, unicode and control characters", () => {
    test.each(SPECIAL_KEYS.map((key) => [JSON.stringify(key), key]))("%s works with every method", async (_, key) => {
      await alice.save("neighbour", "untouched");
      await alice.save(key, { key });
      expect((await alice.load(key)).value).toEqual({ key });
      expect(await alice.lock(key)).toBe(true);
      expect(await bob.lock(key)).toBe(false);
      expect((await rejectionOf(bob.save(key, "x"))).code).toBe("LOCKED");
      expect(await alice.locks()).toEqual([key]);
      expect(await bob.checkLock("neighbour")).toBe(true);
      expect(await alice.unlock(key)).toBe(true);
      expect(await alice.locks()).toEqual([]);
      expect(await bob.destroy(key)).toBe(true);
      expect((await alice.load("neighbour")).value).toBe("untouched");
    });

    test("all of them locked at once come back from locks() exactly", async () => {
      for (const key of SPECIAL_KEYS) expect(await alice.lock(key)).toBe(true);
      expect((await bob.locks()).sort()).toEqual([...SPECIAL_KEYS].sort());
    });
  });
};
