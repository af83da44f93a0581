import Redis from "ioredis";
import { Cache, RedisStore } from "../src/cache";
import { measure, Measurement } from "./measure";

const VALUE = { id: 42, name: "bench user", tags: ["a", "b", "c"], active: true, score: 12.5 };
const OBJECTS = 10_000;

async function usedMemory(admin: Redis): Promise<number> {
  const info = await admin.info("memory");
  return Number(/used_memory:(\d+)/.exec(info)![1]);
}

export interface MemoryFootprint {
  plugin: number;
  actionhero: number;
}

/** Redis used_memory growth per 10k cached objects, ours against actionhero's format, each on an empty db. */
export async function redisMemoryPer10k(url: string): Promise<MemoryFootprint> {
  const admin = new Redis(url);
  const client = new Redis(url);
  const store = new RedisStore({ client, prefix: "bench:mem:obj:", lockPrefix: "bench:mem:lock:" });
  const cache = new Cache({ store, owner: "bench" });
  const { api, cache: builtIn } = await import("actionhero");
  (api as Record<string, unknown>).redis = { clients: { client } };

  const grow = async (saveAll: () => Promise<void>) => {
    await admin.flushdb();
    const before = await usedMemory(admin);
    await saveAll();
    const after = await usedMemory(admin);
    await admin.flushdb();
    return after - before;
  };
  const plugin = await grow(async () => {
    for (let i = 0; i < OBJECTS; i++) await cache.save(`user:${i}`, { ...VALUE, id: i }, 600_000);
  });
  const actionhero = await grow(async () => {
    for (let i = 0; i < OBJECTS; i++) await builtIn.save(`user:${i}`, { ...VALUE, id: i }, 600_000);
  });
  client.disconnect();
  admin.disconnect();
  return { plugin, actionhero };
}

export interface HeapSoak {
  operations: number;
  samplesMB: number[];
  growthMB: number;
}

/** Node heap after GC every tenth of a long mixed run on the Redis store, which must level off, not climb. */
export async function heapSoak(url: string, operations: number): Promise<HeapSoak> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with node --expose-gc for the heap soak");
  const client = new Redis(url);
  const store = new RedisStore({ client, prefix: "bench:soak:obj:", lockPrefix: "bench:soak:lock:" });
  const cache = new Cache({ store, owner: "bench" });
  const samples: number[] = [];
  const step = operations / 10;
  let next = 0;
  const lane = async () => {
    for (;;) {
      const index = next++;
      if (index >= operations) return;
      const key = `soak:${index % 10_000}`;
      const slot = index % 20;
      if (slot < 16) await cache.load(key).catch(() => undefined);
      else if (slot < 19) await cache.save(key, { index }, 60_000);
      else if (await cache.lock(key, 10_000)) await cache.unlock(key);
      if (index % step === 0) {
        gc();
        samples.push(process.memoryUsage().heapUsed / 1024 / 1024);
      }
    }
  };
  await Promise.all(Array.from({ length: 64 }, lane));
  gc();
  samples.push(process.memoryUsage().heapUsed / 1024 / 1024);
  await store.close();
  client.disconnect();
  // Growth between the second sample (after warm-up) and the last.
  return { operations, samplesMB: samples, growthMB: samples[samples.length - 1] - samples[1] };
}

export interface KeyScaling {
  keys: number;
  save: Measurement;
  load: Measurement;
}

/** Save/load throughput with the database holding `keys` other keys: the cost must not depend on it. */
export async function withKeyspace(url: string, keys: number, debugPopulate: boolean): Promise<KeyScaling> {
  const admin = new Redis(url);
  const client = new Redis(url);
  await admin.flushdb();
  if (debugPopulate) {
    await admin.call("DEBUG", "POPULATE", String(keys), "filler", "100");
  } else {
    for (let start = 0; start < keys; start += 10_000) {
      const pipeline = admin.pipeline();
      for (let i = start; i < Math.min(keys, start + 10_000); i++) pipeline.set(`filler:${i}`, "x".repeat(100));
      await pipeline.exec();
    }
  }
  const cache = new Cache({
    store: new RedisStore({ client, prefix: "bench:scale:obj:", lockPrefix: "bench:scale:lock:" }),
    owner: "bench",
  });
  const settings = { inflight: 64, operations: 20_000, repetitions: 3 };
  const save = await measure((i) => cache.save(`scale:${i % 1000}`, VALUE, 60_000), settings, [client], admin);
  const load = await measure((i) => cache.load(`scale:${i % 1000}`), settings, [client], admin);
  await admin.flushdb();
  client.disconnect();
  admin.disconnect();
  return { keys, save, load };
}
