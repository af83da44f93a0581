import { isPortOpen, startRedisServer } from "../../test-support/redis-server";

/**
 * Tests need a Redis: REDIS_URL, else 127.0.0.1:6379. When neither answers and redis-server is installed,
 * start one for this run; workers inherit REDIS_URL because they are forked after this runs.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.REDIS_URL) return;
  if (await isPortOpen("127.0.0.1", 6379)) return;
  const redis = await startRedisServer();
  process.env.REDIS_URL = redis.url;
  (globalThis as { __AH_CACHE_TEST_REDIS__?: typeof redis }).__AH_CACHE_TEST_REDIS__ = redis;
  console.log(`\nNo Redis at 127.0.0.1:6379: started redis-server on port ${redis.port} for this run.`);
}
