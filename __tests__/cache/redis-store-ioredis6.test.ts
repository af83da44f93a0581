import type { Redis } from "ioredis";
import Redis6 from "ioredis6";
import { deleteByPrefix, redisUrl, testDatabase } from "../helpers/redis";
import { runConformanceSuite } from "./conformance";
import { redisTarget } from "./redis-target";

/**
 * ioredis 6 as the user's konstructor: it speaks RESP3 by default (HELLO 3), so every script reply, SCAN page,
 * INFO and CONFIG GET the store reads arrives through the RESP3 parser. The store is typed against ioredis 5; the
 * cast is the one place that says a 6 client is accepted where a 5 client is.
 */
const redis = new Redis6(redisUrl(), { db: testDatabase() }) as unknown as Redis;

afterAll(async () => {
  await redis.quit();
});

runConformanceSuite(
  "redis store on ioredis 6 (RESP3)",
  redisTarget(
    "ioredis6",
    () => redis,
    (prefix) => deleteByPrefix(redis, prefix),
  ),
);

test("the ioredis 6 connection really speaks RESP3, so the suite above ran through its RESP3 parser", async () => {
  expect(String(await redis.call("CLIENT", "INFO"))).toMatch(/ resp=3\b/);
});
