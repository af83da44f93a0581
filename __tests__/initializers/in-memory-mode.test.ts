import "../helpers/use-in-memory-mode";
import { api, config, specHelper } from "actionhero";
import { useActionheroProcess } from "../helpers/actionhero-process";
import type { MemoryStore } from "../../src/cache";

const server = useActionheroProcess();

describe("in-memory mode (config.redis.fake = true)", () => {
  test("api.cache uses the in-memory store", async () => {
    expect((config.redis as { fake?: boolean }).fake).toBe(true);
    expect(api.cache.kind).toBe("memory");
    await api.cache.save("k", [1, 2, 3], 10_000);
    expect((await api.cache.load("k")).value).toEqual([1, 2, 3]);
  });

  test("locks work between two owners of the one process-wide store", async () => {
    const otherServer = api.cache.withOwner("other");
    expect(await otherServer.lock("shared")).toBe(true);
    await expect(api.cache.save("shared", 1)).rejects.toMatchObject({ code: "LOCKED" });
    expect(await api.cache.locks()).toEqual(["shared"]);
    expect(await otherServer.unlock("shared")).toBe(true);
  });

  test("the cacheTest action runs on it", async () => {
    const response = await specHelper.runAction("cacheTest", { key: "memory", value: "works" });
    expect(response.error).toBeUndefined();
    expect(response.cacheStore).toBe("memory");
    expect(response.cacheTestResults.loadResp.value).toBe("works");
  });

  test("the cacheStatus action reports the in-memory store", async () => {
    const response = await specHelper.runAction("cacheStatus");
    expect(response.error).toBeUndefined();
    expect(response.cacheStatus).toMatchObject({
      store: "memory",
      connection: "ready",
      locksHeld: 0,
      options: expect.objectContaining({ store: "memory", sweepIntervalMs: 10_000 }),
    });
  });

  test("stopping clears the sweep timer", async () => {
    const store = api.cache.store as MemoryStore;
    const initializer = server.actionhero.initializers["ah-cache-plugin"] as unknown as {
      stop(): Promise<void>;
      initialize(): Promise<void>;
    };
    await initializer.stop();
    expect((store as unknown as { sweepTimer: unknown }).sweepTimer).toBeUndefined();
    await initializer.initialize();
  });
});
