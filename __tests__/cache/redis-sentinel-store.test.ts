import Redis from "ioredis";
import { Cache, RedisStore, failFastOptions, waitUntilReady } from "../../src/cache";
import { deleteByPrefix, sleep, uniquePrefix } from "../helpers/redis";
import { SENTINEL_MASTER_NAME, StartedSentinelSetup, startSentinelSetup } from "../../test-support/redis-sentinel";
import { runConformanceSuite } from "./conformance";
import { redisTarget } from "./redis-target";

/**
 * The conformance suite through a Sentinel-managed primary (one primary, one replica, one sentinel, started for
 * this file), connected with ioredis's sentinel options as the README's Sentinel config does; then a failover.
 */
jest.setTimeout(120_000);

let setup: StartedSentinelSetup;
let client: Redis;

beforeAll(async () => {
  setup = await startSentinelSetup();
  client = new Redis({ sentinels: setup.sentinels, name: SENTINEL_MASTER_NAME, ...failFastOptions(2000) });
  client.on("error", () => undefined);
  if (!(await waitUntilReady(client, 20_000))) throw new Error("the sentinel client did not become ready");
});

afterAll(async () => {
  client?.disconnect();
  await setup?.stop();
});

runConformanceSuite(
  "redis via sentinel",
  redisTarget(
    "sentinel-conformance",
    () => client,
    (prefix) => deleteByPrefix(client, prefix),
  ),
);

test("after a sentinel failover the same client writes to the promoted replica", async () => {
  const prefix = uniquePrefix("sentinel-failover");
  const store = new RedisStore({ client, prefix: `${prefix}obj:`, lockPrefix: `${prefix}lock:` });
  const cache = new Cache({ store, owner: "via-sentinel" });
  await cache.save("before", "failover");
  expect(await setup.currentPrimaryPort()).toBe(setup.primary.port);

  const sentinel = new Redis({ port: setup.sentinels[0].port });
  expect(await sentinel.call("SENTINEL", "FAILOVER", SENTINEL_MASTER_NAME)).toBe("OK");
  sentinel.disconnect();
  const deadline = Date.now() + 60_000;
  while ((await setup.currentPrimaryPort()) !== setup.replica.port) {
    if (Date.now() > deadline) throw new Error("the sentinel did not promote the replica");
    await sleep(100);
  }
  // Calls fail with UNAVAILABLE (or LOADING-style transient errors) until ioredis follows the sentinel to the new primary.
  let saved = false;
  while (!saved) {
    if (Date.now() > deadline) throw new Error("the client never reached the new primary");
    saved = await cache.save("after", "failover").then(
      () => true,
      (error) => {
        expect(["UNAVAILABLE", "STORE_ERROR"]).toContain(error.code);
        return sleep(100).then(() => false);
      },
    );
  }
  expect((await cache.load("before")).value).toBe("failover");
  expect((await cache.load("after")).value).toBe("failover");
  const formerReplica = new Redis(setup.replica.url);
  expect(await formerReplica.info("replication")).toMatch(/role:master/);
  formerReplica.disconnect();
  await store.close();
});
