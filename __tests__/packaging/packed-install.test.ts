import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import {
  FAKE_REDIS_ON_REQUEST,
  installPackedPlugin,
  installedPluginPath,
  makeScratchDir,
  writeScratchApp,
} from "../helpers/scratch-app";
import { ServerProcess, startServerProcess } from "../helpers/server-process";
import { redisUrl } from "../helpers/redis";

/** With SCRATCH_IOREDIS6=true, actionhero's connections (and so the cache's) are built by ioredis 6, speaking RESP3. */
const IOREDIS6_ON_REQUEST = `const options = { host: "127.0.0.1", port: Number(process.env.REDIS_PORT || 6379), db: Number(process.env.JEST_WORKER_ID || 0) };
const connection = { konstructor: require("ioredis6"), args: [options], buildNew: true };
exports.DEFAULT = process.env.SCRATCH_IOREDIS6 === "true"
  ? { redis: () => ({ _toExpand: false, client: connection, subscriber: connection, tasks: connection }) }
  : {};
`;

/**
 * Installs the plugin the way a user would: `npm pack`, a scratch actionhero app in a temp dir that installs
 * the tarball and lists it in config.plugins, then boots that app and calls it over HTTP.
 * Its core actions load too (see writeScratchApp), so actionhero's core cacheTest is there to be overridden.
 */
jest.setTimeout(300_000);

let scratch: string;
let server: ServerProcess | undefined;

const USE_CACHE_ACTION = `const { Action, api } = require("actionhero");
exports.UseCache = class UseCache extends Action {
  constructor() {
    super();
    this.name = "useCache";
    this.description = "uses api.cache from a user's own action";
  }
  async run() {
    const other = api.cache.withOwner("another-server");
    const saved = await api.cache.save("scratch-key", { from: "scratch" }, 10000);
    const loaded = await api.cache.load("scratch-key");
    const locked = await other.lock("scratch-key", 10000);
    let refused;
    try { await api.cache.save("scratch-key", "overwrite"); } catch (error) { refused = error.code; }
    const locks = await api.cache.locks();
    const unlocked = await other.unlock("scratch-key");
    const destroyed = await new Promise((resolve, reject) =>
      api.cache.destroy("scratch-key", (error, result) => (error ? reject(error) : resolve(result))));
    const resp = /resp=(\\d)/.exec(String(await api.cache.store.redis.call("CLIENT", "INFO")))[1];
    return { resp, kind: api.cache.kind, objectKey: api.cache.store.layout.objectKey("scratch-key"), saved, value: loaded.value, locked, refused, locks, unlocked, destroyed };
  }
};
`;

beforeAll(async () => {
  scratch = makeScratchDir();
  writeScratchApp(scratch, {
    pluginPath: installedPluginPath(scratch),
    routes: { "/useCache": "useCache" },
    config: {
      cache: `exports.DEFAULT = { cache: () => ({ prefix: "scratch-app:object:", lockPrefix: "scratch-app:lock:" }) };\n`,
      fake: FAKE_REDIS_ON_REQUEST,
      ioredis6: IOREDIS6_ON_REQUEST,
    },
    actions: { useCache: USE_CACHE_ACTION },
  });
  // ioredis 6 under another name, for the server whose config.redis konstructor is ioredis 6.
  installPackedPlugin(scratch, ["ioredis6@npm:ioredis@^6"]);
  server = await startServerProcess(scratch, "dist/server.js");
});

afterAll(async () => {
  await server?.stop();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

test("the tarball ships the compiled plugin and the copyable config, not the demo app", () => {
  const installed = installedPluginPath(scratch);
  for (const file of [
    "dist/initializers/cache.js",
    "dist/actions/cacheTest.js",
    "dist/actions/cacheStatus.js",
    "dist/bin/cache-dump.js",
    "dist/cache/commands/save-2.lua",
    "src/config/cache.ts",
    "README.md",
  ]) {
    expect(fs.existsSync(path.join(installed, file))).toBe(true);
  }
  expect(fs.existsSync(path.join(installed, "dist", "config"))).toBe(false);
  expect(fs.existsSync(path.join(installed, "dist", "server.js"))).toBe(false);
});

test("GET /api/cacheTest is answered by the plugin's action, overriding actionhero's core one", async () => {
  const response = await server!.getJson("/api/cacheTest?key=abc&value=def");
  expect(response.error).toBeUndefined();
  expect(response.cacheStore).toBe("redis");
  expect(response.cacheTestResults.sizeResp).toBeUndefined();
  expect(response.cacheTestResults.loadResp).toMatchObject({ key: "cacheTest_abc", value: "def", readAt: null });
  expect(response.cacheTestResults.deleteResp).toBe(true);
  expect(server!.output()).toMatch(/an existing action with the same name `cacheTest` will be overridden/);
});

test("a user's own action uses api.cache, with the project's config.cache applied", async () => {
  const response = await server!.getJson("/api/useCache");
  expect(response.error).toBeUndefined();
  expect(response).toMatchObject({
    resp: "2",
    kind: "redis",
    objectKey: "scratch-app:object:{scratch-key}",
    saved: true,
    value: { from: "scratch" },
    locked: true,
    refused: "LOCKED",
    locks: ["scratch-key"],
    unlocked: true,
    destroyed: true,
  });
});

test("in-memory mode without ioredis-mock installed stops the start with one line saying what to install", () => {
  // npm installs no optional peer dependency: the project has actionhero and the plugin, not ioredis-mock.
  expect(fs.existsSync(path.join(scratch, "node_modules", "ioredis-mock"))).toBe(false);
  const result = spawnSync(process.execPath, ["dist/server.js"], {
    cwd: scratch,
    env: {
      ...process.env,
      NODE_ENV: "development",
      TS_JEST: "",
      ACTIONHERO_TYPESCRIPT_MODE: "false",
      SCRATCH_FAKE: "true",
    },
    encoding: "utf8",
    timeout: 60_000,
  });
  expect(result.status).not.toBe(0);
  const output = result.stdout + result.stderr;
  const line =
    "ah-cache-plugin: config.redis.fake = true needs the ioredis-mock package for actionhero's own connections; " +
    "install it with `npm install ioredis-mock`";
  expect(output).toContain(line);
  // No stack trace under it, and no connection attempts to a Redis the user said is not there.
  expect(output).not.toMatch(/\n\s+at /);
  expect(output).not.toMatch(/ECONNREFUSED/);
});

test("with ioredis 6 as config.redis's konstructor, the server starts and api.cache works", async () => {
  const url = new URL(redisUrl());
  const modern = await startServerProcess(scratch, "dist/server.js", {
    SCRATCH_IOREDIS6: "true",
    REDIS_PORT: url.port || "6379",
  });
  try {
    const response = await modern.getJson("/api/useCache");
    expect(response.error).toBeUndefined();
    expect(response).toMatchObject({ kind: "redis", saved: true, value: { from: "scratch" }, refused: "LOCKED" });
    const status = await modern.getJson("/api/cacheStatus");
    expect(status.cacheStatus.options.redis.version).toMatch(/^\d+\.\d+/);
    // The cache's own connection really is an ioredis 6 one: RESP3.
    expect(response.resp).toBe("3");
  } finally {
    await modern.stop();
  }
});
