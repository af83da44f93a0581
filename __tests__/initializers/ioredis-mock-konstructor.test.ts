import * as fs from "fs";
import * as path from "path";
import { freePort } from "../../test-support/redis-server";
import { makeScratchDir, writeScratchApp } from "../helpers/scratch-app";
import { ServerProcess, startServerProcess } from "../helpers/server-process";

/**
 * What actionhero's generated redis config suggests for "no real Redis": `konstructor = require("ioredis-mock")`
 * without `fake`. ioredis-mock's Lua emulation answers the cache's scripts wrongly (a free lock looks taken), so the
 * plugin detects it at start, uses its in-memory store and says why. Nothing listens where the config points.
 */
jest.setTimeout(120_000);

const repoRoot = path.join(__dirname, "..", "..");
let scratch: string;
let server: ServerProcess | undefined;

beforeAll(async () => {
  const closedPort = await freePort();
  scratch = makeScratchDir();
  const connection = `{ konstructor: require("ioredis-mock"), args: [{ port: ${closedPort} }], buildNew: true }`;
  writeScratchApp(scratch, {
    pluginPath: repoRoot,
    config: {
      redis: `exports.DEFAULT = { redis: () => ({ _toExpand: false, client: ${connection}, subscriber: ${connection}, tasks: ${connection} }) };\n`,
    },
  });
  // The scratch app has no node_modules of its own: it resolves actionhero and ioredis-mock from this repo's.
  server = await startServerProcess(scratch, "dist/server.js", { NODE_PATH: path.join(repoRoot, "node_modules") });
});

afterAll(async () => {
  await server?.stop();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

test("the plugin uses the in-memory store and logs why, and cacheTest works", async () => {
  const response = await server!.getJson("/api/cacheTest?key=abc&value=def");
  expect(response.error).toBeUndefined();
  expect(response.cacheStore).toBe("memory");
  expect(response.cacheTestResults).toMatchObject({ saveResp: true, loadResp: { value: "def" }, deleteResp: true });
  expect(server!.output()).toContain(
    "ah-cache-plugin: config.redis.client is ioredis-mock, which cannot run the cache's Lua scripts faithfully, " +
      "so api.cache uses the in-memory store; set config.redis.fake = true to say so and silence this warning",
  );
});
