import { SpawnSyncReturns, execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Cache, RedisStore } from "../../src/cache";
import { freePort } from "../../test-support/redis-server";
import { connectRedis, deleteByPrefix, redisUrl } from "../helpers/redis";
import { applyReadmeBlock, readmeBlocks } from "../helpers/readme-blocks";
import { makeScratchDir } from "../helpers/scratch-app";
import { ServerProcess, startServerProcess } from "../helpers/server-process";

/**
 * The first ten minutes of a user, as the README tells them: an app made by actionhero's own generator (the
 * actionhero in this repo's node_modules), its packages installed from the npm registry, the packed plugin installed,
 * and every README code block marked `generated-app` applied where it says. Then the app's own `tsc` build, a real
 * server over HTTP, its own `npm test` (prettier check included), the CLI, and in-memory mode with no Redis.
 */
jest.setTimeout(600_000);

const repoRoot = path.join(__dirname, "..", "..");
// A database no other test file uses: the app's own jest run picks its database from REDIS_DB.
const APP_DB = 11;
const DEFAULT_PREFIXES = ["ah-cache-plugin:object:", "ah-cache-plugin:lock:"];
const url = new URL(redisUrl());
let app: string;
let server: ServerProcess | undefined;

/** The environment a user's shell has: none of this suite's jest or TypeScript-mode variables. */
function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(JEST_|TS_JEST|ACTIONHERO_|NODE_ENV$|REDIS_)/.test(name)) env[name] = value;
  }
  return { ...env, REDIS_HOST: url.hostname, REDIS_PORT: url.port || "6379", REDIS_DB: String(APP_DB), ...extra };
}

function run(command: string, args: string[], extra: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd: app, env: userEnv(extra), encoding: "utf8", timeout: 300_000 });
}

function expectSuccess(result: SpawnSyncReturns<string>): void {
  if (result.status !== 0) throw new Error(`exit ${result.status}:\n${result.stdout}\n${result.stderr}`);
}

async function cleanAppDatabase(): Promise<void> {
  const redis = connectRedis({ db: APP_DB });
  for (const prefix of DEFAULT_PREFIXES) await deleteByPrefix(redis, prefix);
  await redis.quit();
}

beforeAll(async () => {
  app = makeScratchDir();
  const actionheroBin = path.join(repoRoot, "node_modules", "actionhero", "dist", "bin", "actionhero.js");
  expectSuccess(run(process.execPath, [actionheroBin, "generate"]));

  const packOutput = execFileSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", app], {
    cwd: repoRoot,
    encoding: "utf8",
  });
  const tarball = path.join(app, JSON.parse(packOutput)[0].filename);
  const manifestPath = path.join(app, "package.json");
  const manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8"));
  // `npm install ah-cache-plugin`, from the tarball; and the generator's own missing types (README troubleshooting).
  manifest.dependencies["ah-cache-plugin"] = `file:${tarball}`;
  manifest.devDependencies["@types/formidable"] = "^3";
  fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  expectSuccess(run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--ignore-scripts"]));

  for (const block of readmeBlocks(path.join(repoRoot, "README.md"))) applyReadmeBlock(app, block);
  // "To change an option, copy node_modules/ah-cache-plugin/src/config/cache.ts into src/config/": the copy is
  // built and prettier-checked with the rest of the app.
  fs.copyFileSync(
    path.join(app, "node_modules", "ah-cache-plugin", "src", "config", "cache.ts"),
    path.join(app, "src", "config", "cache.ts"),
  );
  await cleanAppDatabase();
});

// Each test that boots the app stops it here, even when an assertion failed on the way.
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

afterAll(async () => {
  await cleanAppDatabase();
  if (app) fs.rmSync(app, { recursive: true, force: true });
});

