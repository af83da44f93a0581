import { EventEmitter } from "events";
import Redis from "ioredis";
import { config } from "actionhero";
import { logConnectionState } from "../../src/plugin/connection-log";
import { openRedisClient } from "../../src/plugin/redis-client";
import { StartedRedis, startRedisServer } from "../../test-support/redis-server";

/**
 * While Redis is away, ioredis emits "error" on every failed reconnect. The plugin logs the outage, not the
 * retries: one warning, a reminder with the count at most once a minute, one info line when it is back. The clock
 * is injected, so a minute passes without waiting for it.
 */
type Line = [level: string, message: string];

function recorder(): { lines: Line[]; clock: { now: number }; options: Parameters<typeof logConnectionState>[2] } {
  const lines: Line[] = [];
  const clock = { now: 1_000_000 };
  return { lines, clock, options: { log: (message, level) => lines.push([level, message]), now: () => clock.now } };
}

const refused = () => new Error("connect ECONNREFUSED 10.0.0.1:6379");

describe("on events", () => {
  test("failures within a minute log one warning; a minute on, one reminder with the count; back, one info line", () => {
    const { lines, clock, options } = recorder();
    const client = new EventEmitter();
    logConnectionState(client, "10.0.0.1:6379", options);
    client.emit("ready");
    expect(lines).toEqual([]);

    for (let second = 0; second < 59; second++) {
      clock.now += 1000;
      client.emit("error", refused());
    }
    expect(lines).toEqual([
      [
        "warning",
        "ah-cache-plugin: lost the connection to Redis at 10.0.0.1:6379: connect ECONNREFUSED 10.0.0.1:6379; " +
          "api.cache answers UNAVAILABLE until it is back (further failures are counted, and logged at most once a minute)",
      ],
    ]);

    clock.now += 2000;
    client.emit("error", new Error("connect ETIMEDOUT"));
    expect(lines.slice(1)).toEqual([
      [
        "warning",
        "ah-cache-plugin: Redis at 10.0.0.1:6379 still unreachable: 59 failed attempts in the last 60 s " +
          "(last error: connect ETIMEDOUT)",
      ],
    ]);

    // The next reminder is a minute after this one.
    for (let i = 0; i < 20; i++) client.emit("error", refused());
    expect(lines).toHaveLength(2);
    clock.now += 60_000;
    client.emit("error", refused());
    expect(lines[2][1]).toBe(
      "ah-cache-plugin: Redis at 10.0.0.1:6379 still unreachable: 21 failed attempts in the last 60 s " +
        "(last error: connect ECONNREFUSED 10.0.0.1:6379)",
    );

    clock.now += 500;
    client.emit("ready");
    client.emit("ready");
    expect(lines.slice(3)).toEqual([
      ["info", "ah-cache-plugin: Redis at 10.0.0.1:6379 is reachable again, after 121 s and 81 failed attempts"],
    ]);
  });

  test("a connection that never came up says it cannot connect; a later outage is a new one", () => {
    const { lines, options } = recorder();
    const client = new EventEmitter();
    logConnectionState(client, "10.0.0.1:6379", options);
    client.emit("error", refused());
    client.emit("error", refused());
    client.emit("ready");
    client.emit("error", refused());
    expect(lines).toEqual([
      ["warning", expect.stringMatching(/^ah-cache-plugin: cannot connect to Redis at 10\.0\.0\.1:6379: connect /)],
      ["info", "ah-cache-plugin: Redis at 10.0.0.1:6379 is reachable again, after 0 s and 2 failed attempts"],
      ["warning", expect.stringMatching(/^ah-cache-plugin: lost the connection to Redis at 10\.0\.0\.1:6379: /)],
    ]);
  });
});

describe("the plugin's own connection, to a real redis-server that stops and starts again", () => {
  let redis: StartedRedis;
  let client: Redis | undefined;
  const redisConfig = (config as unknown as { redis: { client: unknown } }).redis;
  const configured = redisConfig.client;

  beforeAll(async () => {
    redis = await startRedisServer();
  });

  afterAll(async () => {
    redisConfig.client = configured;
    client?.disconnect();
    await redis?.stop();
  });

  /** Resolves once the client has emitted `count` more errors. */
  function errors(target: Redis, count: number): Promise<void> {
    return new Promise((resolve) => {
      let seen = 0;
      const onError = () => {
        if (++seen < count) return;
        target.off("error", onError);
        resolve();
      };
      target.on("error", onError);
    });
  }

  test("logs the outage once, a reminder a minute later, and the return", async () => {
    // Retries every 20 ms, so there are many of them; disconnectTimeout keeps no ioredis timer past the test.
    const args = [{ host: "127.0.0.1", port: redis.port, retryStrategy: () => 20, disconnectTimeout: 50 }];
    redisConfig.client = { konstructor: Redis, args, buildNew: true };
    const { lines, clock, options } = recorder();
    client = openRedisClient(1000, undefined, options).client as Redis;
    await new Promise((resolve) => client!.once("ready", resolve));

    const failures = errors(client, 10);
    await redis.kill();
    await failures;
    expect(lines).toEqual([
      ["warning", expect.stringMatching(/^ah-cache-plugin: lost the connection to Redis at 127\.0\.0\.1:\d+: /)],
    ]);

    clock.now += 60_000;
    await errors(client, 1);
    expect(lines.slice(1)).toEqual([
      [
        "warning",
        expect.stringMatching(
          /^ah-cache-plugin: Redis at 127\.0\.0\.1:\d+ still unreachable: \d+ failed attempts in the last 60 s/,
        ),
      ],
    ]);
    expect(Number(/unreachable: (\d+)/.exec(lines[1][1])![1])).toBeGreaterThanOrEqual(10);

    const back = new Promise((resolve) => client!.once("ready", resolve));
    redis = await startRedisServer([], { port: redis.port, dir: redis.dir });
    await back;
    expect(lines.slice(2)).toEqual([
      [
        "info",
        expect.stringMatching(
          /^ah-cache-plugin: Redis at 127\.0\.0\.1:\d+ is reachable again, after 60 s and \d+ failed attempts$/,
        ),
      ],
    ]);
  });
});
