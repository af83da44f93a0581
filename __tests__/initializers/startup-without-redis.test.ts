import { config } from "actionhero";
import { freePort } from "../../test-support/redis-server";
import { compiledCacheInitializer } from "../helpers/compiled-initializer";

/**
 * Start-up with Redis unreachable (and not in-memory mode): the plugin starts, logs one line naming host and port,
 * and every call reports UNAVAILABLE until Redis answers. actionhero's own redis initializer runs first and waits
 * for its own connection, so this drives the plugin's initializer directly with a config whose Redis is closed.
 */
test("the initializer starts without Redis and api.cache answers UNAVAILABLE naming host and port", async () => {
  const closedPort = await freePort();
  const redisConfig = config.redis as { client: { args: Array<Record<string, unknown>> } };
  const originalArgs = redisConfig.client.args;
  // disconnectTimeout: ioredis arms this timer when it disconnects a client whose connection failed, and nothing
  // clears it early; a short one lets the file end without a lingering timer.
  redisConfig.client.args = [{ ...originalArgs[0], port: closedPort, retryStrategy: () => 200, disconnectTimeout: 50 }];
  (config as Record<string, unknown>).cache = { operationTimeoutMs: 500 };
  const { api } = await import("actionhero");
  const CacheInitializer = await compiledCacheInitializer();
  const initializer = new CacheInitializer();
  try {
    await initializer.initialize();
    const error = (await api.cache.save("k", 1).catch((failure: unknown) => failure)) as {
      code: string;
      message: string;
    };
    expect(error.code).toBe("UNAVAILABLE");
    expect(error.message).toContain(`127.0.0.1:${closedPort}`);
    expect(error.message).toMatch(/ECONNREFUSED/);
  } finally {
    await initializer.stop();
    redisConfig.client.args = originalArgs;
    delete (config as Record<string, unknown>).cache;
  }
});
