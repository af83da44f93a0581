import { api, specHelper } from "actionhero";
import { useActionheroProcess } from "../helpers/actionhero-process";

const server = useActionheroProcess();

test("cacheStatus reports the store, connection, owner, counters and the locks this server holds", async () => {
  const before = api.cache.stats();
  await api.cache.save("status-key", 1);
  await api.cache.load("status-key");
  await api.cache.load("status-missing").catch(() => undefined);
  await api.cache.lock("status-lock");
  await api.cache.withOwner("another-server").lock("status-foreign");

  const response = await specHelper.runAction("cacheStatus");
  expect(response.error).toBeUndefined();
  expect(response.cacheStatus).toEqual({
    store: "redis",
    connection: "ready",
    owner: api.cache.owner,
    stats: {
      saves: before.saves + 1,
      loads: before.loads + 2,
      hits: before.hits + 1,
      misses: before.misses + 1,
      lockWaits: before.lockWaits,
      lockFailures: before.lockFailures,
      readOnlyLoads: before.readOnlyLoads,
      errors: { ...before.errors, NOT_FOUND: (before.errors.NOT_FOUND ?? 0) + 1 },
    },
    locksHeld: 1,
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
    owner: api.cache.owner,
    locksHeld: 0,
  });
  expect(response.cacheStatus.stats.saves).toBe(savesBefore + 1);
  await api.cache.destroy("status-http");
});
