import { SpawnSyncReturns, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Cache, RedisStore } from "../../src/cache";
import { connectRedis, deleteByPrefix, redisUrl, testDatabase, uniquePrefix } from "../helpers/redis";
import {
  FAKE_REDIS_ON_REQUEST,
  installPackedPlugin,
  installedPluginPath,
  makeScratchDir,
  writeScratchApp,
} from "../helpers/scratch-app";

/**
 * The plugin's CLI commands, run as real subprocesses (`actionhero <command>`) of a scratch project that installed
 * the packed plugin, against a namespace of their own in the test database.
 */
jest.setTimeout(300_000);
/**
 * A TTL longer than a test may run (its timeout, above): a key or lock saved with it is still there at the test's
 * last step, however long the commands before took to boot. Steps take seconds, or minutes on a loaded machine.
 */
const OUTLIVES_THE_TEST = 3_600_000;

const redis = connectRedis();
const prefix = uniquePrefix("cli");
const layout = { prefix: `${prefix}object:`, lockPrefix: `${prefix}lock:` };
const store = new RedisStore({ client: redis, ...layout });
const cache = new Cache({ store, owner: "seeding-test" });
let scratch: string;

beforeAll(() => {
  scratch = makeScratchDir();
  writeScratchApp(scratch, {
    pluginPath: installedPluginPath(scratch),
    config: { cache: `exports.DEFAULT = { cache: () => (${JSON.stringify(layout)}) };\n`, fake: FAKE_REDIS_ON_REQUEST },
    // Without the core actions there is no "cacheTest will be overridden" warning: actionhero's own console logger
    // writes to stdout, which only the plugin's own lines must stay off.
    coreActions: false,
  });
  // ioredis-mock, as a project that uses in-memory mode has it (an optional peer dependency of the plugin).
  installPackedPlugin(scratch, ["ioredis-mock@^8"]);
});

