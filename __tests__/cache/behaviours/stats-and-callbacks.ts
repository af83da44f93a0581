import { CacheError } from "../../../src/cache";
import { sleep } from "../../helpers/redis";
import type { Cache } from "../../../src/cache";
import { callbackResult, rejectionOf, type Behaviour, type ConformanceTarget } from "./world";

export const statsAndCallbacks: Behaviour = (world) => {
  let alice: Cache;
  let bob: Cache;
  let target: ConformanceTarget;
  beforeEach(() => {
    ({ alice, bob, target } = world);
  });

  describe("stats and status", () => {
    test("count saves, loads, hits, misses, lock waits and failures, and errors by code", async () => {
      await alice.save("k", 1);
      await alice.load("k");
      await rejectionOf(alice.load("missing"));
      await bob.lock("held", 100);
      expect(await alice.lock("held")).toBe(false);
      expect(await alice.lock("held", { retry: 2_000 })).toBe(true);
      await rejectionOf(alice.save("", 1));
      expect(alice.stats()).toEqual({
        saves: 1,
        loads: 2,
        hits: 1,
        misses: 1,
        lockWaits: expect.any(Number),
        lockFailures: 1,
        readOnlyLoads: 0,
        errors: { NOT_FOUND: 1, INVALID_KEY: 1 },
        nearCache: {
          enabled: false,
          live: false,
          entries: 0,
          bytes: 0,
          hits: 0,
          misses: 0,
          invalidations: 0,
          evictions: 0,
          graceHits: 0,
        },
      });
      expect(alice.stats().lockWaits).toBeGreaterThanOrEqual(1);
      expect(bob.stats().saves).toBe(0);
    });

    test("status() reports store kind, connection, owner and the locks this owner holds", async () => {
      await alice.lock("a");
      await alice.lock("b");
      await bob.lock("c");
      expect(await alice.status()).toEqual({
        store: target.store.kind,
        connection: "ready",
        owner: "alice",
        stats: alice.stats(),
        locksHeld: 2,
      });
    });
  });

  describe("callbacks", () => {
    test("a failing call with a callback never surfaces an unhandled rejection", async () => {
      const unhandled: unknown[] = [];
      const listener = (reason: unknown) => unhandled.push(reason);
      process.on("unhandledRejection", listener);
      try {
        const results = await Promise.all([
          callbackResult((next) => alice.load("missing", next)),
          callbackResult((next) => alice.save("", "v", next)),
          callbackResult((next) => alice.save("k", undefined, 100, next)),
          callbackResult((next) => alice.lock("k", -1, next)),
          callbackResult((next) => alice.checkLock("k", "x" as never, next)),
          callbackResult((next) => alice.destroy(7 as never, next)),
          callbackResult((next) => alice.unlock(null as never, next)),
        ]);
        expect(results.map(([error]) => (error as CacheError).code)).toEqual([
          "NOT_FOUND",
          "INVALID_KEY",
          "UNSERIALIZABLE_VALUE",
          "INVALID_TTL",
          "INVALID_TTL",
          "INVALID_KEY",
          "INVALID_KEY",
        ]);
        await sleep(20);
        expect(unhandled).toEqual([]);
      } finally {
        process.off("unhandledRejection", listener);
      }
    });

    test("invalid calls never throw synchronously", () => {
      const calls = [
        () => alice.save(undefined as never, undefined),
        () => alice.load(undefined as never, 5 as never),
        () => alice.lock({} as never),
        () => alice.checkLock([] as never),
      ];
      for (const call of calls) {
        let promise: Promise<unknown> | undefined;
        expect(() => {
          promise = call();
        }).not.toThrow();
        promise!.catch(() => undefined);
      }
    });
  });
};
