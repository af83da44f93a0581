import type { StartedRedis } from "../../test-support/redis-server";

export default async function globalTeardown(): Promise<void> {
  const redis = (globalThis as { __AH_CACHE_TEST_REDIS__?: StartedRedis }).__AH_CACHE_TEST_REDIS__;
  if (redis) await redis.stop();
}
