import * as fs from "fs";
import * as path from "path";
import type { Cluster } from "ioredis";
import { connectCluster, deleteByPrefixOnCluster } from "../../test-support/cluster-client";
import { redisUrl, testDatabase, uniquePrefix } from "../helpers/redis";
import { StartedCluster, startRedisCluster } from "../../test-support/redis-cluster";
import { makeScratchDir, writeScratchApp } from "../helpers/scratch-app";
import { ServerProcess, startServerProcess } from "../helpers/server-process";

/**
 * Three real actionhero server processes share api.cache on a real Redis Cluster, configured both ways:
 * two put all of actionhero's Redis connections on the cluster (a Cluster konstructor in config.redis), the third
 * keeps actionhero's own Redis on a single node and names the cluster's startup nodes in config.cache.cluster.
 */
jest.setTimeout(240_000);

const repoRoot = path.join(__dirname, "..", "..");
const prefix = uniquePrefix("three-servers");
let cluster: StartedCluster;
let client: Cluster;
let scratch: string;
let servers: ServerProcess[] = [];

const CACHE_OPS_ACTION = `const { Action, api } = require("actionhero");
exports.CacheOps = class CacheOps extends Action {
  constructor() {
    super();
    this.name = "cacheOps";
    this.description = "runs one api.cache call named by op";
    this.inputs = { op: { required: true }, key: { required: true }, value: { required: false } };
  }
  async run({ params }) {
    const calls = {
      owner: () => api.cache.owner,
      save: () => api.cache.save(params.key, params.value),
      load: () => api.cache.load(params.key),
      destroy: () => api.cache.destroy(params.key),
      push: () => api.cache.push(params.key, params.value),
      lock: () => api.cache.lock(params.key, 60000),
      unlock: () => api.cache.unlock(params.key),
      locks: () => api.cache.locks(),
      lockMany: () => Promise.all(params.key.split(",").map((key) => api.cache.lock(key, 60000))),
      endpoint: () => api.cache.store.endpoint,
      actionheroOnCluster: () => api.redis.clients.client.isCluster === true,
    };
    try {
      return { result: await calls[params.op]() };
    } catch (error) {
      return { code: error.code, message: error.message };
    }
  }
};
`;

const REDIS_CONFIG = `const { Cluster } = require("ioredis");
const base = require("actionhero/dist/config/redis");
exports.DEFAULT = {
  redis: (config) => {
    const defaults = base.DEFAULT.redis(config);
    if (!process.env.ACTIONHERO_REDIS_CLUSTER) return defaults;
    const nodes = JSON.parse(process.env.ACTIONHERO_REDIS_CLUSTER);
    const onCluster = () => ({ konstructor: Cluster, args: [nodes, {}], buildNew: true });
    return { ...defaults, client: onCluster(), subscriber: onCluster(), tasks: onCluster() };
  },
};
`;

const CACHE_CONFIG = `exports.DEFAULT = {
  cache: () => ({
    prefix: "${prefix}obj:",
    lockPrefix: "${prefix}lock:",
    cluster: process.env.CACHE_CLUSTER_NODES ? { nodes: JSON.parse(process.env.CACHE_CLUSTER_NODES) } : undefined,
  }),
};
`;

