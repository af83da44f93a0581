import { CacheError } from "../../../src/cache";
import { sleep } from "../../helpers/redis";
import type { Cache } from "../../../src/cache";
import { callbackResult, rejectionOf, type Behaviour, type ConformanceTarget } from "./world";

export const loadAndDestroy: Behaviour = (world) => {
  let alice: Cache;
  let bob: Cache;
  let target: ConformanceTarget;
  beforeEach(() => {
    ({ alice, bob, target } = world);
  });

  describe("load", () => {
    test("resolves key, value, expireTimestamp, createdAt and readAt", async () => {
      await alice.save("k", { v: 1 }, 30_000);
      const loaded = await alice.load("k");
      expect(Object.keys(loaded).sort()).toEqual(["createdAt", "expireTimestamp", "key", "readAt", "value"]);
      expect(loaded).toEqual({
        key: "k",
        value: { v: 1 },
        createdAt: expect.any(Number),
        expireTimestamp: loaded.createdAt + 30_000,
        readAt: null,
      });
    });

    test("readAt is the time of the previous load; every load records its own", async () => {
      await alice.save("k", "v");
      const first = await alice.load("k");
      await sleep(5);
      const before = await target.now();
      const second = await bob.load("k");
      const after = await target.now();
      await sleep(5);
      const third = await alice.load("k");
      expect(first.readAt).toBeNull();
      expect(second.readAt).not.toBeNull();
      expect(second.readAt!).toBeGreaterThanOrEqual(first.createdAt);
      expect(second.readAt!).toBeLessThan(before);
      expect(third.readAt!).toBeGreaterThanOrEqual(before);
      expect(third.readAt!).toBeLessThanOrEqual(after);
    });

    test("calls next(null, value, expireTimestamp, createdAt, readAt)", async () => {
      await alice.save("k", [1, 2], 10_000);
      const [error, value, expireTimestamp, createdAt, readAt] = await callbackResult((next) => alice.load("k", next));
      expect(error).toBeNull();
      expect(value).toEqual([1, 2]);
      expect(expireTimestamp).toBe((createdAt as number) + 10_000);
      expect(readAt).toBeNull();
      const [, , , , secondReadAt] = await callbackResult((next) => alice.load("k", {}, next));
      expect(typeof secondReadAt).toBe("number");
    });

    test("a missing key rejects with NOT_FOUND, and the callback gets (err, null, null, null, null)", async () => {
      const error = await rejectionOf(alice.load("missing"));
      expect(error).toBeInstanceOf(CacheError);
      expect(error.code).toBe("NOT_FOUND");
      expect(error.message).toBe("Object not found");
      const args = await callbackResult((next) => alice.load("missing", next));
      expect(args).toHaveLength(5);
      expect((args[0] as CacheError).code).toBe("NOT_FOUND");
      expect(args.slice(1)).toEqual([null, null, null, null]);
    });

    test("expireTimeMS resets the expiry from the time of the read", async () => {
      await alice.save("k", "v", 300);
      const before = await target.now();
      const loaded = await alice.load("k", { expireTimeMS: 60_000 });
      const after = await target.now();
      expect(loaded.expireTimestamp!).toBeGreaterThanOrEqual(before + 60_000);
      expect(loaded.expireTimestamp!).toBeLessThanOrEqual(after + 60_000);
      await sleep(500);
      const later = await alice.load("k");
      expect(later.value).toBe("v");
      expect(later.expireTimestamp).toBe(loaded.expireTimestamp);
    });

    test("expireTimeMS gives a never-expiring object an expiry", async () => {
      await alice.save("k", "v");
      await alice.load("k", { expireTimeMS: 40 });
      await sleep(120);
      expect((await rejectionOf(alice.load("k"))).code).toBe("NOT_FOUND");
    });

    test("a key locked by another owner rejects with LOCKED", async () => {
      await alice.save("k", "v");
      await bob.lock("k");
      const error = await rejectionOf(alice.load("k"));
      expect(error.code).toBe("LOCKED");
      expect(error.message).toBe("Object locked");
      expect((await bob.load("k")).value).toBe("v");
    });

    test("a refused load does not count as a read", async () => {
      await alice.save("k", "v");
      await bob.lock("k");
      await rejectionOf(alice.load("k"));
      await bob.unlock("k");
      expect((await alice.load("k")).readAt).toBeNull();
    });

    test("retry waits for another owner's lock to clear", async () => {
      await alice.save("k", "v");
      await bob.lock("k");
      setTimeout(() => void bob.unlock("k"), 60);
      const loaded = await alice.load("k", { retry: 5_000 });
      expect(loaded.value).toBe("v");
    });

    test("retry gives up with LOCKED when the lock stays", async () => {
      await alice.save("k", "v");
      await bob.lock("k", 10_000);
      const started = Date.now();
      const error = await rejectionOf(alice.load("k", { retry: 80 }));
      expect(error.code).toBe("LOCKED");
      expect(Date.now() - started).toBeGreaterThanOrEqual(75);
    });

    test("retry also outlasts a lock that expires", async () => {
      await alice.save("k", "v");
      await bob.lock("k", 50);
      expect((await alice.load("k", { retry: 5_000 })).value).toBe("v");
    });

    test.each([
      ["an unknown option", { expireTimeMs: 100 }, "INVALID_OPTIONS", /unknown field\(s\) "expireTimeMs"/],
      ["options that are a number", 5, "INVALID_OPTIONS", /load options must be an object/],
      ["options that are an array", [], "INVALID_OPTIONS", /load options must be an object/],
      ["a zero expireTimeMS", { expireTimeMS: 0 }, "INVALID_TTL", /options.expireTimeMS/],
      ["a NaN expireTimeMS", { expireTimeMS: NaN }, "INVALID_TTL", /options.expireTimeMS/],
      ["a negative retry", { retry: -1 }, "INVALID_TTL", /options.retry/],
      ["a string retry", { retry: "100" }, "INVALID_TTL", /options.retry/],
    ])("refuses %s and changes nothing", async (_, options, code, message) => {
      await alice.save("k", "v", 60_000);
      const error = await rejectionOf(alice.load("k", options as never));
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
      const after = await alice.load("k");
      expect(after.readAt).toBeNull();
      expect(after.expireTimestamp).toBe(after.createdAt + 60_000);
    });

    test("never brings back an old value over a concurrent save (actionhero issue 2540)", async () => {
      await alice.save("k", -1);
      for (let round = 0; round < 50; round++) {
        const loads = [alice.load("k"), bob.load("k"), alice.load("k", { expireTimeMS: 10_000 })];
        const save = alice.save("k", round);
        await Promise.all([...loads, save]);
        expect((await bob.load("k")).value).toBe(round);
      }
    });
  });

  describe("destroy", () => {
    test("resolves true when the object existed, then false", async () => {
      await alice.save("k", "v");
      expect(await alice.destroy("k")).toBe(true);
      expect(await alice.destroy("k")).toBe(false);
      expect((await rejectionOf(alice.load("k"))).code).toBe("NOT_FOUND");
    });

    test("an expired object counts as not found", async () => {
      await alice.save("k", "v", 30);
      await sleep(100);
      expect(await alice.destroy("k")).toBe(false);
    });

    test("calls next(null, true|false)", async () => {
      await alice.save("k", "v");
      expect(await callbackResult((next) => alice.destroy("k", next))).toEqual([null, true]);
      expect(await callbackResult((next) => alice.destroy("k", next))).toEqual([null, false]);
    });

    test("rejects with LOCKED while another owner holds the lock, and the object stays", async () => {
      await alice.save("k", "v");
      await bob.lock("k");
      const error = await rejectionOf(alice.destroy("k"));
      expect(error.code).toBe("LOCKED");
      expect((await bob.load("k")).value).toBe("v");
      expect(await bob.destroy("k")).toBe(true);
    });

    test("refuses a bad key", async () => {
      expect((await rejectionOf(alice.destroy(""))).code).toBe("INVALID_KEY");
    });
  });
};
