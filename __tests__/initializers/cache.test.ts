import { spawnSync } from "child_process";
import * as path from "path";
import { api, config, id } from "actionhero";
import { useActionheroProcess } from "../helpers/actionhero-process";
import type { RedisStore } from "../../src/cache";

const server = useActionheroProcess();

describe("the cache initializer on Redis", () => {
  test("attaches api.cache backed by Redis before any action runs", async () => {
    expect(api.cache.kind).toBe("redis");
    await expect(api.cache.save("initializer-test", { ok: true }, 10_000)).resolves.toBe(true);
    expect((await api.cache.load("initializer-test")).value).toEqual({ ok: true });
    expect(await api.cache.destroy("initializer-test")).toBe(true);
  });

  test("lockDuration defaults to config.general.lockDuration", () => {
    expect((config.general as { lockDuration: number }).lockDuration).toBe(10_000);
    expect(api.cache.lockDuration).toBe(10_000);
  });

  test("uses the Redis database and server that config.redis names", async () => {
    const ours = (api.cache.store as RedisStore).redis as import("ioredis").Redis;
    expect(ours.options.db).toBe(Number(process.env.JEST_WORKER_ID));
    await api.cache.save("db-check", 1, 10_000);
    expect(await api.redis.clients.client.exists((api.cache.store as RedisStore).layout.objectKey("db-check"))).toBe(1);
    await api.cache.destroy("db-check");
  });

  test("keeps its keys apart from actionhero's built-in cache", async () => {
    const { cache: builtIn } = await import("actionhero");
    await builtIn.save("shared-name", "actionhero's");
    await api.cache.save("shared-name", "ours");
    expect((await builtIn.load("shared-name")).value).toBe("actionhero's");
    expect((await api.cache.load("shared-name")).value).toBe("ours");
    await builtIn.destroy("shared-name");
    await api.cache.destroy("shared-name");
  });

  test("the default owner names this process: actionhero's id, the pid and a random part", () => {
    expect(api.cache.owner.startsWith(`${id}:${process.pid}:`)).toBe(true);
    expect(api.cache.owner).toMatch(/:[0-9a-f]{8}$/);
  });

  test("two server processes on one host are two owners even with the same ACTIONHERO_TITLE", () => {
    const owners = [1, 2].map(() => {
      const result = spawnSync(
        process.execPath,
        ["-e", 'console.log(require("./dist/plugin/config").defaultOwner())'],
        {
          cwd: path.join(__dirname, "..", ".."),
          env: {
            ...process.env,
            ACTIONHERO_TITLE: "same-title",
            JEST_WORKER_ID: "",
            TS_JEST: "",
            ACTIONHERO_TYPESCRIPT_MODE: "false",
          },
          encoding: "utf8",
        },
      );
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
      return result.stdout.trim();
    });
    expect(owners[0].startsWith("same-title:")).toBe(true);
    expect(owners[1].startsWith("same-title:")).toBe(true);
    expect(owners[0]).not.toBe(owners[1]);
  });

  test.each(["cacheTest", "cacheStatus"])("registers GET /%s for the plugin's action", (action) => {
    const routes = api.routes.routes.get.filter((route: { path: string }) => route.path === `/${action}`);
    expect(routes).toEqual([expect.objectContaining({ path: `/${action}`, action })]);
  });

  test("its connection is its own, not actionhero's", () => {
    expect((api.cache.store as RedisStore).redis).not.toBe(api.redis.clients.client);
  });
});

describe("stopping", () => {
  test("closes the connection the plugin opened and only that one", async () => {
    const ours = (api.cache.store as RedisStore).redis;
    const initializer = server.actionhero.initializers["ah-cache-plugin"] as unknown as {
      stop(): Promise<void>;
      initialize(): Promise<void>;
    };
    await initializer.stop();
    expect(ours.status).toBe("end");
    expect(api.redis.clients.client.status).toBe("ready");
    expect(await api.redis.clients.client.ping()).toBe("PONG");
    await initializer.initialize();
  });
});
