import { api, config, specHelper } from "actionhero";
import type { CacheStatusAction } from "../../src";
import { useActionheroProcess } from "../helpers/actionhero-process";
import { compiledCacheInitializer } from "../helpers/compiled-initializer";

const server = useActionheroProcess();

test("cacheStatus reports the store, connection, options in effect, counters and the locks this server holds", async () => {
  const before = api.cache.stats();
  await api.cache.save("status-key", 1);
  await api.cache.load("status-key");
  await api.cache.load("status-missing").catch(() => undefined);
  await api.cache.lock("status-lock");
  await api.cache.withOwner("another-server").lock("status-foreign");

  const response = await specHelper.runAction<CacheStatusAction>("cacheStatus");
  expect(response.cacheStatus).toEqual({
    store: "redis",
    connection: "ready",
    stats: {
      saves: before.saves + 1,
      loads: before.loads + 2,
      hits: before.hits + 1,
      misses: before.misses + 1,
      lockWaits: before.lockWaits,
      lockFailures: before.lockFailures,
      readOnlyLoads: before.readOnlyLoads,
      errors: { ...before.errors, NOT_FOUND: (before.errors.NOT_FOUND ?? 0) + 1 },
      nearCache: before.nearCache,
    },
    locksHeld: 1,
    options: {
      store: "redis",
      redis: { endpoint: expect.stringMatching(/^127\.0\.0\.1:\d+$/), version: expect.stringMatching(/^\d+\.\d+/) },
      prefix: "ah-cache-plugin:object:",
      lockPrefix: "ah-cache-plugin:lock:",
      lockDuration: 10_000,
      operationTimeoutMs: 5000,
      maxValueBytes: 1024 * 1024,
      scanCount: 1000,
      registerRoutes: true,
      statusShowsOwner: false,
      actionsInProduction: false,
      nearCache: false,
    },
  });
  await api.cache.unlock("status-lock");
  await api.cache.withOwner("another-server").unlock("status-foreign");
  await api.cache.destroy("status-key");
});

test("GET /api/cacheStatus answers over HTTP", async () => {
  // Its own save, so the counter it checks does not depend on the test before it.
  const savesBefore = api.cache.stats().saves;
  await api.cache.save("status-http", 1);
  const response = (await (await fetch(`${server.baseUrl}/api/cacheStatus`)).json()) as Record<string, any>;
  expect(response.error).toBeUndefined();
  expect(response.cacheStatus).toMatchObject({
    store: "redis",
    connection: "ready",
    locksHeld: 0,
  });
  // The owner name holds the host's address: a status page open to the network leaves it out by default.
  expect(response.cacheStatus.owner).toBeUndefined();
  expect(JSON.stringify(response)).not.toContain(api.cache.owner);
  expect(response.cacheStatus.stats.saves).toBe(savesBefore + 1);
  await api.cache.destroy("status-http");
});

test("with config.cache.statusShowsOwner, cacheStatus includes the owner", async () => {
  // The compiled initializer, the one the server loaded (and whose options the action reads).
  const CacheInitializer = await compiledCacheInitializer();
  const initializer = new CacheInitializer();
  const running = api.cache;
  config.cache = { statusShowsOwner: true };
  try {
    await initializer.initialize();
    const { cacheStatus } = await specHelper.runAction<CacheStatusAction>("cacheStatus");
    expect(cacheStatus.owner).toBe(api.cache.owner);
    expect(cacheStatus.options?.statusShowsOwner).toBe(true);
  } finally {
    await initializer.stop();
    delete (config as Record<string, unknown>).cache;
    api.cache = running;
  }
});