afterAll(async () => {
  await deleteByPrefix(redis, prefix);
  await store.close();
  await redis.quit();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

beforeEach(async () => {
  await cache.clear({ locks: true });
});

const url = new URL(redisUrl());
const commandEnv = {
  ...process.env,
  NODE_ENV: "development",
  TS_JEST: "",
  ACTIONHERO_TYPESCRIPT_MODE: "false",
  REDIS_HOST: url.hostname,
  REDIS_PORT: url.port || "6379",
  REDIS_DB: String(testDatabase()),
  // Pub/sub channels span every Redis database: on actionhero's default channel, the command would also log (to
  // stdout, actionhero's logger) other test servers joining and leaving. A channel of its own keeps it alone.
  ACTIONHERO_CONFIG_OVERRIDES: JSON.stringify({ general: { channel: `${prefix}channel` } }),
};

function actionhero(...args: string[]): SpawnSyncReturns<string> {
  return spawnSync(
    process.execPath,
    [path.join(scratch, "node_modules", "actionhero", "dist", "bin", "actionhero.js"), ...args],
    {
      cwd: scratch,
      env: commandEnv,
      encoding: "utf8",
      timeout: 60_000,
    },
  );
}

test("`actionhero --help` in the user's project lists the plugin's commands", () => {
  const result = actionhero("--help");
  expect(result.status).toBe(0);
  for (const command of [
    "cache-locks",
    "cache-keys [prefix]",
    "cache-dump <file>",
    "cache-restore [options] <file>",
    "cache-clear [options] [prefix]",
  ]) {
    expect(result.stdout).toContain(command);
  }
});

test("cache-keys lists the live keys, optionally by prefix", async () => {
  await cache.save("user:1", 1);
  await cache.save("user:2", 2);
  await cache.save("session:1", 3);
  await cache.save("line\nbreak", 4);
  const all = actionhero("cache-keys");
  expect(all.status).toBe(0);
  // stdout is the keys and nothing else; the plugin's start-up line and the count go to stderr, without colours.
  expect(all.stdout).toBe('"line\\nbreak"\nsession:1\nuser:1\nuser:2\n');
  expect(all.stderr).toMatch(/^ah-cache-plugin: redis store, options in effect: \{.*\}\n4 key\(s\)\n$/);
  expect(all.stderr).not.toContain("\u001b[");
  const users = actionhero("cache-keys", "user:");
  expect(users.stdout.split("\n").filter(Boolean)).toEqual(["user:1", "user:2"]);
});

test("cache-locks lists each lock with its owner and remaining TTL", async () => {
  await cache.lock("busy", OUTLIVES_THE_TEST);
  await cache.withOwner("other-server").lock("also-busy", OUTLIVES_THE_TEST / 2);
  const result = actionhero("cache-locks");
  expect(result.status).toBe(0);
  const rows = result.stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => line.split("\t"));
  expect(rows.map(([key, owner]) => [key, owner])).toEqual([
    ["also-busy", "other-server"],
    ["busy", "seeding-test"],
  ]);
  // The TTL it printed lies between the one set and the one left now, whatever time the command took.
  for (const [[key, , ttl], set] of [
    [rows[0], OUTLIVES_THE_TEST / 2],
    [rows[1], OUTLIVES_THE_TEST],
  ] as const) {
    expect(Number(ttl)).toBeLessThanOrEqual(set);
    expect(Number(ttl)).toBeGreaterThanOrEqual(await redis.pttl(store.layout.lockKey(key)));
  }
});

test("cache-dump, cache-clear --yes and cache-restore round-trip the namespace with TTLs; --merge keeps newer keys", async () => {
  await cache.save("kept", { v: 1 }, OUTLIVES_THE_TEST);
  await cache.save("forever", "f");
  await cache.push("queue", "item");
  const before = await redis.pexpiretime(store.layout.objectKey("kept"));
  const file = path.join(scratch, "dump.jsonl");

  const dump = actionhero("cache-dump", file);
  expect(dump.status).toBe(0);
  expect(dump.stdout).toBe("");
  expect(dump.stderr).toContain(`wrote 3 entries to ${file}`);
  // stderr is not a terminal here: no progress line.
  expect(dump.stderr).not.toContain("dumped");

  const refused = actionhero("cache-clear");
  expect(refused.status).toBe(1);
  expect(refused.stderr + refused.stdout).toMatch(/run it again with --yes/);
  expect((await cache.keys()).sort()).toEqual(["forever", "kept"]);

  const cleared = actionhero("cache-clear", "--yes");
  expect(cleared.status).toBe(0);
  expect(cleared.stderr).toContain("removed 3 objects and lists");
  expect(await cache.keys()).toEqual([]);

  const restore = actionhero("cache-restore", file);
  expect(restore.status).toBe(0);
  expect(restore.stderr).toContain("restored 3 entries");
  expect((await cache.keys()).sort()).toEqual(["forever", "kept"]);
  expect(await redis.pexpiretime(store.layout.objectKey("kept"))).toBe(before);
  expect(await cache.pop("queue")).toBe("item");

  await cache.save("newer", "n");
  await cache.save("kept", "changed");
  const merge = actionhero("cache-restore", file, "--merge");
  expect(merge.status).toBe(0);
  expect((await cache.keys()).sort()).toEqual(["forever", "kept", "newer"]);
  expect((await cache.load("kept")).value).toEqual({ v: 1 });
});

test("cache-restore refuses a truncated dump, naming the line, and changes nothing", async () => {
  await cache.save("a", 1);
  await cache.save("b", 2);
  const file = path.join(scratch, "truncated.jsonl");
  expect(actionhero("cache-dump", file).status).toBe(0);
  const lines = fs.readFileSync(file, "utf8").split("\n");
  fs.writeFileSync(file, lines.slice(0, 3).join("\n") + "\n");
  await cache.save("c", 3);
  const result = actionhero("cache-restore", file);
  expect(result.status).toBe(1);
  expect(result.stderr + result.stdout).toMatch(
    /truncated\.jsonl line 3: the file ends without its closing line after 2 entries/,
  );
  expect((await cache.keys()).sort()).toEqual(["a", "b", "c"]);
});

test("cache-dump shows progress on stderr when it is a terminal", async () => {
  for (let i = 0; i < 50; i += 1) await cache.save(`k${i}`, i);
  const file = path.join(scratch, "tty.jsonl");
  const command = [
    process.execPath,
    path.join(scratch, "node_modules", "actionhero", "dist", "bin", "actionhero.js"),
    "cache-dump",
    file,
  ]
    .map((part) => `'${part}'`)
    .join(" ");
  // `script` runs the command on a pseudo-terminal, as an operator's shell would.
  const result = spawnSync("script", ["-qec", command, "/dev/null"], {
    cwd: scratch,
    env: commandEnv,
    encoding: "utf8",
    timeout: 60_000,
  });
  expect(result.status).toBe(0);
  expect(result.stdout).toContain("\rdumped 50 entries, done.");
  expect(result.stdout).toContain("wrote 50 entries");
});

test("cache-clear keeps locks, --locks removes them too, and a prefix limits the scope", async () => {
  await cache.save("user:1", 1);
  await cache.save("user:2", 2);
  await cache.save("session:1", 3);
  await cache.lock("user:1", OUTLIVES_THE_TEST);
  await cache.lock("session:1", OUTLIVES_THE_TEST);

  const scoped = actionhero("cache-clear", "--yes", "user:");
  expect(scoped.status).toBe(0);
  expect(scoped.stderr).toContain("removed 2 objects and lists");
  expect(await cache.keys()).toEqual(["session:1"]);
  expect((await cache.locks()).sort()).toEqual(["session:1", "user:1"]);

  const withLocks = actionhero("cache-clear", "--yes", "--locks", "user:");
  expect(withLocks.status).toBe(0);
  expect(withLocks.stderr).toContain("removed 1 objects, lists and locks");
  expect(await cache.locks()).toEqual(["session:1"]);
  expect(await cache.keys()).toEqual(["session:1"]);
  // The removed lock's fencing counter went with it; the one still held keeps its own.
  const lockKeys = (await redis.keys(`${prefix}lock:*`)).sort();
  expect(lockKeys).toEqual([`${prefix}lock:fence:{session:1}`, `${prefix}lock:{session:1}`]);
});

test("against the in-memory store, a command warns on stderr that it sees only its own empty process", () => {
  const result = spawnSync(
    process.execPath,
    [path.join(scratch, "node_modules", "actionhero", "dist", "bin", "actionhero.js"), "cache-keys"],
    { cwd: scratch, env: { ...commandEnv, SCRATCH_FAKE: "true" }, encoding: "utf8", timeout: 60_000 },
  );
  expect(result.status).toBe(0);
  expect(result.stdout).toBe("");
  expect(result.stderr).toContain(
    "warning: ah-cache-plugin: this command runs in a process of its own on the in-memory store (config.redis.fake), " +
      "so it sees only that process's empty cache, never a running server's",
  );
  expect(result.stderr).toContain("0 key(s)");
});
