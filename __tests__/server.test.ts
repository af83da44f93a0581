import * as path from "path";
import { freePort } from "../test-support/redis-server";
import { redisUrl, testDatabase } from "./helpers/redis";
import { ServerProcess, startServerProcess } from "./helpers/server-process";

/** `npm start` runs dist/server.js: the demo server, as a real process. */
const repoRoot = path.join(__dirname, "..");
let server: ServerProcess | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

test("with Redis reachable, the demo server uses it and prints where to point curl", async () => {
  const url = new URL(redisUrl());
  url.pathname = `/${testDatabase()}`;
  server = await startServerProcess(repoRoot, "dist/server.js", { REDIS_URL: url.toString() });
  const response = await server.getJson("/api/cacheTest?key=abc&value=def");
  expect(response.cacheStore).toBe("redis");
  expect(response.cacheTestResults.loadResp.value).toBe("def");
  expect(server.output()).toMatch(/Try: curl 'http:\/\/localhost:\d+\/api\/cacheTest\?key=abc&value=def'/);
  expect(server.output()).toMatch(/Status: curl 'http:\/\/localhost:\d+\/api\/cacheStatus'/);
  const status = await server.getJson("/api/cacheStatus");
  expect(status.cacheStatus).toMatchObject({
    store: "redis",
    connection: "ready",
    stats: { saves: 1, loads: 1, hits: 1 },
  });
});

test("with no REDIS_URL and nothing listening, it starts in in-memory mode", async () => {
  const closedPort = await freePort();
  server = await startServerProcess(repoRoot, "dist/server.js", { REDIS_URL: "", REDIS_PORT: String(closedPort) });
  const response = await server.getJson("/api/cacheTest?key=abc&value=def");
  expect(response.cacheStore).toBe("memory");
  expect(response.cacheTestResults.loadResp.value).toBe("def");
  expect(server.output()).toMatch(/starting in in-memory mode/);
  // The demo's config only sets config.redis.fake: the plugin itself moved actionhero's connections to ioredis-mock.
  expect(server.output()).toContain(
    "ah-cache-plugin: in-memory mode (config.redis.fake): actionhero's own connections use ioredis-mock",
  );
  expect(server.output()).not.toMatch(/ECONNREFUSED/);
  expect((await server.getJson("/api/cacheStatus")).cacheStatus).toMatchObject({
    store: "memory",
    connection: "ready",
  });
});

test("with NODE_ENV=production, the plugin registers no routes: its actions answer only where the app routes them", async () => {
  const url = new URL(redisUrl());
  url.pathname = `/${testDatabase()}`;
  server = await startServerProcess(repoRoot, "dist/server.js", { REDIS_URL: url.toString(), NODE_ENV: "production" });
  for (const action of ["cacheTest", "cacheStatus"]) {
    const response = await server.getJson(`/api/${action}?key=abc&value=def`);
    expect(response.error).toBe("unknown action or invalid apiVersion");
  }
  expect(server.output()).toMatch(/"registerRoutes":false/);
});
