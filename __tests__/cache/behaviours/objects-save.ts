import { Cache, CacheError } from "../../../src/cache";
import { sleep } from "../../helpers/redis";
import { callbackResult, rejectionOf, type Behaviour, type ConformanceTarget } from "./world";

export const saveBehaviour: Behaviour = (world) => {
  let alice: Cache;
  let bob: Cache;
  let target: ConformanceTarget;
  beforeEach(() => {
    ({ alice, bob, target } = world);
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

    test("every value, size or TTL error names the method and carries the key", async () => {
      const small = new Cache({ store: target.store, owner: "alice", maxValueBytes: 10 });
      const cases: Array<[string, string, Promise<unknown>]> = [
        ["UNSERIALIZABLE_VALUE", 'save("a")', alice.save("a", undefined)],
        ["TOO_LARGE", 'save("b")', small.save("b", "x".repeat(20))],
        ["INVALID_TTL", 'save("c")', alice.save("c", 1, -5)],
        ["UNSERIALIZABLE_VALUE", 'push("d")', alice.push("d", undefined)],
        ["INVALID_TTL", 'load("e")', alice.load("e", { expireTimeMS: "50" as never })],
        ["INVALID_TTL", 'lock("f")', alice.lock("f", 0)],
        ["INVALID_TTL", 'acquireLock("g")', alice.acquireLock("g", { expireTimeMS: -1 })],
        ["INVALID_TTL", 'extendLock("h")', alice.extendLock("h", Infinity)],
        ["INVALID_TTL", 'withLock("i")', alice.withLock("i", () => 1, { expireTimeMS: NaN })],
        ["INVALID_TTL", 'get("j")', alice.get("j", { grace: -1 })],
        ["INVALID_TTL", 'fetch("k")', alice.fetch("k", () => 1, { expireTimeMS: -1 })],
        ["UNSERIALIZABLE_VALUE", 'saveMany("l")', alice.saveMany([{ key: "l", value: () => 1 }])],
        ["INVALID_TTL", 'has("m")', alice.has("m", { retry: -1 })],
        ["INVALID_TTL", 'checkLock("n")', alice.checkLock("n", -1)],
      ];
      for (const [code, method, call] of cases) {
        const error = await rejectionOf(call);
        expect([method, error.code, error.key]).toEqual([method, code, method.slice(-3, -2)]);
        expect(error.message).toContain(method);
      }
      // A batch has no one key: its errors name the method.
      for (const [method, call] of [
        ["loadMany", alice.loadMany(["x"], { expireTimeMS: -1 })],
        ["saveMany", alice.saveMany([{ key: "x", value: 1 }], { expireTimeMS: -1 })],
      ] as const) {
        const error = await rejectionOf(call);
        expect([method, error.code, error.message.startsWith(`${method}: `)]).toEqual([method, "INVALID_TTL", true]);
      }
      expect(await alice.keys()).toEqual([]);
    });

    test("a fetch producer that returns undefined is told so, with the key", async () => {
      const error = await rejectionOf(alice.fetch("user:7", () => undefined));
      expect(error).toMatchObject({ code: "UNSERIALIZABLE_VALUE", key: "user:7" });
      expect(error.message).toBe(
        'fetch("user:7"): the producer returned undefined, which cannot be cached; return null for "no value"',
      );
      // The lock it took to produce was released.
      expect(await alice.locks()).toEqual([]);
    });
  });
};
