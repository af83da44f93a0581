import type { Cache } from "../../../src/cache";
import { callbackResult, rejectionOf, type Behaviour } from "./world";

export const lists: Behaviour = (world) => {
  let alice: Cache;
  let bob: Cache;
  beforeEach(() => {
    ({ alice, bob } = world);
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
};
