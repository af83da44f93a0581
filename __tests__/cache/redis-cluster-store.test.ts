import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Cluster } from "ioredis";
import { Cache, RedisStore, waitUntilReady } from "../../src/cache";
import { connectCluster, deleteByPrefixOnCluster } from "../../test-support/cluster-client";
import { uniquePrefix } from "../helpers/redis";
import { countSocket } from "../helpers/socket-writes";
import { COMMANDS_PER_WRITE } from "../../src/cache/stores/write-batches";
import { StartedCluster, startRedisCluster } from "../../test-support/redis-cluster";
import { SPECIAL_KEYS, runConformanceSuite } from "./conformance";
import { redisTarget } from "./redis-target";

/**
 * The whole conformance suite on a real Redis Cluster of 3 primaries and 3 replicas, started for this file.
 * A CROSSSLOT error anywhere would fail a case with STORE_ERROR.
 */
jest.setTimeout(120_000);

let cluster: StartedCluster;
let client: Cluster;

beforeAll(async () => {
  cluster = await startRedisCluster();
  client = await connectCluster(cluster);
});

afterAll(async () => {
  client?.disconnect();
  await cluster?.stop();
});

runConformanceSuite(
  "redis cluster",
  redisTarget(
    "cluster-conformance",
    () => client,
    (prefix) => deleteByPrefixOnCluster(client, prefix),
  ),
);

