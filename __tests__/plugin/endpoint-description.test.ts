import Redis, { Cluster } from "ioredis";
import { describeEndpoint } from "../../src/cache";

/**
 * The endpoint description goes into every UNAVAILABLE message, the start-up log and cacheStatus, so it names hosts
 * and ports only, in every form ioredis accepts an address in. Real ioredis clients, built with lazyConnect: they
 * never connect, and what they were given is what describeEndpoint reads.
 */
const SECRET = "s3cret-Pa55";
const USER = "cacheuser";
const clients: Array<Redis | Cluster> = [];

function single(...args: unknown[]): Redis {
  const client = new (Redis as unknown as new (...args: unknown[]) => Redis)(...args);
  clients.push(client);
  return client;
}

function cluster(nodes: unknown[]): Cluster {
  const client = new Cluster(nodes as ConstructorParameters<typeof Cluster>[0], {
    lazyConnect: true,
    redisOptions: { username: USER, password: SECRET },
  });
  clients.push(client);
  return client;
}

afterAll(() => {
  for (const client of clients) client.disconnect();
});

function expectDescription(client: Redis | Cluster, expected: string): void {
  const description = describeEndpoint(client);
  expect(description).toBe(expected);
  expect(description).not.toContain(SECRET);
  expect(description).not.toContain(USER);
}

describe("a single Redis", () => {
  test.each([
    ["a URL with user and password", `redis://${USER}:${SECRET}@10.0.0.1:6380/2`, "10.0.0.1:6380"],
    ["a URL with only a password", `redis://:${SECRET}@10.0.0.1:6380`, "10.0.0.1:6380"],
    ["a TLS URL", `rediss://${USER}:${SECRET}@cache.example:6390/0`, "cache.example:6390"],
    ["a ?password= query", `redis://10.0.0.1:6380/0?password=${SECRET}&username=${USER}`, "10.0.0.1:6380"],
    ["a socket path with a ?password= query", `/tmp/redis.sock?password=${SECRET}`, "/tmp/redis.sock"],
  ])("given %s", (_, url, expected) => {
    expectDescription(single(url, { lazyConnect: true }), expected);
  });

  test("given an options object with username and password", () => {
    expectDescription(
      single({ host: "10.0.0.1", port: 6380, username: USER, password: SECRET, lazyConnect: true }),
      "10.0.0.1:6380",
    );
  });
});

describe("Sentinel", () => {
  test("names the master and the sentinels, never the data nodes' or the sentinels' credentials", () => {
    const client = single({
      sentinels: [
        { host: "10.0.0.1", port: 26379 },
        { host: "10.0.0.2", port: 26380 },
      ],
      name: "mymaster",
      username: USER,
      password: SECRET,
      sentinelUsername: USER,
      sentinelPassword: SECRET,
      lazyConnect: true,
    });
    expectDescription(client, "mymaster via sentinels 10.0.0.1:26379,10.0.0.2:26380");
  });
});

describe("Cluster startup nodes", () => {
  test("in every form ioredis takes, host:port only", () => {
    const client = cluster([
      `redis://:${SECRET}@10.0.0.1:7000`,
      `redis://${USER}:${SECRET}@10.0.0.2:7001/0?password=${SECRET}`,
      `rediss://${USER}:${SECRET}@10.0.0.3:7002`,
      `//:${SECRET}@10.0.0.4:7003`,
      `${USER}:${SECRET}@10.0.0.5:7004`,
      "10.0.0.6:7005",
      `10.0.0.7:7006?password=${SECRET}`,
      "10.0.0.8",
      7007,
      "7008",
      { host: "10.0.0.9", port: 7009, username: USER, password: SECRET },
      { port: 7010 },
    ]);
    expectDescription(
      client,
      [
        "10.0.0.1:7000",
        "10.0.0.2:7001",
        "10.0.0.3:7002",
        "10.0.0.4:7003",
        "10.0.0.5:7004",
        "10.0.0.6:7005",
        "10.0.0.7:7006",
        "10.0.0.8:6379",
        "127.0.0.1:7007",
        "127.0.0.1:7008",
        "10.0.0.9:7009",
        "127.0.0.1:7010",
      ].join(","),
    );
  });

  test("a node string that is no URL at all is not repeated, since it may hold a password", () => {
    expectDescription(cluster([`redis://:${SECRET}@[not-an-address`]), "(an address that is not a valid URL)");
  });
});
