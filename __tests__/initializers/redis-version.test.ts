import { config } from "actionhero";
import { connectRedis, redisUrl } from "../helpers/redis";
import { startVersionProxy, type VersionProxy } from "../../test-support/version-proxy";
import { isVersionBelow, redisServerVersion } from "../../src/plugin/redis-version";
import { compiledCacheInitializer } from "../helpers/compiled-initializer";

/**
 * The plugin refuses a Redis older than its scripts need, at start, in one line. The Redis here is the real one,
 * seen through a proxy that reports an older version in INFO; nothing else about it changes.
 */
const redis = connectRedis();
let proxy: VersionProxy | undefined;

afterAll(async () => {
  await proxy?.close();
  await redis.quit();
});

test("versions compare part by part as numbers", () => {
  expect(isVersionBelow("6.2.14", "7.0.0")).toBe(true);
  expect(isVersionBelow("6.0.9", "7.0.0")).toBe(true);
  expect(isVersionBelow("7.0.0", "7.0.0")).toBe(false);
  expect(isVersionBelow("7.0.15", "7.0.0")).toBe(false);
  expect(isVersionBelow("7.10.1", "7.2.0")).toBe(false);
  expect(isVersionBelow("8.0.0", "7.0.0")).toBe(false);
});

test("a Redis older than 7.0 is refused at start with one line naming both versions and the address", async () => {
  const real = (await redisServerVersion(redis))!;
  const reported = `6.2.${"9".repeat(real.length - 4)}`;
  const url = new URL(redisUrl());
  proxy = await startVersionProxy({ host: url.hostname, port: Number(url.port || 6379) }, real, reported);

  const redisConfig = config.redis as { client: { args: Array<Record<string, unknown>> } };
  const originalArgs = redisConfig.client.args;
  redisConfig.client.args = [{ ...originalArgs[0], host: "127.0.0.1", port: proxy.port }];
  const CacheInitializer = await compiledCacheInitializer();
  const initializer = new CacheInitializer();
  try {
    const failure = (await initializer.initialize().catch((error: unknown) => error)) as Error;
    expect(failure).toBeInstanceOf(Error);
    expect(failure.message).toBe(
      `ah-cache-plugin needs Redis 7.0.0 or later, but the Redis at 127.0.0.1:${proxy.port} is ${reported}: ` +
        "upgrade it, or point config.redis (or config.cache.cluster) at a newer one",
    );
    // actionhero prints a failed initializer's stack: this one is the message alone.
    expect(failure.stack).toBe(`Error: ${failure.message}`);
  } finally {
    await initializer.stop();
    redisConfig.client.args = originalArgs;
  }
});
