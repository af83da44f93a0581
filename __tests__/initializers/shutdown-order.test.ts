import * as fs from "fs";
import * as path from "path";
import { connectRedis, deleteByPrefix, redisUrl, testDatabase, uniquePrefix } from "../helpers/redis";
import { makeScratchDir, writeScratchApp } from "../helpers/scratch-app";
import { ServerProcess, startServerProcess } from "../helpers/server-process";
import { until } from "../../test-support/redis-node";

/**
 * An app initializer at actionhero's default priorities takes a leader lock in start() and releases it in stop().
 * On SIGTERM its stop() runs before the plugin closes api.cache, so the unlock succeeds and no lock is left behind
 * for its TTL.
 */
jest.setTimeout(120_000);

const repoRoot = path.join(__dirname, "..", "..");
const prefix = uniquePrefix("shutdown");
const lockPrefix = `${prefix}lock:`;
const redis = connectRedis();
let scratch: string;
let server: ServerProcess | undefined;

const LEADER_INITIALIZER = `const { Initializer, api } = require("actionhero");

exports.Leader = class Leader extends Initializer {
  constructor() {
    super();
    this.name = "leader";
  }
  async start() {
    console.log("leader lock: " + (await api.cache.lock("leader", 60000)));
  }
  async stop() {
    try {
      console.log("leader unlock: " + (await api.cache.unlock("leader")));
    } catch (error) {
      console.log("leader unlock failed: " + error.code + " " + error.message);
    }
  }
};
`;

beforeAll(async () => {
  scratch = makeScratchDir();
  writeScratchApp(scratch, {
    pluginPath: repoRoot,
    config: {
      leader: `exports.DEFAULT = { general: () => ({ paths: { initializer: [require("path").join(__dirname, "..", "initializers")] } }) };\n`,
      cache: `exports.DEFAULT = { cache: () => (${JSON.stringify({ prefix: `${prefix}object:`, lockPrefix })}) };\n`,
    },
  });
  fs.mkdirSync(path.join(scratch, "dist", "initializers"), { recursive: true });
  fs.writeFileSync(path.join(scratch, "dist", "initializers", "leader.js"), LEADER_INITIALIZER);
  const url = new URL(redisUrl());
  url.pathname = `/${testDatabase()}`;
  // The scratch app has no node_modules of its own: it resolves actionhero from this repo's.
  server = await startServerProcess(scratch, "dist/server.js", {
    NODE_PATH: path.join(repoRoot, "node_modules"),
    REDIS_URL: url.toString(),
  });
});

afterAll(async () => {
  await server?.stop();
  await deleteByPrefix(redis, prefix);
  await redis.quit();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

test("on SIGTERM, an app initializer's stop() can still unlock through api.cache, and the lock is gone", async () => {
  // The web server answers from startPriority 900, before the leader's start() (1000) has taken its lock.
  await until("the leader's start()", 30_000, async () => server!.output().includes("leader lock:"));
  expect(server!.output()).toContain("leader lock: true");
  expect(await redis.exists(`${lockPrefix}{leader}`)).toBe(1);

  await server!.stop();

  expect(server!.output()).not.toContain("leader unlock failed");
  expect(server!.output()).toContain("leader unlock: true");
  expect(await redis.exists(`${lockPrefix}{leader}`)).toBe(0);
});
