import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Cache, CacheError } from "../../src/cache";
import { sleep } from "../helpers/redis";
import { lockExclusion } from "./behaviours/lock-exclusion";
import { parity } from "./behaviours/parity";
import { callbackResult, rejectionOf, type ConformanceTarget, type World } from "./behaviours/world";

export type { ConformanceTarget } from "./behaviours/world";

export const SPECIAL_KEYS = [
  "*",
  "?",
  "[a-z]",
  "a*b?c[d]",
  "{",
  "}",
  "}x",
  "{tag}",
  "a}b{c}",
  "%7D",
  "%25}",
  "back\\slash",
  "ключ-🔑-鍵",
  "line\nbreak\ttab",
  " leading and trailing ",
];

/**
 * The one suite every store must pass. Cases use two caches with different owners on the same store,
 * the way two actionhero servers share one Redis.
 */
export function runConformanceSuite(storeName: string, createTarget: () => Promise<ConformanceTarget>): void {
  describe(`cache conformance: ${storeName}`, () => {
    let target: ConformanceTarget;
    let alice: Cache;
    let bob: Cache;

    const world = {} as World;

    beforeEach(async () => {
      target = await createTarget();
      alice = new Cache({ store: target.store, owner: "alice" });
      bob = alice.withOwner("bob");
      Object.assign(world, { target, alice, bob });
    });

    lockExclusion(world);
    parity(world);

    afterEach(async () => {
      await target.cleanup();
    });

    describe("save", () => {
      test("resolves true, and true again when it overwrites", async () => {
        await expect(alice.save("k", "v1")).resolves.toBe(true);
        await expect(alice.save("k", "v2")).resolves.toBe(true);
        expect((await alice.load("k")).value).toBe("v2");
      });

      test("calls next(null, true), including on overwrite", async () => {
        expect(await callbackResult((next) => alice.save("k", "v", next))).toEqual([null, true]);
        expect(await callbackResult((next) => alice.save("k", "v2", 1000, next))).toEqual([null, true]);
        expect((await alice.load("k")).value).toBe("v2");
      });

      test("without a TTL, or with null, the object never expires", async () => {
        await alice.save("a", 1);
        await alice.save("b", 2, null);
        await alice.save("c", 3, undefined);
        for (const key of ["a", "b", "c"]) expect((await alice.load(key)).expireTimestamp).toBeNull();
      });

      test("a TTL sets expireTimestamp to createdAt + TTL, on the store's clock", async () => {
        const before = await target.now();
        await alice.save("k", "v", 60_000);
        const after = await target.now();
        const loaded = await alice.load("k");
        expect(loaded.createdAt).toBeGreaterThanOrEqual(before);
        expect(loaded.createdAt).toBeLessThanOrEqual(after);
        expect(loaded.expireTimestamp).toBe(loaded.createdAt + 60_000);
      });

      test("fractional TTLs are rounded up to a whole millisecond", async () => {
        await alice.save("k", "v", 1500.2);
        const loaded = await alice.load("k");
        expect(loaded.expireTimestamp).toBe(loaded.createdAt + 1501);
      });

      test("an object is gone after its TTL", async () => {
        await alice.save("short", "v", 40);
        await alice.save("long", "v", 60_000);
        await sleep(120);
        expect((await rejectionOf(alice.load("short"))).code).toBe("NOT_FOUND");
        expect((await alice.load("long")).value).toBe("v");
      });

      test("overwriting replaces the value, createdAt, the expiry and readAt", async () => {
        await alice.save("k", "old", 60_000);
        await alice.load("k");
        const first = await alice.load("k");
        expect(first.readAt).not.toBeNull();
        await sleep(5);
        await alice.save("k", "new");
        const second = await alice.load("k");
        expect(second.value).toBe("new");
        expect(second.createdAt).toBeGreaterThan(first.createdAt);
        expect(second.expireTimestamp).toBeNull();
        expect(second.readAt).toBeNull();
      });

      test("an overwrite with a TTL gives a never-expiring object an expiry", async () => {
        await alice.save("k", "old");
        await alice.save("k", "new", 40);
        await sleep(120);
        expect((await rejectionOf(alice.load("k"))).code).toBe("NOT_FOUND");
      });

      test("is refused with LOCKED while another owner holds the lock, and nothing is written", async () => {
        await alice.save("k", "original");
        expect(await bob.lock("k")).toBe(true);
        const error = await rejectionOf(alice.save("k", "changed"));
        expect(error).toBeInstanceOf(CacheError);
        expect(error.code).toBe("LOCKED");
        expect(error.message).toBe("Object locked");
        expect(await bob.unlock("k")).toBe(true);
        expect((await alice.load("k")).value).toBe("original");
      });

      test("a refused save of a new key leaves it absent", async () => {
        await bob.lock("fresh");
        expect((await rejectionOf(alice.save("fresh", "v"))).code).toBe("LOCKED");
        await bob.unlock("fresh");
        expect((await rejectionOf(alice.load("fresh"))).code).toBe("NOT_FOUND");
      });

      test("the lock holder itself may save", async () => {
        await alice.lock("k");
        await expect(alice.save("k", "mine")).resolves.toBe(true);
        expect((await alice.load("k")).value).toBe("mine");
      });

      test.each([
        ["an empty key", "", "INVALID_KEY"],
        ["a number key", 42, "INVALID_KEY"],
        ["a null key", null, "INVALID_KEY"],
        ["an undefined key", undefined, "INVALID_KEY"],
        ["an object key", { a: 1 }, "INVALID_KEY"],
        ["a key with a lone surrogate", "bad\uD800key", "INVALID_KEY"],
        ["a key over the length limit", "k".repeat(4097), "INVALID_KEY"],
      ])("refuses %s with %s before writing anything", async (_, key, code) => {
        const error = await rejectionOf(alice.save(key as string, "v"));
        expect(error).toBeInstanceOf(CacheError);
        expect(error.code).toBe(code);
        expect(error.message).toMatch(/key/);
        // Nothing was written under any key.
        expect(await alice.keys()).toEqual([]);
        expect(await alice.size()).toBe(0);
      });

      test.each([
        ["0", 0],
        ["a negative TTL", -5],
        ["NaN", NaN],
        ["Infinity", Infinity],
        ["-Infinity", -Infinity],
        ["a string", "1000"],
        ["a boolean", true],
        ["an array", [1000]],
        ["more than 100 years", 4e12],
      ])("refuses a TTL of %s with INVALID_TTL and leaves the old value", async (_, ttl) => {
        await alice.save("k", "old");
        const error = await rejectionOf(alice.save("k", "new", ttl as number));
        expect(error.code).toBe("INVALID_TTL");
        expect(error.message).toMatch(/expireTimeMS must be a positive number of milliseconds/);
        const loaded = await alice.load("k");
        expect(loaded.value).toBe("old");
        expect(loaded.expireTimestamp).toBeNull();
      });

      test.each([
        ["a string", "hello"],
        ["an empty string", ""],
        ["a unicode string", "ключ 🔑 \n\t\u0000 \uD83D\uDE00"],
        ["zero", 0],
        ["a negative float", -12.5],
        ["a large integer", Number.MAX_SAFE_INTEGER],
        ["true", true],
        ["false", false],
        ["null", null],
        ["an empty array", []],
        ["an empty object", {}],
        ["a nested structure", { a: [1, "two", { three: [null, true] }], b: { c: { d: "e" } } }],
        ["an object with an own __proto__ key", JSON.parse('{"__proto__": {"polluted": true}, "x": 1}')],
        ["an object without a prototype", Object.assign(Object.create(null), { a: 1 })],
        [
          "a shared (not circular) reference",
          (() => {
            const shared = { s: 1 };
            return { a: shared, b: shared };
          })(),
        ],
      ])("round-trips %s exactly", async (_, value) => {
        await alice.save("k", value);
        expect((await alice.load("k")).value).toEqual(value);
        expect(JSON.stringify((await alice.load("k")).value)).toBe(JSON.stringify(value));
      });

      test("a loaded value is a copy: mutating it or the saved original changes nothing cached", async () => {
        const original = { list: [1, 2] };
        await alice.save("k", original);
        original.list.push(3);
        const loaded = (await alice.load("k")).value as { list: number[] };
        loaded.list.push(4);
        expect((await alice.load("k")).value).toEqual({ list: [1, 2] });
      });

      test("objects with toJSON are stored as JSON stores them (a Date becomes its ISO string)", async () => {
        const date = new Date("2026-01-02T03:04:05.678Z");
        await alice.save("k", { at: date });
        expect((await alice.load("k")).value).toEqual({ at: "2026-01-02T03:04:05.678Z" });
      });

      const circular: Record<string, unknown> = { name: "loop" };
      circular.self = circular;
      test.each([
        ["undefined", undefined, /value is undefined/],
        ["a function", () => 1, /value is a function/],
        ["a symbol", Symbol("s"), /value is a symbol/],
        ["a BigInt", BigInt(10), /value is a BigInt/],
        ["NaN", NaN, /value is NaN/],
        ["Infinity", Infinity, /value is Infinity/],
        ["a circular structure", circular, /circular/],
        ["an undefined in an array", [1, undefined], /value\[1\] is undefined/],
        // eslint-disable-next-line no-sparse-arrays -- the hole is what this case is about
        ["a sparse array", [1, , 3], /sparse/],
        ["a nested function", { f: () => 1 }, /value\["f"\] is a function/],
        ["a Map", new Map([["a", 1]]), /Map instance/],
        [
          "a class instance",
          new (class Point {
            x = 1;
          })(),
          /Point instance/,
        ],
        ["a symbol-keyed property", { [Symbol("s")]: 1 }, /symbol-keyed/],
        ["a structure nested too deeply", JSON.parse("[".repeat(300) + "]".repeat(300)), /nested deeper/],
      ])("refuses %s with UNSERIALIZABLE_VALUE and writes nothing", async (_, value, message) => {
        await alice.save("k", "old");
        const error = await rejectionOf(alice.save("k", value));
        expect(error).toBeInstanceOf(CacheError);
        expect(error.code).toBe("UNSERIALIZABLE_VALUE");
        expect(error.message).toMatch(message);
        expect((await alice.load("k")).value).toBe("old");
      });

      test("refuses a value over maxValueBytes with TOO_LARGE and writes nothing", async () => {
        const small = new Cache({ store: target.store, owner: "alice", maxValueBytes: 100 });
        await expect(small.save("k", "x".repeat(98))).resolves.toBe(true);
        const error = await rejectionOf(small.save("k", "é".repeat(60)));
        expect(error.code).toBe("TOO_LARGE");
        expect(error.message).toMatch(/122 bytes of JSON; the limit is 100 bytes/);
        expect((await small.load("k")).value).toBe("x".repeat(98));
      });

      test("a function as the value is refused, not mistaken for a callback", async () => {
        const error = await rejectionOf(alice.save("k", () => 1));
        expect(error.code).toBe("UNSERIALIZABLE_VALUE");
      });
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
        const [error, value, expireTimestamp, createdAt, readAt] = await callbackResult((next) =>
          alice.load("k", next),
        );
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
        expect(await alice.lock("k", 250)).toBe(true);
        expect(await bob.lock("k")).toBe(false);
        // Rounded up to a whole second (actionhero's behaviour), the lock would still be held here.
        await sleep(600);
        expect(await bob.lock("k")).toBe(true);
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
        const brief = new Cache({ store: target.store, owner: "carol", lockDuration: 250 });
        expect(await brief.lock("k")).toBe(true);
        expect(await bob.lock("k")).toBe(false);
        await sleep(600);
        expect(await bob.lock("k")).toBe(true);
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
            await sleep(1000);
            return { aborted: signal.aborted, othersLocked: !(await bob.lock("k")) };
          },
          { expireTimeMS: 300 },
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

    describe("lists: push, pop, listLength", () => {
      test("pop takes items first in, first out, and resolves null once the list is empty", async () => {
        expect(await alice.push("q", { n: 1 })).toBe(1);
        expect(await bob.push("q", "two")).toBe(2);
        expect(await alice.push("q", [3])).toBe(3);
        expect(await alice.listLength("q")).toBe(3);
        expect(await bob.pop("q")).toEqual({ n: 1 });
        expect(await alice.pop("q")).toBe("two");
        expect(await alice.pop("q")).toEqual([3]);
        expect(await alice.pop("q")).toBeNull();
        expect(await alice.listLength("q")).toBe(0);
        expect(await alice.listLength("never-pushed")).toBe(0);
      });

      test("a key's list and its object are separate; keys() and size() count objects", async () => {
        await alice.save("k", "object");
        await alice.push("k", "item");
        expect((await alice.load("k")).value).toBe("object");
        expect(await alice.pop("k")).toBe("item");
        await alice.push("only-a-list", 1);
        expect(await alice.keys()).toEqual(["k"]);
        expect(await alice.size()).toBe(1);
      });

      test("another owner's lock refuses push, pop and listLength; the holder may use them", async () => {
        await alice.push("q", 1);
        await alice.lock("q");
        for (const refused of [bob.push("q", 2), bob.pop("q"), bob.listLength("q")]) {
          expect((await rejectionOf(refused)).code).toBe("LOCKED");
        }
        expect(await alice.push("q", 2)).toBe(2);
        expect(await alice.pop("q")).toBe(1);
        await alice.unlock("q");
        expect(await bob.pop("q")).toBe(2);
      });

      test("requireLock: push and pop succeed only while this owner holds the lock", async () => {
        expect((await rejectionOf(alice.push("q", 1, { requireLock: true }))).code).toBe("LOCK_NOT_HELD");
        expect((await rejectionOf(alice.pop("q", { requireLock: true }))).code).toBe("LOCK_NOT_HELD");
        expect(await alice.listLength("q")).toBe(0);
        await alice.lock("q");
        expect(await alice.push("q", 1, { requireLock: true })).toBe(1);
        expect(await alice.pop("q", { requireLock: true })).toBe(1);
      });

      test("items are validated like values, and a refused item changes nothing", async () => {
        await alice.push("q", "kept");
        expect((await rejectionOf(alice.push("q", undefined))).code).toBe("UNSERIALIZABLE_VALUE");
        expect((await rejectionOf(alice.push("q", () => 1))).code).toBe("UNSERIALIZABLE_VALUE");
        expect((await rejectionOf(alice.push("", 1))).code).toBe("INVALID_KEY");
        expect((await rejectionOf(alice.pop("q", { requireLok: true } as never))).code).toBe("INVALID_OPTIONS");
        expect(await alice.listLength("q")).toBe(1);
      });

      test("clear() removes lists too", async () => {
        await alice.push("q", 1);
        await alice.push("r", 1);
        expect(await alice.clear()).toBe(2);
        expect(await alice.listLength("q")).toBe(0);
      });

      test("callbacks get next(null, result)", async () => {
        expect(await callbackResult((next) => alice.push("q", "a", next))).toEqual([null, 1]);
        expect(await callbackResult((next) => alice.listLength("q", next))).toEqual([null, 1]);
        expect(await callbackResult((next) => alice.pop("q", next))).toEqual([null, "a"]);
        expect(await callbackResult((next) => alice.pop("q", next))).toEqual([null, null]);
      });
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
        expect((await rejectionOf(alice.fetch("k", () => 1, { expireTimeMs: 5 } as never))).code).toBe(
          "INVALID_OPTIONS",
        );
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

    describe("dumpWrite and dumpRead", () => {
      let dir: string;
      beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ah-cache-dump-"));
      });
      afterEach(() => {
        fs.rmSync(dir, { recursive: true, force: true });
      });

      test("a round trip keeps values, createdAt, readAt, expiry instants and lists; the dump is not a read", async () => {
        await alice.save("forever", { nested: ["v", 1, null] });
        await alice.save("brief", "soon gone", 60_000);
        await alice.load("brief");
        await alice.push("queue", "first");
        await alice.push("queue", { second: true });
        const before = [await peek("forever"), await peek("brief")];
        const file = path.join(dir, "dump.jsonl");
        expect(await alice.dumpWrite(file)).toBe(3);
        const lines = fs.readFileSync(file, "utf8").trimEnd().split("\n");
        expect(lines).toHaveLength(5);
        expect(JSON.parse(lines[4])).toEqual({ end: true, entries: 3 });

        await alice.clear();
        await alice.save("stray", "removed by replace");
        expect(await bob.dumpRead(file)).toEqual({ restored: 3, expired: 0, locked: 0 });
        expect((await alice.keys()).sort()).toEqual(["brief", "forever"]);
        expect([await peek("forever"), await peek("brief")]).toEqual(before);
        expect(await alice.pop("queue")).toBe("first");
        expect(await alice.pop("queue")).toEqual({ second: true });
      });

      /** The object as load() would show it, without recording a read: through a dump of its own. */
      async function peek(key: string) {
        const file = path.join(dir, `peek-${key}.jsonl`);
        await alice.dumpWrite(file);
        const line = fs
          .readFileSync(file, "utf8")
          .split("\n")
          .find((text) => text.startsWith(`{"key":${JSON.stringify(key)},`));
        return JSON.parse(line!);
      }

      test("merge keeps what is there, overwrites what the dump holds, and skips locked keys and expired objects", async () => {
        await alice.save("a", "from dump");
        await alice.save("b", "from dump");
        await alice.save("c", "short", 50);
        const file = path.join(dir, "dump.jsonl");
        await alice.dumpWrite(file);
        await alice.save("a", "changed since");
        await alice.save("d", "not in the dump");
        await bob.lock("b");
        await sleep(100);
        expect(await alice.dumpRead(file, { mode: "merge" })).toEqual({ restored: 1, expired: 1, locked: 1 });
        expect((await alice.load("a")).value).toBe("from dump");
        expect((await alice.load("d")).value).toBe("not in the dump");
        expect((await bob.load("b")).value).toBe("from dump");
        expect((await rejectionOf(alice.load("c"))).code).toBe("NOT_FOUND");
      });

      test("a truncated dump is refused, naming the line, and nothing changes", async () => {
        for (let i = 0; i < 5; i += 1) await alice.save(`k${i}`, i);
        const file = path.join(dir, "dump.jsonl");
        await alice.dumpWrite(file);
        const text = fs.readFileSync(file, "utf8");
        await alice.clear();
        await alice.save("survivor", true);

        const cutMidLine = path.join(dir, "cut.jsonl");
        const lines = text.split("\n");
        fs.writeFileSync(cutMidLine, lines.slice(0, 3).join("\n") + "\n" + lines[3].slice(0, 12));
        const midLine = await rejectionOf(alice.dumpRead(cutMidLine));
        expect(midLine.code).toBe("INVALID_DUMP");
        expect(midLine.message).toMatch(/cut\.jsonl line 4: not valid JSON/);

        const cutAtLine = path.join(dir, "cut-at-line.jsonl");
        fs.writeFileSync(cutAtLine, lines.slice(0, 4).join("\n") + "\n");
        const atLine = await rejectionOf(alice.dumpRead(cutAtLine, { mode: "merge" }));
        expect(atLine.code).toBe("INVALID_DUMP");
        expect(atLine.message).toMatch(
          /line 4: the file ends without its closing line after 3 entries: it is truncated/,
        );

        expect(await alice.keys()).toEqual(["survivor"]);
      });

      test.each([
        ["not a dump", '{"hello":1}\n', /line 1: not an ah-cache-plugin dump/],
        ["empty", "", /line 1: the file is empty/],
        [
          "bad entry",
          '{"format":"ah-cache-plugin/dump","version":1}\n{"key":"","value":1,"createdAt":1,"readAt":null,"expireTimestamp":null}\n',
          /line 2: key must not be empty/,
        ],
        [
          "bad timestamp",
          '{"format":"ah-cache-plugin/dump","version":1}\n{"key":"k","value":1,"createdAt":"yesterday","readAt":null,"expireTimestamp":null}\n',
          /line 2: createdAt must be a timestamp/,
        ],
        [
          "wrong count",
          '{"format":"ah-cache-plugin/dump","version":1}\n{"end":true,"entries":2}\n',
          /line 2: the closing line.s count does not match the 0 entries the file holds/,
        ],
        [
          "after the end",
          '{"format":"ah-cache-plugin/dump","version":1}\n{"end":true,"entries":0}\n{"list":"q","items":[]}\n',
          /line 3: text after the closing line/,
        ],
      ])("a corrupt dump (%s) is refused with INVALID_DUMP naming the line", async (_, contents, message) => {
        await alice.save("survivor", true);
        const file = path.join(dir, "bad.jsonl");
        fs.writeFileSync(file, contents);
        const error = await rejectionOf(alice.dumpRead(file));
        expect(error.code).toBe("INVALID_DUMP");
        expect(error.message).toMatch(message);
        expect(await alice.keys()).toEqual(["survivor"]);
      });

      test("a missing file, a bad mode and a bad path are clear errors", async () => {
        expect((await rejectionOf(alice.dumpRead(path.join(dir, "absent.jsonl")))).code).toBe("INVALID_DUMP");
        expect((await rejectionOf(alice.dumpRead(path.join(dir, "x"), { mode: "append" } as never))).code).toBe(
          "INVALID_OPTIONS",
        );
        expect((await rejectionOf(alice.dumpWrite(path.join(dir, "no", "such", "dir.jsonl")))).code).toBe(
          "INVALID_OPTIONS",
        );
        expect((await rejectionOf(alice.dumpWrite(""))).code).toBe("INVALID_OPTIONS");
        expect(fs.readdirSync(dir)).toEqual([]);
      });

      test("progress is reported, and callbacks get next(null, result)", async () => {
        for (let i = 0; i < 3; i += 1) await alice.save(`k${i}`, i);
        const file = path.join(dir, "dump.jsonl");
        const progress: number[] = [];
        expect(
          await callbackResult((next) => alice.dumpWrite(file, { onProgress: (n) => progress.push(n) }, next)),
        ).toEqual([null, 3]);
        expect(progress[progress.length - 1]).toBe(3);
        expect(await callbackResult((next) => alice.dumpRead(file, next))).toEqual([
          null,
          { restored: 3, expired: 0, locked: 0 },
        ]);
      });

      test("special keys survive a round trip", async () => {
        for (const key of SPECIAL_KEYS) await alice.save(key, key);
        const file = path.join(dir, "dump.jsonl");
        await alice.dumpWrite(file);
        await alice.clear();
        expect((await alice.dumpRead(file)).restored).toBe(SPECIAL_KEYS.length);
        expect((await alice.keys()).sort()).toEqual([...SPECIAL_KEYS].sort());
        for (const key of SPECIAL_KEYS) expect((await alice.load(key)).value).toBe(key);
      });
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
  });
}
