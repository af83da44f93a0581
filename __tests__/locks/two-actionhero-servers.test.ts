import * as fs from "fs";
import * as path from "path";
import { Cache, RedisStore } from "../../src/cache";
import { connectRedis, deleteByPrefix, redisUrl, testDatabase, uniquePrefix } from "../helpers/redis";
import { makeScratchDir, writeScratchApp } from "../helpers/scratch-app";
import { ServerProcess, startServerProcess } from "../helpers/server-process";

/**
 * Two real actionhero server processes load the plugin from this repo's dist/ and share one Redis.
 * Each is its own lock owner, because the default owner is unique per process.
 */
jest.setTimeout(180_000);

const repoRoot = path.join(__dirname, "..", "..");
const prefix = uniquePrefix("two-servers");
const redis = connectRedis();
let scratch: string;
let servers: ServerProcess[] = [];

const LOCK_OPS_ACTION = `const { Action, api } = require("actionhero");
exports.LockOps = class LockOps extends Action {
  constructor() {
    super();
    this.name = "lockOps";
    this.description = "runs one api.cache call named by op";
    this.inputs = { op: { required: true }, key: { required: true } };
  }
  async run({ params }) {
    const calls = {
      owner: () => api.cache.owner,
      lock: () => api.cache.lock(params.key, 60000),
      unlock: () => api.cache.unlock(params.key),
      save: () => api.cache.save(params.key, "from " + api.cache.owner),
      destroy: () => api.cache.destroy(params.key),
      locks: () => api.cache.locks(),
    };
    try {
      return { result: await calls[params.op]() };
    } catch (error) {
      return { code: error.code };
    }
  }
};
`;

const INCREMENT_ACTION = `const { Action, api } = require("actionhero");
exports.Increment = class Increment extends Action {
  constructor() {
    super();
    this.name = "increment";
    this.description = "increments a shared counter under the cache lock, times times";
    this.inputs = { key: { required: true }, times: { required: true, formatter: Number } };
  }
  async run({ params }) {
    let overlaps = 0;
    for (let i = 0; i < params.times; i++) {
      await api.cache.withLock(params.key, async () => {
        // A second lock as an independent witness: it is refused if the other server is inside too.
        const inside = params.key + ":inside";
        if (!(await api.cache.lock(inside, 60000))) overlaps++;
        const { value } = await api.cache.load(params.key);
        await api.cache.save(params.key, value + 1, { requireLock: true });
        await api.cache.unlock(inside);
      }, { retry: 60000 });
    }
    return { overlaps };
  }
};
`;

beforeAll(async () => {
  scratch = makeScratchDir();
  fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(scratch, "node_modules"));
  writeScratchApp(scratch, {
    pluginPath: repoRoot,
    routes: { "/lockOps": "lockOps", "/increment": "increment" },
    actions: { lockOps: LOCK_OPS_ACTION, increment: INCREMENT_ACTION },
    config: {
      cache: `exports.DEFAULT = { cache: () => ({ prefix: "${prefix}obj:", lockPrefix: "${prefix}lock:" }) };\n`,
    },
  });
  const env = { REDIS_URL: `${redisUrl().replace(/\/\d*$/, "")}/${testDatabase()}` };
  servers = await Promise.all([
    startServerProcess(scratch, "dist/server.js", env),
    startServerProcess(scratch, "dist/server.js", env),
  ]);
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  await deleteByPrefix(redis, prefix);
  await redis.quit();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

const call = (server: ServerProcess, op: string, key: string) =>
  server.getJson(`/api/lockOps?op=${op}&key=${encodeURIComponent(key)}`);

test("the two servers are two lock owners", async () => {
  const [first, second] = await Promise.all(servers.map((server) => call(server, "owner", "-")));
  expect(first.result).toEqual(expect.any(String));
  expect(first.result).not.toBe(second.result);
});

test("while one server holds the lock, the other's save and destroy are refused with LOCKED", async () => {
  const [holder, other] = servers;
  expect((await call(holder, "save", "shared")).result).toBe(true);
  expect((await call(holder, "lock", "shared")).result).toBe(true);
  expect(await call(other, "save", "shared")).toEqual(expect.objectContaining({ code: "LOCKED" }));
  expect(await call(other, "destroy", "shared")).toEqual(expect.objectContaining({ code: "LOCKED" }));
  expect((await call(other, "lock", "shared")).result).toBe(false);
  expect((await call(other, "unlock", "shared")).result).toBe(false);
  expect((await call(other, "locks", "-")).result).toEqual(["shared"]);
  expect((await call(holder, "unlock", "shared")).result).toBe(true);
  expect((await call(other, "save", "shared")).result).toBe(true);
  expect((await call(other, "destroy", "shared")).result).toBe(true);
});

test("both servers incrementing one counter under withLock end at the exact count", async () => {
  const cache = new Cache({
    store: new RedisStore({ client: redis, prefix: `${prefix}obj:`, lockPrefix: `${prefix}lock:` }),
    owner: "test",
  });
  await cache.save("counter", 0);
  const results = await Promise.all(servers.map((server) => server.getJson("/api/increment?key=counter&times=200")));
  for (const result of results) expect(result).toEqual(expect.objectContaining({ overlaps: 0 }));
  expect((await cache.load("counter")).value).toBe(400);
});
