// actionhero reads overrides when it builds its config on import, so they are set first.
process.env.ACTIONHERO_CONFIG_OVERRIDES = JSON.stringify({
  cache: { prefix: "near-initializer:obj:", lockPrefix: "near-initializer:lock:", nearCache: { maxEntries: 50 } },
});

import { api, specHelper } from "actionhero";
import type { CacheStatusAction } from "../../src";
import { eventually } from "../cache/behaviours/near-cache";
import { useActionheroProcess } from "../helpers/actionhero-process";

useActionheroProcess({ beforeStop: async () => void (await api.cache.clear()) });

test("config.cache.nearCache turns the near cache on in a real server: get answers from memory, kept current", async () => {
  await eventually(() => expect(api.cache.stats().nearCache).toMatchObject({ enabled: true, live: true }));
  await api.cache.save("flag", "on");
  const other = api.cache.withOwner("another-server");
  await eventually(async () => {
    expect(await api.cache.get("flag")).toBe("on");
    const hits = api.cache.stats().nearCache.hits;
    expect(await api.cache.get("flag")).toBe("on");
    expect(api.cache.stats().nearCache.hits).toBe(hits + 1);
  });
  // A write that does not go through this Cache (as another server's would) reaches it through Redis.
  await api.redis.clients.client.del("near-initializer:obj:{flag}");
  await eventually(async () => expect(await api.cache.get("flag")).toBeNull());
  expect(await other.get("flag")).toBeNull();

  const { cacheStatus } = await specHelper.runAction<CacheStatusAction>("cacheStatus");
  expect(cacheStatus.options?.nearCache).toEqual({ maxEntries: 50, maxBytes: 32 * 1024 * 1024 });
  expect(cacheStatus.stats.nearCache).toMatchObject({ enabled: true, live: true });
});
