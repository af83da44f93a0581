import type { Cluster } from "ioredis";
import { Cache, RedisStore } from "../../src/cache";
import { connectCluster, deleteByPrefixOnCluster } from "../../test-support/cluster-client";
import { StartedCluster, startRedisCluster } from "../../test-support/redis-cluster";
import { eventually } from "../cache/behaviours/near-cache";
import { sleep, uniquePrefix } from "../helpers/redis";

/**
 * The near cache on a real Redis Cluster (3 primaries, 3 replicas): two servers, each with its own cluster client
 * and near cache. Tracking needs one connection per primary; B must see A's changes on every primary, and again
 * after a primary is killed and its replica promoted.
 */
jest.setTimeout(180_000);

let cluster: StartedCluster;
let clientA: Cluster;
let clientB: Cluster;
let prefix: string;
let storeA: RedisStore;
let storeB: RedisStore;
let a: Cache;
let b: Cache;

beforeAll(async () => {
  cluster = await startRedisCluster({ nodeTimeoutMs: 1000 });
  // A killed node's socket never closes cleanly: destroy it at once on disconnect rather than after ioredis's 2 s.
  const options = { redisOptions: { disconnectTimeout: 100 } };
  [clientA, clientB] = [await connectCluster(cluster, 2000, options), await connectCluster(cluster, 2000, options)];
  prefix = uniquePrefix("near-cluster");
  const prefixes = { prefix: `${prefix}obj:`, lockPrefix: `${prefix}lock:` };
  storeA = new RedisStore({ client: clientA, ...prefixes });
  storeB = new RedisStore({ client: clientB, ...prefixes });
  a = new Cache({ store: storeA, owner: "server-a", nearCache: true });
  b = new Cache({ store: storeB, owner: "server-b", nearCache: true });
  await eventually(() => expect(b.stats().nearCache.live && a.stats().nearCache.live).toBe(true), 20_000);
});

afterAll(async () => {
  await deleteByPrefixOnCluster(clientA, prefix).catch(() => undefined);
  await storeA?.close();
  await storeB?.close();
  clientA?.disconnect();
  clientB?.disconnect();
  await cluster?.stop();
});

/**
 * B reads `key` from its copy: a read right after A's write may have its copy dropped by that write's own late
 * report, so this reads until a second read in a row is a near hit.
 */
async function bHoldsACopyOf(key: string, value: unknown): Promise<void> {
  await eventually(async () => {
    expect(await b.get(key)).toBe(value);
    const hits = b.stats().nearCache.hits;
    expect(await b.get(key)).toBe(value);
    expect(b.stats().nearCache.hits).toBe(hits + 1);
  });
}

/** Keys whose slots cover every primary. */
async function keysOnEveryPrimary(): Promise<string[]> {
  const byPrimary = new Map<number, string>();
  for (let i = 0; byPrimary.size < 3; i++) {
    const key = `spread${i}`;
    const slot = Number(await clientA.cluster("KEYSLOT", storeA.layout.objectKey(key)));
    const primary = await cluster.primaryForSlot(slot);
    if (!byPrimary.has(primary.port)) byPrimary.set(primary.port, key);
  }
  return [...byPrimary.values()];
}

test("one tracking connection per primary: B's copies on every primary follow A's saves, destroys and locks", async () => {
  const keys = await keysOnEveryPrimary();
  for (const key of keys) await a.save(key, `${key}:1`);
  for (const key of keys) await bHoldsACopyOf(key, `${key}:1`);
  for (const key of keys) await a.save(key, `${key}:2`);
  for (const key of keys) await eventually(async () => expect(await b.get(key)).toBe(`${key}:2`));
  await a.lock(keys[0], 60_000);
  await eventually(async () =>
    expect(await b.get(keys[0]).catch((error: { code: string }) => error.code)).toBe("LOCKED"),
  );
  await a.unlock(keys[0]);
  await a.destroy(keys[1]);
  await eventually(async () => expect(await b.get(keys[1])).toBeNull());
});

test("a primary failover: B stands aside, re-arms on the promoted replica, and never keeps the old value", async () => {
  const [key] = await keysOnEveryPrimary();
  const slot = Number(await clientA.cluster("KEYSLOT", storeA.layout.objectKey(key)));
  await a.save(key, "before failover");
  await bHoldsACopyOf(key, "before failover");

  const victim = await cluster.primaryForSlot(slot);
  await victim.kill();
  await cluster.waitUntilHealthy(60_000);
  expect((await cluster.primaryForSlot(slot)).port).not.toBe(victim.port);

  // A writes through the promoted replica as soon as its client has found it.
  for (let attempt = 0; ; attempt++) {
    try {
      await a.save(key, "after failover");
      break;
    } catch (error) {
      if (attempt > 200) throw error;
      await sleep(50);
    }
  }
  await eventually(async () => expect(await b.get(key).catch(() => "unavailable")).toBe("after failover"), 30_000);
  // Tracking is armed on the new primary: copies are trusted again, and follow the next change.
  await eventually(() => expect(b.stats().nearCache.live).toBe(true), 30_000);
  await bHoldsACopyOf(key, "after failover");
  await a.save(key, "tracked again");
  await eventually(async () => expect(await b.get(key)).toBe("tracked again"));
});
