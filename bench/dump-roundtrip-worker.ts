import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import Redis from "ioredis";
import { Cache, RedisStore } from "../src/cache";

/**
 * Runs in a process of its own, so its peak memory is the dump round trip's alone: seeds `objects` objects, then
 * times dumpWrite and dumpRead (replace mode) while sampling RSS and heap, and checks the restore is complete.
 */
const { url, objects, prefix } = JSON.parse(process.argv[2]) as { url: string; objects: number; prefix: string };

async function main() {
  const redis = new Redis(url);
  const store = new RedisStore({ client: redis, prefix: `${prefix}obj:`, lockPrefix: `${prefix}lock:` });
  const cache = new Cache({ store, owner: "bench-dump" });
  await cache.clear();
  const value = {
    id: 0,
    name: "a cached object of typical size",
    tags: ["alpha", "beta", "gamma"],
    score: 0.5,
    active: true,
  };
  for (let first = 0; first < objects; first += 1000) {
    const batch = [];
    for (let i = first; i < Math.min(objects, first + 1000); i++)
      batch.push(cache.save(`object:${i}`, { ...value, id: i }, i % 2 ? 3_600_000 : null));
    await Promise.all(batch);
  }
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ah-cache-bench-dump-")), "dump.jsonl");

  const peak = { rss: 0, heap: 0 };
  const sample = () => {
    const usage = process.memoryUsage();
    peak.rss = Math.max(peak.rss, usage.rss);
    peak.heap = Math.max(peak.heap, usage.heapUsed);
  };
  const sampler = setInterval(sample, 10);
  const measure = async (operation: () => Promise<unknown>) => {
    global.gc?.();
    const before = process.memoryUsage();
    peak.rss = before.rss;
    peak.heap = before.heapUsed;
    const started = process.hrtime.bigint();
    await operation();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    sample();
    return {
      ms,
      rssBeforeMB: before.rss / 2 ** 20,
      peakRssMB: peak.rss / 2 ** 20,
      peakHeapGrowthMB: (peak.heap - before.heapUsed) / 2 ** 20,
    };
  };

  const ttlBefore = await redis.pexpiretime(store.layout.objectKey("object:1"));
  const dump = await measure(() => cache.dumpWrite(file));
  const fileMB = fs.statSync(file).size / 2 ** 20;
  await cache.clear();
  let restored = 0;
  const restore = await measure(async () => {
    restored = (await cache.dumpRead(file)).restored;
  });
  clearInterval(sampler);
  const complete =
    restored === objects &&
    (await cache.size()) === objects &&
    (await redis.pexpiretime(store.layout.objectKey("object:1"))) === ttlBefore;
  await cache.clear();
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  await store.close();
  await redis.quit();
  process.send!({ objects, fileMB, dump, restore, complete });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
