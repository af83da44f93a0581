import { MAX_BATCH_KEYS } from "../../../src/cache";
import { SPECIAL_KEYS, callbackResult, rejectionOf, type Behaviour } from "./world";

/** loadMany, saveMany and destroyMany: each key as its single-key call would go, in one step per hash slot. */
export const batches: Behaviour = (world) => {
  describe("loadMany", () => {
    test("resolves one result per key, in order: the object, or NOT_FOUND / LOCKED for that key alone", async () => {
      const { alice, bob } = world;
      await alice.save("a", { n: 1 }, 60_000);
      await alice.save("c", "three");
      await bob.lock("b-locked", 60_000);
      await alice.save("b-locked", 2).catch(() => undefined);
      const results = await alice.loadMany(["a", "missing", "b-locked", "c", "a"]);
      expect(results.map((result) => [result.key, result.found])).toEqual([
        ["a", true],
        ["missing", false],
        ["b-locked", false],
        ["c", true],
        ["a", true],
      ]);
      const [first, missing, lockedOut, third, again] = results;
      expect(first).toMatchObject({ value: { n: 1 }, readAt: null });
      expect(first.found && first.expireTimestamp! - first.createdAt).toBe(60_000);
      expect(!missing.found && missing.error).toMatchObject({ code: "NOT_FOUND", message: "Object not found" });
      expect(!lockedOut.found && lockedOut.error).toMatchObject({ code: "LOCKED", key: "b-locked" });
      expect(third).toMatchObject({ value: "three", expireTimestamp: null });
      // A key given twice is read twice: the second read sees the first one's readAt.
      expect(again.found && again.readAt).toBeGreaterThanOrEqual(first.found ? first.createdAt : 0);
      expect(again).toMatchObject({ value: { n: 1 }, createdAt: first.found && first.createdAt });
    });

    test("a key given twice with expireTimeMS: the second read sees the first one's readAt and expiry", async () => {
      const { alice } = world;
      await alice.save("twice", { deep: ["x"] }, 600_000);
      const [first, again] = await alice.loadMany(["twice", "twice"], { expireTimeMS: 30_000 });
      expect(first).toMatchObject({ found: true, value: { deep: ["x"] }, readAt: null });
      expect(again).toMatchObject({ found: true, value: { deep: ["x"] } });
      if (!first.found || !again.found) throw new Error("both reads find the key");
      expect(again.createdAt).toBe(first.createdAt);
      expect(again.readAt).toBeGreaterThanOrEqual(first.createdAt);
      expect(again.expireTimestamp! - again.readAt!).toBeLessThanOrEqual(30_000);
      expect(again.expireTimestamp! - again.readAt!).toBeGreaterThanOrEqual(29_000);
    });

    test("records each read, as load does", async () => {
      const { alice } = world;
      await alice.save("k", 1);
      await alice.loadMany(["k"]);
      const { readAt } = await alice.load("k");
      expect(readAt).not.toBeNull();
      expect(readAt!).toBeLessThanOrEqual(await world.target.now());
    });

    test("expireTimeMS slides every found key's expiry from the read", async () => {
      const { alice } = world;
      await alice.save("x", 1);
      await alice.save("y", 2, 600_000);
      const [x, y, z] = await alice.loadMany(["x", "y", "z"], { expireTimeMS: 30_000 });
      const now = await world.target.now();
      for (const result of [x, y]) {
        expect(result.found).toBe(true);
        if (result.found) expect(result.expireTimestamp! - now).toBeLessThanOrEqual(30_000);
        if (result.found) expect(result.expireTimestamp! - now).toBeGreaterThan(25_000);
      }
      expect(z.found).toBe(false);
      expect((await alice.load("y")).expireTimestamp! - now).toBeLessThanOrEqual(30_000);
    });

    test("special keys, an empty batch and the callback form", async () => {
      const { alice } = world;
      for (const key of SPECIAL_KEYS) await alice.save(key, key);
      const results = await alice.loadMany(SPECIAL_KEYS);
      expect(results.map((result) => result.found && result.value)).toEqual(SPECIAL_KEYS);
      expect(await alice.loadMany([])).toEqual([]);
      const [error, viaCallback] = await callbackResult((next) => alice.loadMany(["*"], next));
      expect(error).toBeNull();
      expect((viaCallback as Array<{ value: unknown }>)[0].value).toBe("*");
    });
  });

  describe("saveMany", () => {
    test("stores every entry, each with its own TTL or the batch's", async () => {
      const { alice } = world;
      await alice.saveMany(
        [
          { key: "p", value: { deep: [1, 2] } },
          { key: "q", value: "forever", expireTimeMS: null },
          { key: "r", value: 3, expireTimeMS: 5_000 },
        ],
        { expireTimeMS: 60_000 },
      );
      const p = await alice.load("p");
      expect(p.value).toEqual({ deep: [1, 2] });
      expect(p.expireTimestamp! - p.createdAt).toBe(60_000);
      expect((await alice.load("q")).expireTimestamp).toBeNull();
      const r = await alice.load("r");
      expect(r.expireTimestamp! - r.createdAt).toBe(5_000);
      expect(await callbackResult((next) => alice.saveMany([{ key: "s", value: 1 }], next))).toEqual([null, true]);
    });

    test("one key locked by another owner refuses the batch with LOCKED naming it; on one slot nothing is written", async () => {
      const { alice, bob } = world;
      await bob.lock("held", 60_000);
      const error = await rejectionOf(
        alice.saveMany([
          { key: "free", value: 1 },
          { key: "held", value: 2 },
        ]),
      );
      expect(error).toMatchObject({ code: "LOCKED", key: "held" });
      expect(error.message).toMatch(/^Object locked: "held"; /);
      // Memory and a single Redis: all or nothing. A Cluster runs each slot alone (see the cluster test file).
      if (!error.message.includes("other hash slots were written")) {
        expect((await rejectionOf(alice.load("free"))).code).toBe("NOT_FOUND");
      }
    });

    test("requireLock writes only when this owner holds every key's lock", async () => {
      const { alice } = world;
      await alice.lock("mine", 60_000);
      const error = await rejectionOf(
        alice.saveMany(
          [
            { key: "mine", value: 1 },
            { key: "not-mine", value: 2 },
          ],
          { requireLock: true },
        ),
      );
      expect(error).toMatchObject({ code: "LOCK_NOT_HELD", key: "not-mine" });
      await alice.lock("not-mine", 60_000);
      await alice.saveMany(
        [
          { key: "mine", value: 1 },
          { key: "not-mine", value: 2 },
        ],
        { requireLock: true },
      );
      expect((await alice.loadMany(["mine", "not-mine"])).map((result) => result.found && result.value)).toEqual([
        1, 2,
      ]);
    });

    test.each([
      ["not an array", { key: "k", value: 1 }, "INVALID_OPTIONS"],
      ["an entry without a key", [{ value: 1 }], "INVALID_OPTIONS"],
      ["an unknown field", [{ key: "k", value: 1, ttl: 5 }], "INVALID_OPTIONS"],
      [
        "a bad key",
        [
          { key: "ok", value: 1 },
          { key: "", value: 1 },
        ],
        "INVALID_KEY",
      ],
      [
        "an unserializable value",
        [
          { key: "ok", value: 1 },
          { key: "k", value: () => 1 },
        ],
        "UNSERIALIZABLE_VALUE",
      ],
      [
        "a bad TTL",
        [
          { key: "ok", value: 1 },
          { key: "k", value: 1, expireTimeMS: -1 },
        ],
        "INVALID_TTL",
      ],
      [
        "too many entries",
        Array.from({ length: MAX_BATCH_KEYS + 1 }, (_, i) => ({ key: `k${i}`, value: i })),
        "INVALID_OPTIONS",
      ],
    ])("refuses %s before writing anything", async (_, entries, code) => {
      const { alice } = world;
      const error = await rejectionOf(alice.saveMany(entries as never));
      expect(error.code).toBe(code);
      expect(await alice.keys()).toEqual([]);
    });
  });

  describe("destroyMany", () => {
    test("removes every key's object and list, and resolves how many had something", async () => {
      const { alice } = world;
      await alice.saveMany([
        { key: "o1", value: 1 },
        { key: "o2", value: 2 },
      ]);
      await alice.push("l1", "item");
      expect(await alice.destroyMany(["o1", "l1", "nothing", "o2"])).toBe(3);
      expect(await alice.keys()).toEqual([]);
      expect(await alice.listLength("l1")).toBe(0);
      expect(await callbackResult((next) => alice.destroyMany(["o1"], next))).toEqual([null, 0]);
    });

    test("a key locked by another owner refuses the batch with LOCKED; on one slot nothing is removed", async () => {
      const { alice, bob } = world;
      await alice.saveMany([
        { key: "d1", value: 1 },
        { key: "d2", value: 2 },
      ]);
      await bob.lock("d2", 60_000);
      const error = await rejectionOf(alice.destroyMany(["d1", "d2"]));
      expect(error).toMatchObject({ code: "LOCKED", key: "d2" });
      if (!error.message.includes("other hash slots were written")) expect(await alice.size()).toBe(2);
    });

    test("refuses bad keys before removing anything", async () => {
      const { alice } = world;
      await alice.save("keep", 1);
      expect((await rejectionOf(alice.destroyMany(["keep", 42 as never]))).code).toBe("INVALID_KEY");
      expect((await rejectionOf(alice.destroyMany("keep" as never))).code).toBe("INVALID_OPTIONS");
      expect((await rejectionOf(alice.loadMany(["keep", ""]))).message).toMatch(/^\[1\]: key must not be empty/);
      expect(await alice.keys()).toEqual(["keep"]);
    });
  });

  describe("holes and getters", () => {
    test("a hole in any batch is refused with INVALID_ARGUMENTS naming its index, and nothing is written", async () => {
      const { alice } = world;
      await alice.save("keep", 1);
      // eslint-disable-next-line no-sparse-arrays
      const entries = [{ key: "a", value: 1 }, , { key: "b", value: 2 }] as Array<{ key: string; value: number }>;
      const keys = new Array<string>(3);
      keys[0] = "keep";
      keys[2] = "b";
      for (const call of [() => alice.saveMany(entries), () => alice.loadMany(keys), () => alice.destroyMany(keys)]) {
        const error = await rejectionOf(call());
        expect(error.code).toBe("INVALID_ARGUMENTS");
        expect(error.message).toContain("[1]");
      }
      expect(await alice.keys()).toEqual(["keep"]);
    });

    test("each entry's fields and each index are read once, so a getter cannot slip past validation", async () => {
      const { alice } = world;
      const answers = ["good", ""];
      let reads = 0;
      const entry = {
        get key() {
          reads += 1;
          return answers.shift();
        },
        value: "v",
      };
      expect(await alice.saveMany([entry as { key: string; value: string }])).toBe(true);
      expect(reads).toBe(1);
      expect(await alice.get("good")).toBe("v");
      const keys: string[] = [];
      let indexReads = 0;
      Object.defineProperty(keys, 0, {
        enumerable: true,
        get: () => (indexReads++ === 0 ? "good" : ""),
      });
      expect(await alice.destroyMany(keys)).toBe(1);
      expect(indexReads).toBe(1);
      expect(await alice.keys()).toEqual([]);
    });

    test("a getter that throws is INVALID_ARGUMENTS naming its index, and nothing is written", async () => {
      const { alice } = world;
      const keys = ["a", "b"];
      Object.defineProperty(keys, 1, {
        get: () => {
          throw new Error("boom");
        },
      });
      const entry = Object.defineProperty({ value: 1 }, "key", {
        enumerable: true,
        get: () => {
          throw new Error("bang");
        },
      });
      for (const call of [
        () => alice.loadMany(keys),
        () => alice.destroyMany(keys),
        () => alice.saveMany([{ key: "a", value: 1 }, entry as { key: string; value: number }]),
      ]) {
        const error = await rejectionOf(call());
        expect(error.code).toBe("INVALID_ARGUMENTS");
        expect(error.message).toMatch(/^\[1\]: reading it threw: Error: b(oom|ang)$/);
      }
      expect(await alice.keys()).toEqual([]);
    });
  });
};