test("the README's blocks are all there to apply", () => {
  expect(readmeBlocks(path.join(repoRoot, "README.md")).map(({ verb, file }) => `${verb} ${file}`)).toEqual([
    "prepend src/config/plugins.ts",
    "replace src/config/plugins.ts",
    "create src/actions/remember.ts",
    "insert-before src/config/redis.ts",
    "insert-before src/config/routes.ts",
    "create src/actions/increment.ts",
    "create __tests__/actions/cache.ts",
  ]);
});

test("the app builds with its own tsc and settings", () => {
  expectSuccess(run("npm", ["run", "build"]));
  expect(fs.existsSync(path.join(app, "dist", "actions", "increment.js"))).toBe(true);
});

test("the server answers cacheTest and the README's actions over HTTP", async () => {
  server = await startServerProcess(app, "dist/server.js", userEnv({ NODE_ENV: "development" }));
  const cacheTest = await server.getJson("/api/cacheTest?key=abc&value=def");
  expect(cacheTest).toMatchObject({ cacheStore: "redis", cacheTestResults: { loadResp: { value: "def" } } });
  expect(await server.getJson("/api/remember?value=hello")).toMatchObject({ value: "hello" });
  const first = (await server.getJson("/api/increment")).counter;
  expect((await server.getJson("/api/increment")).counter).toBe(first + 1);
  // The copied config's defaults are the options in effect.
  expect(server.output()).toMatch(/ah-cache-plugin: redis store, options in effect: .*"lockDuration":10000/);
});

test("the app's own npm test passes: build, prettier check of the pasted code, and jest with specHelper", () => {
  const result = run("npm", ["test"]);
  expectSuccess(result);
  // The generator's own status test (2) and the README's (2).
  expect(result.stdout + result.stderr).toMatch(/PASS __tests__\/actions\/cache\.ts/);
  expect(result.stdout + result.stderr).toMatch(/Tests:\s+4 passed, 4 total/);
});

test("a CLI command prints only its results on stdout", async () => {
  // Keys of its own, saved here with no TTL: what the steps before left may be gone by now (remember's value lives
  // a minute, and the app's own npm test alone can take longer than that).
  const redis = connectRedis({ db: APP_DB });
  const store = new RedisStore({ client: redis }); // the default prefixes, as the app's copied config has them
  try {
    const cache = new Cache({ store, owner: "generated-app-test" });
    await cache.save("remembered", "hello");
    await cache.save("counter", 7);
  } finally {
    await store.close();
    await redis.quit();
  }
  // Pub/sub channels span every Redis database: on actionhero's default channel the command would also log (to
  // stdout, actionhero's own logger) other test servers leaving. A channel of its own keeps it alone.
  const overrides = JSON.stringify({ general: { channel: "generated-app-cli" } });
  const result = run(process.execPath, [path.join(app, "node_modules", ".bin", "actionhero"), "cache-keys"], {
    ACTIONHERO_CONFIG_OVERRIDES: overrides,
  });
  expectSuccess(result);
  expect(result.stdout.split("\n").filter(Boolean)).toEqual(expect.arrayContaining(["counter", "remembered"]));
  for (const line of result.stdout.split("\n").filter(Boolean)) expect(line).toMatch(/^[a-z]+$/);
  expect(result.stderr).toMatch(/key\(s\)/);
});

test("with REDIS_FAKE=true the whole server runs with no Redis where config.redis points", async () => {
  const closedPort = await freePort();
  server = await startServerProcess(
    app,
    "dist/server.js",
    userEnv({ NODE_ENV: "development", REDIS_FAKE: "true", REDIS_PORT: String(closedPort) }),
  );
  const cacheTest = await server.getJson("/api/cacheTest?key=abc&value=def");
  expect(cacheTest).toMatchObject({ cacheStore: "memory", cacheTestResults: { loadResp: { value: "def" } } });
  expect((await server.getJson("/api/increment")).counter).toBe(1);
  expect(server.output()).not.toMatch(/ECONNREFUSED|Unable to connect to Redis/);
});
