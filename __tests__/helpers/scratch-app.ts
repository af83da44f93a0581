import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export interface ScratchAppOptions {
  /** Absolute path of the plugin folder, as config.plugins gives it. */
  pluginPath: string;
  /** GET routes of the app's own actions: path -> action name. */
  routes?: Record<string, string>;
  /** The app's own actions, as JavaScript sources under dist/actions. */
  actions?: Record<string, string>;
  /** Extra config files under dist/config, as JavaScript sources. */
  config?: Record<string, string>;
  /** Load actionhero's core actions too (default true), as a project without its own config/api does. */
  coreActions?: boolean;
}

/**
 * A config file that turns on in-memory mode when SCRATCH_FAKE=true: a whole redis namespace (actionhero does not
 * merge a partial one), pointing at a port where nothing listens.
 */
export const FAKE_REDIS_ON_REQUEST = `const connection = { konstructor: require("ioredis"), args: [{ port: 1 }], buildNew: true };
exports.DEFAULT = process.env.SCRATCH_FAKE === "true"
  ? { redis: () => ({ _toExpand: false, fake: true, client: connection, subscriber: connection, tasks: connection }) }
  : {};
`;

export function makeScratchDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "ah-cache-scratch-"));
}

function write(root: string, relative: string, contents: string) {
  const file = path.join(root, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, contents);
}

/**
 * Writes a plain-JavaScript actionhero app the way a user's compiled project looks: dist/config, dist/actions
 * and dist/server.js. Its action paths list actionhero's core actions beside its own, as a project without its
 * own config/api would load them, so actionhero's core cacheTest is there for the plugin's action to override.
 */
export function writeScratchApp(root: string, options: ScratchAppOptions): void {
  if (!fs.existsSync(path.join(root, "package.json"))) {
    write(root, "package.json", JSON.stringify({ name: "scratch-app", version: "1.0.0", private: true }));
  }
  write(
    root,
    "dist/config/plugins.js",
    `exports.DEFAULT = { plugins: () => ({ "ah-cache-plugin": { path: ${JSON.stringify(options.pluginPath)} } }) };\n`,
  );
  write(
    root,
    "dist/config/api.js",
    `const path = require("path");
exports.DEFAULT = {
  general: () => ({
    paths: {
      action: [path.join(__dirname, "..", "actions")${options.coreActions === false ? "" : ', path.join(path.dirname(require.resolve("actionhero/package.json")), "dist", "actions")'}],
    },
  }),
};
`,
  );
  const routes = Object.entries(options.routes ?? {}).map(([route, action]) => ({ path: route, action }));
  write(root, "dist/config/routes.js", `exports.DEFAULT = { routes: () => ({ get: ${JSON.stringify(routes)} }) };\n`);
  for (const [name, source] of Object.entries(options.config ?? {})) write(root, `dist/config/${name}.js`, source);
  for (const [name, source] of Object.entries(options.actions ?? {})) write(root, `dist/actions/${name}.js`, source);
  write(
    root,
    "dist/server.js",
    `const { Process } = require("actionhero");
const app = new Process();
app.registerProcessSignals((code) => process.exit(code));
app.start();
`,
  );
}

const repoRoot = path.join(__dirname, "..", "..");

function npm(args: string[], cwd: string): string {
  return execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/**
 * Installs the plugin into a scratch app the way a user would: `npm pack` of this repo, then `npm install` of the
 * tarball beside the actionhero version this repo uses. Resolves the installed plugin's folder.
 */
export function installPackedPlugin(scratch: string, extraPackages: string[] = []): string {
  const actionheroVersion = JSON.parse(
    fs.readFileSync(path.join(repoRoot, "node_modules", "actionhero", "package.json"), "utf8"),
  ).version;
  // --ignore-scripts: dist/ is already built by pretest, and prepack's rebuild would delete it under other workers.
  const packOutput = npm(["pack", "--json", "--ignore-scripts", "--pack-destination", scratch], repoRoot);
  const tarball = path.join(scratch, JSON.parse(packOutput)[0].filename);
  if (!fs.existsSync(path.join(scratch, "package.json"))) {
    write(scratch, "package.json", JSON.stringify({ name: "scratch-app", version: "1.0.0", private: true }));
  }
  npm(
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--prefer-offline",
      tarball,
      `actionhero@${actionheroVersion}`,
      ...extraPackages,
    ],
    scratch,
  );
  return path.join(scratch, "node_modules", "ah-cache-plugin");
}

/** Where a scratch app installed the plugin; config.plugins points here. */
export function installedPluginPath(scratch: string): string {
  return path.join(scratch, "node_modules", "ah-cache-plugin");
}
