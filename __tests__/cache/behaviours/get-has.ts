import { SPECIAL_KEYS, callbackResult, rejectionOf, type Behaviour } from "./world";

/** get and has: plain reads that record nothing, under load's lock rules. */
export const getAndHas: Behaviour = (world) => {
  describe("get", () => {
    test("resolves the value, or null when there is none", async () => {
      const { alice } = world;
      await alice.save("k", { n: [1, 2] });
      expect(await alice.get("k")).toEqual({ n: [1, 2] });
      expect(await alice.get("missing")).toBeNull();
      await alice.save("falsy", 0);
      expect(await alice.get<number>("falsy")).toBe(0);
      expect(await callbackResult((next) => alice.get("k", next))).toEqual([null, { n: [1, 2] }]);
    });

    test("records nothing: no readAt, and the expiry stays", async () => {
      const { alice } = world;
      await alice.save("k", "v", 60_000);
      expect(await alice.get("k")).toBe("v");
      expect(await alice.get("k")).toBe("v");
      // The first recorded read is this load: the gets before it left readAt unset and the expiry as saved.
      const { readAt, expireTimestamp, createdAt } = await alice.load("k");
      expect(readAt).toBeNull();
      expect(expireTimestamp).toBe(createdAt + 60_000);
    });

    test("a copy: mutating what get returned changes nothing cached", async () => {
      const { alice } = world;
      await alice.save("k", { list: [1] });
      const value = (await alice.get<{ list: number[] }>("k"))!;
      value.list.push(2);
      expect(await alice.get("k")).toEqual({ list: [1] });
    });

    test("LOCKED while another owner holds the key's lock; the holder reads", async () => {
      const { alice, bob } = world;
      await alice.save("k", 1);
      await bob.lock("k", 60_000);
      expect(await rejectionOf(alice.get("k"))).toMatchObject({ code: "LOCKED", message: "Object locked" });
      expect(await bob.get("k")).toBe(1);
    });

    test("refuses a bad key", async () => {
      expect((await rejectionOf(world.alice.get(""))).code).toBe("INVALID_KEY");
      expect((await rejectionOf(world.alice.get(42 as never))).code).toBe("INVALID_KEY");
    });

    test("an expired object reads as null", async () => {
      const { alice } = world;
      await alice.save("short", 1, 50);
      await new Promise((resolve) => setTimeout(resolve, 120));
      expect(await alice.get("short")).toBeNull();
    });
  });

  describe("has", () => {
    test("true for a live object, false otherwise, also through the callback", async () => {
      const { alice } = world;
      for (const key of SPECIAL_KEYS) await alice.save(key, key);
      for (const key of SPECIAL_KEYS) expect(await alice.has(key)).toBe(true);
      expect(await alice.has("missing")).toBe(false);
      await alice.push("only-a-list", 1);
      expect(await alice.has("only-a-list")).toBe(false);
      expect(await callbackResult((next) => alice.has("*", next))).toEqual([null, true]);
    });

    test("records nothing, and answers LOCKED while another owner holds the lock", async () => {
      const { alice, bob } = world;
      await alice.save("k", 1);
      expect(await alice.has("k")).toBe(true);
      expect((await alice.load("k")).readAt).toBeNull();
      await bob.lock("k", 60_000);
      expect((await rejectionOf(alice.has("k"))).code).toBe("LOCKED");
      expect(await bob.has("k")).toBe(true);
      expect((await rejectionOf(alice.has(""))).code).toBe("INVALID_KEY");
    });
  });

  describe("get and has with { retry }", () => {
    test("wait for another owner's lock to clear, as load does, and then answer", async () => {
      const { alice, bob } = world;
      await alice.save("k", "before");
      await bob.lock("k", 60_000);
      const reading = alice.get("k", { retry: 30_000 });
      const checking = alice.has("k", { retry: 30_000 });
      let settled = false;
      const mark = () => (settled = true);
      void Promise.all([reading, checking]).then(mark, mark);
      // Both wait while bob writes under his lock; his release wakes them.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(settled).toBe(false);
      await bob.save("k", "after");
      expect(await bob.unlock("k")).toBe(true);
      expect(await reading).toBe("after");
      expect(await checking).toBe(true);
      expect(alice.stats().lockWaits).toBeGreaterThanOrEqual(2);
    });

    test("a lock that outlasts the retry still answers LOCKED; bad retries are refused", async () => {
      const { alice, bob } = world;
      await bob.lock("k", 60_000);
      expect((await rejectionOf(alice.get("k", { retry: 30 }))).code).toBe("LOCKED");
      expect((await rejectionOf(alice.has("k", { retry: 30 }))).code).toBe("LOCKED");
      expect((await rejectionOf(alice.get("k", { retry: -1 }))).code).toBe("INVALID_TTL");
      expect((await rejectionOf(alice.has("k", { retry: "5" as never }))).code).toBe("INVALID_TTL");
      expect((await rejectionOf(alice.has("k", { wait: 5 } as never))).code).toBe("INVALID_OPTIONS");
      expect(await callbackResult((next) => alice.has("free", { retry: 10 }, next))).toEqual([null, false]);
    });
  });
};
