import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { makeScratchDir, writeScratchApp } from "../helpers/scratch-app";
import { ServerProcess, startServerProcess } from "../helpers/server-process";

/**
 * Installs the plugin the way a user would: `npm pack`, a scratch actionhero app in a temp dir that installs
 * the tarball and lists it in config.plugins, then boots that app and calls it over HTTP.
 * Its core actions load too (see writeScratchApp), so actionhero's core cacheTest is there to be overridden.
 */
jest.setTimeout(300_000);

const repoRoot = path.join(__dirname, "..", "..");
const actionheroVersion = JSON.parse(fs.readFileSync(path.join(repoRoot, "node_modules", "actionhero", "package.json"), "utf8")).version;
let scratch: string;
let server: ServerProcess | undefined;

const USE_CACHE_ACTION = `const { Action, api } = require("actionhero");
exports.UseCache = class UseCache extends Action {
  constructor() {
    super();
    this.name = "useCache";
    this.description = "uses api.cache from a user's own action";
  }
  async run() {
    const other = api.cache.withOwner("another-server");
    const saved = await api.cache.save("scratch-key", { from: "scratch" }, 10000);
    const loaded = await api.cache.load("scratch-key");
    const locked = await other.lock("scratch-key", 10000);
    let refused;
    try { await api.cache.save("scratch-key", "overwrite"); } catch (error) { refused = error.code; }
    const locks = await api.cache.locks();
    const unlocked = await other.unlock("scratch-key");
    const destroyed = await new Promise((resolve, reject) =>
      api.cache.destroy("scratch-key", (error, result) => (error ? reject(error) : resolve(result))));
    return { kind: api.cache.kind, objectKey: api.cache.store.layout.objectKey("scratch-key"), saved, value: loaded.value, locked, refused, locks, unlocked, destroyed };
  }
};
`;

function npm(args: string[], cwd: string): string {
  return execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

beforeAll(async () => {
  scratch = makeScratchDir();
  // --ignore-scripts: dist/ is already built by pretest, and prepack's rebuild would delete it under other workers.
  const packOutput = npm(["pack", "--json", "--ignore-scripts", "--pack-destination", scratch], repoRoot);
  const tarball = path.join(scratch, JSON.parse(packOutput)[0].filename);
  writeScratchApp(scratch, {
    pluginPath: path.join(scratch, "node_modules", "ah-cache-plugin"),
    routes: { "/useCache": "useCache" },
    config: {
      cache: `exports.DEFAULT = { cache: () => ({ prefix: "scratch-app:object:", lockPrefix: "scratch-app:lock:" }) };\n`,
    },
    actions: { useCache: USE_CACHE_ACTION },
  });
  npm(["install", "--no-audit", "--no-fund", "--prefer-offline", tarball, `actionhero@${actionheroVersion}`], scratch);
  server = await startServerProcess(scratch, "dist/server.js");
});

afterAll(async () => {
  await server?.stop();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

test("the tarball ships the compiled plugin and the copyable config, not the demo app", () => {
  const installed = path.join(scratch, "node_modules", "ah-cache-plugin");
  for (const file of ["dist/initializers/cache.js", "dist/actions/cacheTest.js", "dist/cache/commands/save-2.lua", "src/config/cache.ts", "README.md"]) {
    expect(fs.existsSync(path.join(installed, file))).toBe(true);
  }
  expect(fs.existsSync(path.join(installed, "dist", "config"))).toBe(false);
  expect(fs.existsSync(path.join(installed, "dist", "server.js"))).toBe(false);
});

test("GET /api/cacheTest is answered by the plugin's action, overriding actionhero's core one", async () => {
  const response = await server!.getJson("/api/cacheTest?key=abc&value=def");
  expect(response.error).toBeUndefined();
  expect(response.cacheStore).toBe("redis");
  expect(response.cacheTestResults.sizeResp).toBeUndefined();
  expect(response.cacheTestResults.loadResp).toMatchObject({ key: "cacheTest_abc", value: "def", readAt: null });
  expect(response.cacheTestResults.deleteResp).toBe(true);
  expect(server!.output()).toMatch(/an existing action with the same name `cacheTest` will be overridden/);
});

test("a user's own action uses api.cache, with the project's config.cache applied", async () => {
  const response = await server!.getJson("/api/useCache");
  expect(response.error).toBeUndefined();
  expect(response).toMatchObject({
    kind: "redis",
    objectKey: "scratch-app:object:{scratch-key}",
    saved: true,
    value: { from: "scratch" },
    locked: true,
    refused: "LOCKED",
    locks: ["scratch-key"],
    unlocked: true,
    destroyed: true,
  });
});