describe("redis cluster specifics", () => {
  let prefix: string;
  let store: RedisStore;
  let alice: Cache;

  beforeEach(() => {
    prefix = uniquePrefix("cluster");
    store = new RedisStore({ client, prefix: `${prefix}obj:`, lockPrefix: `${prefix}lock:` });
    alice = new Cache({ store, owner: "alice" });
  });

  afterEach(async () => {
    await store.close();
    await deleteByPrefixOnCluster(client, prefix);
  });

  async function slotOf(redisKey: string): Promise<number> {
    return Number(await client.cluster("KEYSLOT", redisKey));
  }

  /** Two user keys whose Redis keys share a hash slot, and one in another slot. */
  async function sameSlotPair(): Promise<[string, string, string]> {
    const bySlot = new Map<number, string>();
    for (let i = 0; ; i++) {
      const key = `pair${i}`;
      const slot = await slotOf(store.layout.objectKey(key));
      const other = bySlot.get(slot);
      if (other) {
        const elsewhere = [...bySlot.entries()].find(([otherSlot]) => otherSlot !== slot)![1];
        return [other, key, elsewhere];
      }
      bySlot.set(slot, key);
    }
  }

  test("saveMany is all or nothing per hash slot: a refused key stops its slot's group, other slots are written", async () => {
    const [first, second, elsewhere] = await sameSlotPair();
    const bob = alice.withOwner("bob");
    await bob.lock(second, 60_000);
    const error = await alice
      .saveMany([
        { key: first, value: 1 },
        { key: second, value: 2 },
        { key: elsewhere, value: 3 },
      ])
      .catch((failure: { code: string; key: string; message: string }) => failure);
    expect(error).toMatchObject({ code: "LOCKED", key: second });
    expect((error as { message: string }).message).toContain("1 of 3 keys in other hash slots were written");
    // The refused key's slot group wrote nothing; the other slot's key was written.
    expect((await alice.loadMany([first, second, elsewhere])).map((result) => result.found)).toEqual([
      false,
      false,
      true,
    ]);
    await bob.unlock(second);
  });

  test("loadMany over many slots answers every key in order", async () => {
    const keys = Array.from({ length: 50 }, (_, i) => `spread${i}`);
    await alice.saveMany(keys.map((key, i) => ({ key, value: i })));
    const slots = new Set(await Promise.all(keys.map((key) => slotOf(store.layout.objectKey(key)))));
    expect(slots.size).toBeGreaterThan(40);
    expect((await alice.loadMany(keys)).map((result) => result.found && result.value)).toEqual(keys.map((_, i) => i));
    expect(await alice.destroyMany(keys)).toBe(50);
  });

  test("every key one operation touches (object, list, lock, fencing counter) hashes to one slot, special keys included", async () => {
    for (const key of ["plain", ...SPECIAL_KEYS]) {
      const slots = new Set(
        await Promise.all(
          [
            store.layout.objectKey(key),
            store.layout.listKey(key),
            store.layout.lockKey(key),
            store.layout.fenceKey(key),
          ].map(slotOf),
        ),
      );
      expect(slots.size).toBe(1);
    }
  });

  test("keys, size, locks, clear and dumps cover every primary", async () => {
    const keys = Array.from({ length: 300 }, (_, i) => `spread:${i}`);
    await Promise.all(keys.map((key) => alice.save(key, key)));
    await Promise.all(keys.slice(0, 60).map((key) => alice.lock(key, 60_000)));
    await alice.push("queue", "item");

    // The keys really are spread: each primary holds some of them.
    const primaries = client.nodes("master");
    expect(primaries).toHaveLength(3);
    const perPrimary = await Promise.all(
      primaries.map(
        async (node) => (await node.scan("0", "MATCH", `${prefix}obj:{spread*`, "COUNT", 10_000))[1].length,
      ),
    );
    for (const count of perPrimary) expect(count).toBeGreaterThan(0);

    expect((await alice.keys("spread:")).sort()).toEqual([...keys].sort());
    expect(await alice.size()).toBe(300);
    expect((await alice.locks()).sort()).toEqual(keys.slice(0, 60).sort());
    expect(await alice.locks({ details: true })).toHaveLength(60);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ah-cache-cluster-dump-"));
    try {
      const file = path.join(dir, "dump.jsonl");
      expect(await alice.dumpWrite(file)).toBe(301);
      expect(await alice.clear()).toBe(300 + 1);
      expect(await alice.keys()).toEqual([]);
      expect(await alice.locks()).toHaveLength(60);
      expect(await alice.clear({ locks: true })).toBe(60);
      expect(await alice.dumpRead(file)).toEqual({ restored: 301, expired: 0, locked: 0 });
      expect(await alice.size()).toBe(300);
      expect(await alice.pop("queue")).toBe("item");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("commands sent in one tick share each primary's socket writes, about COMMANDS_PER_WRITE per write", async () => {
    const keys = Array.from({ length: 64 }, (_, i) => `batched:${i}`);
    await Promise.all(keys.map((key) => alice.save(key, -1))); // every primary has the save script from here on
    const sockets = client.nodes("master").map(countSocket);
    try {
      await Promise.all(keys.map((key, i) => alice.save(key, i)));
    } finally {
      for (const socket of sockets) socket.stop();
    }
    const writes = sockets.map((socket) => socket.writes());
    // Each primary gets about a third of the commands; a batch that counted its commands over all primaries
    // together wrote about one command per write to each of them.
    expect(writes.reduce((sum, count) => sum + count, 0)).toBeLessThanOrEqual(
      Math.ceil(keys.length / COMMANDS_PER_WRITE) + 2 * writes.length,
    );
    expect((await alice.loadMany(keys)).map((result) => result.found && result.value)).toEqual(keys.map((_, i) => i));
  });

  test("unlock announces waited-for releases from every primary to a subscriber on any node", async () => {
    const subscriber = client.duplicate();
    subscriber.on("error", () => undefined);
    const heard: string[] = [];
    subscriber.on("message", (_channel: string, lockKey: string) => heard.push(lockKey));
    expect(await waitUntilReady(subscriber, 20_000)).toBe(true);
    await subscriber.subscribe(store.layout.releaseChannel());
    try {
      // Keys whose slots belong to three different primaries.
      const keysByPrimary = new Map<string, string>();
      for (let i = 0; keysByPrimary.size < 3; i++) {
        const slot = await slotOf(store.layout.lockKey(`released:${i}`));
        const ranges = await client.cluster("SLOTS");
        const owner = JSON.stringify(ranges.find(([first, last]) => slot >= first && slot <= last)![2].slice(0, 2));
        if (!keysByPrimary.has(owner)) keysByPrimary.set(owner, `released:${i}`);
      }
      for (const key of keysByPrimary.values()) {
        await alice.lock(key, 60_000);
        // The mark a waiter on another server keeps set while it waits.
        await client.set(store.layout.waitingKey(key), "1", "PX", 60_000);
        expect(await alice.unlock(key)).toBe(true);
      }
      const expected = [...keysByPrimary.values()].map((key) => store.layout.lockKey(key)).sort();
      while (heard.length < expected.length) await new Promise((resolve) => setTimeout(resolve, 20));
      expect([...heard].sort()).toEqual(expected);
    } finally {
      subscriber.disconnect();
    }
  });
});
