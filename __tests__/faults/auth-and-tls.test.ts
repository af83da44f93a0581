import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import Redis, { RedisOptions } from "ioredis";
import { Cache, CacheError, RedisStore, failFastOptions, waitUntilReady } from "../../src/cache";
import { freePort, StartedRedis, startRedisServer } from "../../test-support/redis-server";
import { ServerProcess, startServerProcess } from "../helpers/server-process";

/** Password, ACL-restricted user and TLS, each on a redis-server of its own. */
jest.setTimeout(120_000);

const PREFIX = "acl-app:";

async function exercise(
  options: RedisOptions & { url?: string },
  expectReady = true,
): Promise<{ cache: Cache; close(): Promise<void> }> {
  const { url, ...rest } = options;
  // A refused client is between reconnect attempts when close() disconnects it: its socket closed already, so
  // ioredis's timer to destroy that socket (disconnectTimeout, 2 s by default) is never cleared and kept the jest
  // worker alive after this file. 100 ms, as the plugin's own tracking connection has.
  const clientOptions = { ...failFastOptions(1000), disconnectTimeout: 100, ...rest };
  const client = url ? new Redis(url, clientOptions) : new Redis({ host: "127.0.0.1", ...clientOptions });
  const store = new RedisStore({
    client,
    prefix: `${PREFIX}obj:`,
    lockPrefix: `${PREFIX}lock:`,
    operationTimeoutMs: 1000,
  });
  // Without an offline queue nothing waits for the connection, so the test does, once.
  expect(await waitUntilReady(client, expectReady ? 5000 : 500)).toBe(expectReady);
  const cache = new Cache({ store, owner: "a" });
  return {
    cache,
    close: async () => {
      await store.close();
      client.disconnect();
    },
  };
}

/** Every kind of call the plugin makes, including a waiting lock that needs the pub/sub channel. */
async function everyKindOfCall(cache: Cache) {
  const other = cache.withOwner("b");
  expect(await cache.save("k", { v: 1 }, 10_000)).toBe(true);
  expect((await cache.load("k", { expireTimeMS: 20_000 })).value).toEqual({ v: 1 });
  expect(await other.lock("k", 10_000)).toBe(true);
  const waiting = cache.lock("k", 10_000, { retry: 5_000 });
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(await cache.locks({ details: true })).toEqual([expect.objectContaining({ key: "k", owner: "b" })]);
  expect(await other.unlock("k")).toBe(true);
  expect(await waiting).toBe(true);
  expect(await cache.withLock("w", () => "ran")).toBe("ran");
  expect(await cache.unlock("k")).toBe(true);
  expect(await cache.destroy("k")).toBe(true);
}

describe("requirepass", () => {
  let server: StartedRedis;
  beforeAll(async () => {
    server = await startRedisServer(["--requirepass", "s3cret"]);
  });
  afterAll(() => server.stop());

  test("the right password works for every call", async () => {
    const { cache, close } = await exercise({ port: server.port, password: "s3cret" });
    try {
      await everyKindOfCall(cache);
    } finally {
      await close();
    }
  });

  test.each([
    ["a wrong password", "wrong", /WRONGPASS/],
    ["no password", undefined, /NOAUTH/],
  ])("%s fails with UNAVAILABLE naming the server and the refusal", async (_, password, reason) => {
    const { cache, close } = await exercise({ port: server.port, password, retryStrategy: () => 200 }, false);
    try {
      const error = (await cache.save("k", 1).catch((failure) => failure)) as CacheError;
      expect(error).toBeInstanceOf(CacheError);
      expect(error.code).toBe("UNAVAILABLE");
      expect(error.message).toContain(`127.0.0.1:${server.port}`);
      expect(error.message).toMatch(reason);
    } finally {
      await close();
    }
  });
});

describe("an ACL user limited to the plugin's key prefix and channels", () => {
  let server: StartedRedis;
  beforeAll(async () => {
    server = await startRedisServer();
    const admin = new Redis(server.port);
    await admin.call(
      "ACL",
      "SETUSER",
      "cacheapp",
      "on",
      ">apppass",
      `~${PREFIX}*`,
      `&${PREFIX}*`,
      "+@all",
      "-@dangerous",
      "+info",
    );
    await admin.quit();
  });
  afterAll(() => server.stop());

  test("can make every call the plugin makes", async () => {
    const { cache, close } = await exercise({ port: server.port, username: "cacheapp", password: "apppass" });
    try {
      await everyKindOfCall(cache);
    } finally {
      await close();
    }
  });

  test("really is limited: keys outside the prefix are refused", async () => {
    const client = new Redis({ port: server.port, username: "cacheapp", password: "apppass" });
    try {
      await expect(client.set("elsewhere", "x")).rejects.toThrow(/NOPERM/);
    } finally {
      client.disconnect();
    }
  });
});

describe("TLS", () => {
  let server: StartedRedis;
  let tlsPort: number;
  let certDir: string;

  beforeAll(async () => {
    tlsPort = await freePort();
    certDir = fs.mkdtempSync(path.join(os.tmpdir(), "ah-cache-tls-"));
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        path.join(certDir, "key.pem"),
        "-out",
        path.join(certDir, "cert.pem"),
      ],
      { stdio: "ignore" },
    );
    server = await startRedisServer(
      [
        "--port",
        "0",
        "--tls-port",
        String(tlsPort),
        "--tls-cert-file",
        path.join(certDir, "cert.pem"),
        "--tls-key-file",
        path.join(certDir, "key.pem"),
        "--tls-ca-cert-file",
        path.join(certDir, "cert.pem"),
        "--tls-auth-clients",
        "no",
      ],
      { probePort: tlsPort },
    );
  });
  afterAll(async () => {
    await server.stop();
    fs.rmSync(certDir, { recursive: true, force: true });
  });

  test("the library works over rediss://", async () => {
    const { cache, close } = await exercise({
      url: `rediss://127.0.0.1:${tlsPort}`,
      tls: { ca: fs.readFileSync(path.join(certDir, "cert.pem")) },
    });
    try {
      await everyKindOfCall(cache);
    } finally {
      await close();
    }
  });

  test("a server configured with REDIS_URL=rediss://… passes TLS through to the plugin's connection", async () => {
    let app: ServerProcess | undefined;
    try {
      app = await startServerProcess(path.join(__dirname, "..", ".."), "dist/server.js", {
        REDIS_URL: `rediss://127.0.0.1:${tlsPort}/0`,
      });
      const response = await app.getJson("/api/cacheTest?key=tls&value=works");
      expect(response.cacheStore).toBe("redis");
      expect(response.cacheTestResults.loadResp.value).toBe("works");
    } finally {
      await app?.stop();
    }
  });
});
