import { performance } from "perf_hooks";
import Redis from "ioredis";
import { Cache, RedisStore } from "../src/cache";
import { countCommands, percentile } from "./measure";

export interface HerdResult {
  waiters: number;
  seconds: number;
  /** Commands the cache's client sent per acquisition (the unrelated saves left out). */
  commandsPerAcquisition: number;
  /** Latency of unrelated saves on the same cache and connection while the herd runs, in ms. */
  unrelatedSave: { count: number; p50: number; p99: number; max: number };
}

/**
 * `waiters` concurrent withLock calls on one key in one process (as many requests of one server would), while the
 * same cache saves an unrelated key one call at a time: how much each acquisition costs Redis, and how much the
 * herd slows everything else down.
 */
export async function measureHerd(url: string, waiters: number): Promise<HerdResult> {
  const client = new Redis(url);
  const store = new RedisStore({ client, prefix: "bench:herd:obj:", lockPrefix: "bench:herd:lock:" });
  const cache = new Cache({ store, owner: "herd" });
  await cache.save("unrelated", 0);
  const counter = countCommands([client]);
  let running = true;
  const latencies: number[] = [];
  const unrelated = (async () => {
    for (let i = 0; running; i++) {
      const started = performance.now();
      await cache.save("unrelated", i);
      latencies.push(performance.now() - started);
    }
  })();
  const started = performance.now();
  await Promise.all(Array.from({ length: waiters }, () => cache.withLock("hot", () => undefined, { retry: 120_000 })));
  const seconds = (performance.now() - started) / 1000;
  running = false;
  await unrelated;
  const sent = counter.count();
  counter.restore();
  await store.close();
  client.disconnect();
  const sorted = Float64Array.from(latencies).sort();
  return {
    waiters,
    seconds,
    commandsPerAcquisition: (sent - latencies.length) / waiters,
    unrelatedSave: {
      count: latencies.length,
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      max: sorted[sorted.length - 1] ?? 0,
    },
  };
}
