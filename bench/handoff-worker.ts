import Redis from "ioredis";
import { performance } from "perf_hooks";
import { Cache, RedisStore } from "../src/cache";

/**
 * One of the processes waiting for a single lock. It reports, for each turn, when it got the lock and when it
 * started releasing it, as epoch ms with sub-millisecond precision (comparable across processes on one host).
 */
interface WorkerOptions {
  url: string;
  prefix: string;
  key: string;
  turns: number;
  mode: "plugin" | "actionhero-polling";
}

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  const options = JSON.parse(process.argv[2]) as WorkerOptions;
  const client = new Redis(options.url);
  const store = new RedisStore({ client, prefix: `${options.prefix}obj:`, lockPrefix: `${options.prefix}lock:` });
  const cache = new Cache({ store, owner: `handoff-${process.pid}` });
  // Subscribe before the race starts, as a long-running server would have.
  (await store.listenForUnlock(options.key)).cancel();
  const turns: Array<{ pid: number; acquiredAt: number; releasedAt: number }> = [];
  process.send!({ ready: true });
  await new Promise((resolve) => process.once("message", resolve));

  for (let turn = 0; turn < options.turns; turn++) {
    if (options.mode === "plugin") {
      while ((await cache.acquireLock(options.key, { expireTimeMS: 10_000, retry: 60_000 })) === null);
    } else {
      // How actionhero users wait: try, then sleep its lockRetry of 100 ms.
      while (!(await cache.lock(options.key, 10_000))) await sleep(100);
    }
    const acquiredAt = now();
    const releasedAt = now();
    await cache.unlock(options.key);
    turns.push({ pid: process.pid, acquiredAt, releasedAt });
    // Let the others win some turns instead of re-taking the lock at once.
    await sleep(0);
  }
  process.send!({ turns });
  await store.close();
  client.disconnect();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
