import { api, specHelper } from "actionhero";
import type { CacheStatusAction } from "../../src";
import { freePort } from "../../test-support/redis-server";
import { useActionheroProcess } from "../helpers/actionhero-process";
import { withPluginConfig } from "../helpers/with-plugin-config";

/**
 * The plugin on a Redis Cluster none of whose nodes answers, given as URLs with credentials, as ioredis accepts
 * them: what operators read (the start-up log, cacheStatus, UNAVAILABLE messages) names the nodes by host:port
 * only, and cacheStatus says it could not count the locks (null) rather than that none are held (0).
 */
useActionheroProcess();

const SECRET = "s3cret-Pa55";
const USER = "cacheuser";

test("the nodes are named without credentials, calls answer UNAVAILABLE, and locksHeld is null", async () => {
  const [first, second] = [await freePort(), await freePort()];
  const endpoint = `127.0.0.1:${first},127.0.0.1:${second}`;
  const nodes = [
    `redis://:${SECRET}@127.0.0.1:${first}`,
    `redis://${USER}:${SECRET}@127.0.0.1:${second}/0?password=${SECRET}`,
  ];
  // disconnectTimeout: ioredis arms this timer when it disconnects a node whose connection failed, and it would
  // outlive the test (2 s by default).
  const cluster = { nodes, options: { redisOptions: { disconnectTimeout: 50 } } };
  await withPluginConfig({ cluster, operationTimeoutMs: 200 }, async (startupNotes) => {
    expect(startupNotes).toContain(`ah-cache-plugin: Redis at ${endpoint} is not reachable`);
    expect(startupNotes).toContain(`options in effect: {"store":"redis","redis":{"endpoint":"${endpoint}"`);

    const { error, cacheStatus } = await specHelper.runAction<CacheStatusAction>("cacheStatus");
    expect(error).toBeUndefined();
    expect(cacheStatus.connection).not.toBe("ready");
    expect(cacheStatus.locksHeld).toBeNull();
    expect(cacheStatus.options?.redis).toEqual({ endpoint, version: null });

    const saved = await api.cache.save("away", 1).catch((failure: unknown) => failure);
    expect(saved).toMatchObject({ code: "UNAVAILABLE", message: expect.stringMatching(`^Redis at ${endpoint} is`) });
    const listed = await api.cache.keys().catch((failure: unknown) => failure);
    expect(listed).toMatchObject({ code: "UNAVAILABLE", message: expect.stringMatching(`^Redis at ${endpoint} is`) });
    await expect(api.cache.locks()).rejects.toMatchObject({ code: "UNAVAILABLE" });

    for (const shown of [startupNotes, JSON.stringify(cacheStatus), String(saved), String(listed)]) {
      expect(shown).not.toContain(SECRET);
      expect(shown).not.toContain(USER);
    }
  });
});