beforeAll(async () => {
  cluster = await startRedisCluster();
  client = await connectCluster(cluster);
  scratch = makeScratchDir();
  fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(scratch, "node_modules"));
  writeScratchApp(scratch, {
    pluginPath: repoRoot,
    routes: { "/cacheOps": "cacheOps" },
    actions: { cacheOps: CACHE_OPS_ACTION },
    config: { redis: REDIS_CONFIG, cache: CACHE_CONFIG },
  });
  const nodes = JSON.stringify(cluster.startupNodes);
  const allOnCluster = { ACTIONHERO_REDIS_CLUSTER: nodes };
  const cacheOnlyOnCluster = {
    REDIS_URL: `${redisUrl().replace(/\/\d*$/, "")}/${testDatabase()}`,
    CACHE_CLUSTER_NODES: nodes,
  };
  servers = await Promise.all([
    startServerProcess(scratch, "dist/server.js", allOnCluster),
    startServerProcess(scratch, "dist/server.js", allOnCluster),
    startServerProcess(scratch, "dist/server.js", cacheOnlyOnCluster),
  ]);
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  if (client) {
    await deleteByPrefixOnCluster(client, prefix);
    client.disconnect();
  }
  await cluster?.stop();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

const call = (server: ServerProcess, op: string, key: string, value?: string) =>
  server.getJson(
    `/api/cacheOps?op=${op}&key=${encodeURIComponent(key)}${value === undefined ? "" : `&value=${encodeURIComponent(value)}`}`,
  );

test("three servers, three owners, all on the cluster", async () => {
  const owners = await Promise.all(servers.map(async (server) => (await call(server, "owner", "-")).result));
  expect(new Set(owners).size).toBe(3);
  for (const server of servers) {
    expect((await call(server, "endpoint", "-")).result).toBe(
      cluster.startupNodes.map((node) => `${node.host}:${node.port}`).join(","),
    );
  }
  // Configured both ways: actionhero's own connections on the cluster for two, on a single node for the third.
  expect(
    await Promise.all(servers.map(async (server) => (await call(server, "actionheroOnCluster", "-")).result)),
  ).toEqual([true, true, false]);
});

test("a value saved through one server loads on the others, readAt showing the other server's read", async () => {
  const [a, b, c] = servers;
  expect((await call(a, "save", "shared-value", "from A")).result).toBe(true);
  const first = (await call(b, "load", "shared-value")).result;
  expect(first).toMatchObject({ value: "from A", readAt: null });
  const second = (await call(c, "load", "shared-value")).result;
  expect(second.value).toBe("from A");
  // B's read was recorded in Redis, so C sees it: after the save, and no later than C's own read.
  expect(second.readAt).toBeGreaterThanOrEqual(first.createdAt);
  const third = (await call(a, "load", "shared-value")).result;
  expect(third.readAt).toBeGreaterThanOrEqual(second.readAt);
});

test("a lock held by one server refuses writes from the other two, and every server's locks() lists it", async () => {
  const [holder, ...others] = servers;
  expect((await call(holder, "save", "guarded", "v1")).result).toBe(true);
  expect((await call(holder, "lock", "guarded")).result).toBe(true);
  for (const other of others) {
    expect(await call(other, "save", "guarded", "intruder")).toMatchObject({ code: "LOCKED" });
    expect(await call(other, "destroy", "guarded")).toMatchObject({ code: "LOCKED" });
    expect(await call(other, "push", "guarded", "intruder")).toMatchObject({ code: "LOCKED" });
    expect((await call(other, "lock", "guarded")).result).toBe(false);
  }
  for (const server of servers) expect((await call(server, "locks", "-")).result).toEqual(["guarded"]);
  expect((await call(holder, "load", "guarded")).result.value).toBe("v1");
  expect((await call(holder, "unlock", "guarded")).result).toBe(true);
  expect((await call(others[1], "save", "guarded", "now C may")).result).toBe(true);
});

test("locks spread over every primary are listed by every server", async () => {
  const keys = Array.from({ length: 40 }, (_, i) => `spread-lock:${i}`);
  expect((await call(servers[1], "lockMany", keys.join(","))).result).toEqual(keys.map(() => true));
  const slots = await Promise.all(
    keys.map(async (key) => Number(await client.cluster("KEYSLOT", `${prefix}lock:{${key}}`))),
  );
  const primaries = new Set(await Promise.all(slots.map(async (slot) => (await cluster.primaryForSlot(slot)).port)));
  expect(primaries.size).toBe(3);
  for (const server of servers)
    expect(((await call(server, "locks", "-")).result as string[]).sort()).toEqual([...keys].sort());
});
