import * as path from "path";
import { sleep } from "../helpers/redis";
import { StartedRedis, startRedisServer } from "../../test-support/redis-server";
import { ServerProcess, startServerProcess } from "../helpers/server-process";

/** The demo actionhero server keeps serving while its Redis is killed, and recovers when Redis returns. */
jest.setTimeout(120_000);

let redis: StartedRedis;
let server: ServerProcess;

beforeAll(async () => {
  redis = await startRedisServer();
  server = await startServerProcess(path.join(__dirname, "..", ".."), "dist/server.js", {
    REDIS_URL: `${redis.url}/0`,
  });
});

afterAll(async () => {
  await server?.stop();
  await redis?.stop();
});

test("cacheTest answers an error while Redis is down, success after, and the server never goes down", async () => {
  expect((await server.getJson("/api/cacheTest?key=before&value=works")).cacheStore).toBe("redis");

  await redis.kill();
  const started = Date.now();
  const during = await server.getJson("/api/cacheTest?key=during&value=fails");
  const waited = Date.now() - started;
  expect(during.cacheTestResults).toBeUndefined();
  expect(during.error).toMatch(/Redis at 127\.0\.0\.1:\d+ is unavailable/);
  expect(waited).toBeLessThan(5000 + 2000);
  expect(server.process.exitCode).toBeNull();

  redis = await startRedisServer([], { port: redis.port, dir: redis.dir });
  const deadline = Date.now() + 30_000;
  let after: Record<string, any> = {};
  while (Date.now() < deadline) {
    after = await server.getJson("/api/cacheTest?key=after&value=works");
    if (after.cacheStore) break;
    await sleep(200);
  }
  expect(after.cacheTestResults.loadResp.value).toBe("works");
  expect(server.process.exitCode).toBeNull();
  expect(server.output()).not.toMatch(/unhandledRejection|uncaughtException/i);
});
