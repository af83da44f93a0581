import { sleep } from "../../helpers/redis";
import type { Cache } from "../../../src/cache";
import { callbackResult, rejectionOf, type Behaviour } from "./world";

export const fetchBehaviour: Behaviour = (world) => {
  let alice: Cache;
  let bob: Cache;
  beforeEach(() => {
    ({ alice, bob } = world);
  });

  describe("fetch (single-flight read-through)", () => {
    test("returns the cached value without running the producer", async () => {
      await alice.save("k", { cached: true });
      const producer = jest.fn(() => ({ cached: false }));
      expect(await bob.fetch("k", producer)).toEqual({ cached: true });
      expect(producer).not.toHaveBeenCalled();
    });

    test("on a miss, runs the producer once for every concurrent caller of one owner, and saves with the TTL", async () => {
      let runs = 0;
      const producer = async () => {
        runs += 1;
        await sleep(50);
        return { made: runs };
      };
      const results = await Promise.all(
        Array.from({ length: 20 }, () => alice.fetch("k", producer, { expireTimeMS: 60_000 })),
      );
      expect(runs).toBe(1);
      expect(results).toEqual(Array(20).fill({ made: 1 }));
      const stored = await alice.load("k");
      expect(stored.value).toEqual({ made: 1 });
      expect(stored.expireTimestamp! - stored.createdAt).toBe(60_000);
      expect(await alice.locks()).toEqual([]);
    });

    test("callers of another owner wait for the producer's value instead of producing", async () => {
      let runs = 0;
      const producer = async () => {
        runs += 1;
        await sleep(100);
        return "value";
      };
      const first = alice.fetch("k", producer);
      await sleep(20);
      const others = await Promise.all([bob.fetch("k", producer), alice.withOwner("carol").fetch("k", producer)]);
      expect(await first).toBe("value");
      expect(others).toEqual(["value", "value"]);
      expect(runs).toBe(1);
    });

    test("a producer's error reaches its caller unchanged; a waiting owner then produces itself", async () => {
      const failure = new Error("backend down");
      const failing = async () => {
        await sleep(50);
        throw failure;
      };
      const first = alice.fetch("k", failing);
      await sleep(10);
      const waiter = bob.fetch("k", async () => "from bob");
      expect(await rejectionOf(first)).toBe(failure);
      expect(await waiter).toBe("from bob");
      expect(await alice.locks()).toEqual([]);
      expect((await alice.load("k")).value).toBe("from bob");
    });

    test("a waiter whose wait runs out gets LOCK_TIMEOUT", async () => {
      await alice.lock("k", 5_000);
      const error = await rejectionOf(bob.fetch("k", async () => "never", { lockTimeoutMS: 100 }));
      expect(error.code).toBe("LOCK_TIMEOUT");
      expect(error.message).toMatch(/lockTimeoutMS/);
    });

    test("bad arguments and unserializable results are refused, and the lock is released", async () => {
      expect((await rejectionOf(alice.fetch("k", "not a function" as never))).code).toBe("INVALID_OPTIONS");
      expect((await rejectionOf(alice.fetch("k", () => 1, { expireTimeMs: 5 } as never))).code).toBe("INVALID_OPTIONS");
      expect((await rejectionOf(alice.fetch("k", () => 1, { lockTimeoutMS: -1 }))).code).toBe("INVALID_TTL");
      expect((await rejectionOf(alice.fetch("k", () => undefined))).code).toBe("UNSERIALIZABLE_VALUE");
      expect(await alice.locks()).toEqual([]);
      expect(await alice.keys()).toEqual([]);
    });

    test("calls next(null, value)", async () => {
      expect(await callbackResult((next) => alice.fetch("k", () => 42, next))).toEqual([null, 42]);
      expect(await callbackResult((next) => alice.fetch("k", () => 0, { expireTimeMS: 1000 }, next))).toEqual([
        null,
        42,
      ]);
    });
  });
};
