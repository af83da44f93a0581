// actionhero reads overrides when it builds its config on import, so they are set first.
process.env.ACTIONHERO_CONFIG_OVERRIDES = JSON.stringify({
  general: { lockDuration: 4321 },
  cache: {
    owner: "configured-owner",
    prefix: "override-test:obj:",
    lockPrefix: "override-test:lock:",
    maxValueBytes: 64,
  },
});

import { api } from "actionhero";
import { useActionheroProcess } from "../helpers/actionhero-process";
import type { RedisStore } from "../../src/cache";

useActionheroProcess({
  beforeStop: async () => {
    await api.cache.unlock("k");
    await api.cache.destroy("k");
  },
});

test("config.cache and config.general.lockDuration override the defaults", async () => {
  expect(api.cache.owner).toBe("configured-owner");
  expect(api.cache.lockDuration).toBe(4321);
  expect(api.cache.maxValueBytes).toBe(64);
  const store = api.cache.store as RedisStore;
  expect(store.layout.objectKey("k")).toBe("override-test:obj:{k}");
  expect(store.layout.lockKey("k")).toBe("override-test:lock:{k}");

  await api.cache.lock("k");
  const pttl = await api.redis.clients.client.pttl("override-test:lock:{k}");
  expect(pttl).toBeGreaterThan(3000);
  expect(pttl).toBeLessThanOrEqual(4321);
  expect(await api.redis.clients.client.get("override-test:lock:{k}")).toBe("configured-owner");
  await expect(api.cache.save("k", "x".repeat(100))).rejects.toMatchObject({ code: "TOO_LARGE" });
});
