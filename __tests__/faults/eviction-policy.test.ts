import * as path from "path";
import Redis from "ioredis";
import { RedisStore, waitUntilReady } from "../../src/cache";
import { StartedRedis, startRedisServer } from "../../test-support/redis-server";
import { startServerProcess } from "../helpers/server-process";

/**
 * An eviction policy that can evict locks is reported at start; a safe one, or a CONFIG the ACL forbids, is not.
 * On a redis-server of this file's own.
 */
jest.setTimeout(120_000);

let server: StartedRedis;
let admin: Redis;

beforeAll(async () => {
  server = await startRedisServer(["--maxmemory-policy", "allkeys-lru"]);
  admin = new Redis(server.url);
});

afterAll(async () => {
  admin?.disconnect();
  await server?.stop();
});

async function warningWith(client: Redis): Promise<string | undefined> {
  await waitUntilReady(client, 5_000);
  const store = new RedisStore({ client });
  try {
    return await store.evictionWarning();
  } finally {
    await store.close();
    client.disconnect();
  }
}

test.each([
  ["allkeys-lru", /maxmemory-policy allkeys-lru: when memory is full it may evict held locks and fencing counters/],
  [
    "volatile-ttl",
    /maxmemory-policy volatile-ttl: when memory is full it may evict held locks and their fencing counters \(they carry a TTL\)/,
  ],
  ["noeviction", undefined],
])("maxmemory-policy %s", async (policy, expected) => {
  await admin.config("SET", "maxmemory-policy", policy);
  const warning = await warningWith(new Redis(server.url));
  if (expected) expect(warning).toMatch(expected);
  else expect(warning).toBeUndefined();
});

test("an ACL user that may not run CONFIG gets no warning and no error", async () => {
  await admin.config("SET", "maxmemory-policy", "allkeys-lru");
  await admin.call("ACL", "SETUSER", "no-config", "on", ">secret", "~*", "&*", "+@all", "-config");
  try {
    expect(await warningWith(new Redis(server.url, { username: "no-config", password: "secret" }))).toBeUndefined();
  } finally {
    await admin.call("ACL", "DELUSER", "no-config");
  }
});

test("a server started on such a Redis logs the warning once", async () => {
  await admin.config("SET", "maxmemory-policy", "allkeys-lru");
  const demo = await startServerProcess(path.join(__dirname, "..", ".."), "dist/server.js", {
    REDIS_URL: `${server.url}/0`,
  });
  try {
    const output = demo.output();
    expect(output.match(/maxmemory-policy allkeys-lru/g)).toHaveLength(1);
  } finally {
    await demo.stop();
  }
});
