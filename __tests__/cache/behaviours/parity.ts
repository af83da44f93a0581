import { callbackResult, rejectionOf, type Behaviour } from "./world";

/** Where actionhero 29's cache module and this plugin must agree: scopes, what clear() spares, destroy, undefined. */
export const parity: Behaviour = (world) => {
  describe("scoped size, clear and locks", () => {
    async function seed() {
      const { alice, bob } = world;
      await alice.save("user:1", 1);
      await alice.save("user:2", 2);
      await alice.save("session:1", 3);
      await alice.push("user:queue", "item");
      await alice.push("session:queue", "item");
      await alice.lock("user:1", 60_000);
      await bob.lock("session:1", 60_000);
    }

    test("size(prefix) counts the objects in that scope, like keys(prefix)", async () => {
      await seed();
      expect(await world.alice.size("user:")).toBe(2);
      expect(await world.alice.size("nothing")).toBe(0);
      expect(await world.alice.size()).toBe(3);
      expect(await world.alice.size(null)).toBe(3);
      expect(await callbackResult((next) => world.alice.size("session:", next))).toEqual([null, 1]);
    });

    test("clear() removes every object and list, and leaves every lock in place", async () => {
      await seed();
      const { alice, bob } = world;
      expect(await alice.clear()).toBe(5);
      expect(await alice.keys()).toEqual([]);
      expect(await alice.listLength("user:queue")).toBe(0);
      expect((await alice.locks()).sort()).toEqual(["session:1", "user:1"]);
      // The critical sections in flight keep their exclusion.
      expect(await bob.lock("user:1")).toBe(false);
      expect((await rejectionOf(alice.save("session:1", "x"))).code).toBe("LOCKED");
    });

    test("clear(prefix) removes only that scope's objects and lists", async () => {
      await seed();
      const { alice } = world;
      expect(await alice.clear("user:")).toBe(3);
      expect(await alice.keys()).toEqual(["session:1"]);
      expect(await alice.listLength("session:queue")).toBe(1);
      expect(await alice.listLength("user:queue")).toBe(0);
      expect((await alice.locks()).sort()).toEqual(["session:1", "user:1"]);
      expect(await callbackResult((next) => alice.clear("session:", null, next))).toEqual([null, 2]);
    });

    test("clear({ locks: true }) removes locks too, whoever holds them; with a prefix only that scope's", async () => {
      await seed();
      const { alice, bob } = world;
      const token = await bob.acquireLock("user:other");
      expect(await alice.clear("user:", { locks: true })).toBe(5);
      expect(await alice.locks()).toEqual(["session:1"]);
      expect(await alice.clear({ locks: true })).toBe(3);
      expect(await alice.locks()).toEqual([]);
      // Tokens never go backwards, although the locks went with their fencing counters.
      expect(await alice.acquireLock("user:other")).toBeGreaterThan(token!);
    });

    test("locks(prefix) lists that scope's locks, also with details", async () => {
      await seed();
      const { alice } = world;
      expect(await alice.locks("user:")).toEqual(["user:1"]);
      expect(await alice.locks("session:", { details: true })).toEqual([
        { key: "session:1", owner: "bob", ttl: expect.any(Number) },
      ]);
      expect(await callbackResult((next) => alice.locks("nothing", next))).toEqual([null, []]);
    });

    test.each([
      ["size", (cache: typeof world.alice) => cache.size(5 as never)],
      ["clear", (cache: typeof world.alice) => cache.clear(5 as never)],
      ["clear", (cache: typeof world.alice) => cache.clear(["user:"] as never)],
      ["locks", (cache: typeof world.alice) => cache.locks(true as never)],
      ["keys", (cache: typeof world.alice) => cache.keys({} as never)],
    ])("%s refuses a scope that is not a string, and removes nothing", async (method, call) => {
      await seed();
      const error = await rejectionOf(call(world.alice));
      expect(error.code).toBe("INVALID_KEY");
      expect(error.message).toContain(`scope prefix of ${method}()`);
      expect(await world.alice.size()).toBe(3);
    });

    test("clear refuses unknown options", async () => {
      await seed();
      expect((await rejectionOf(world.alice.clear({ lock: true } as never))).code).toBe("INVALID_OPTIONS");
      expect((await rejectionOf(world.alice.clear("user:", { locks: "yes" } as never))).code).toBe("INVALID_OPTIONS");
      expect(await world.alice.size()).toBe(3);
    });
  });

  describe("destroy of a key with a list", () => {
    test("removes the object and the list, and resolves true if either existed", async () => {
      const { alice } = world;
      await alice.push("only-list", 1);
      expect(await alice.destroy("only-list")).toBe(true);
      expect(await alice.listLength("only-list")).toBe(0);
      await alice.save("both", "v");
      await alice.push("both", 1);
      expect(await alice.destroy("both")).toBe(true);
      expect(await alice.listLength("both")).toBe(0);
      expect((await rejectionOf(alice.load("both"))).code).toBe("NOT_FOUND");
      expect(await alice.destroy("both")).toBe(false);
    });

    test("leaves the list in place when another owner holds the lock", async () => {
      const { alice, bob } = world;
      await alice.push("q", 1);
      await bob.lock("q");
      expect((await rejectionOf(alice.destroy("q"))).code).toBe("LOCKED");
      expect(await bob.listLength("q")).toBe(1);
    });
  });

  describe("undefined properties", () => {
    test("are dropped, as JSON.stringify drops them, at any depth", async () => {
      const { alice } = world;
      await alice.save("k", { a: 1, b: undefined, nested: { c: undefined, d: [{ e: undefined, f: 2 }] } });
      expect((await alice.load("k")).value).toEqual({ a: 1, nested: { d: [{ f: 2 }] } });
      expect(Object.keys((await alice.load("k")).value as object)).toEqual(["a", "nested"]);
      expect(await alice.push("q", { x: undefined, y: 1 })).toBe(1);
      expect(await alice.pop("q")).toEqual({ y: 1 });
    });

    test.each([
      ["a top-level undefined", undefined, /value is undefined/],
      ["an undefined in an array", { list: [1, undefined] }, /value\["list"\]\[1\] is undefined/],
      ["a function property", { f: () => 1 }, /value\["f"\] is a function/],
    ])("%s stays refused, naming the path", async (_, value, message) => {
      const error = await rejectionOf(world.alice.save("k", value));
      expect(error.code).toBe("UNSERIALIZABLE_VALUE");
      expect(error.message).toMatch(message);
    });
  });
};
