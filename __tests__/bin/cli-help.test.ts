import { spawnSync } from "child_process";
import * as path from "path";
import { redisUrl, testDatabase } from "../helpers/redis";

/**
 * `actionhero help <command>` in this repo's demo app, which loads the plugin from dist/ as a user's project
 * loads it from node_modules. What the help says must be what the command does.
 */
const repoRoot = path.join(__dirname, "..", "..");

function help(command: string): string {
  const url = new URL(redisUrl());
  url.pathname = `/${testDatabase()}`;
  const result = spawnSync(
    process.execPath,
    [path.join(repoRoot, "node_modules", "actionhero", "dist", "bin", "actionhero.js"), "help", command],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        NODE_ENV: "development",
        TS_JEST: "",
        ACTIONHERO_TYPESCRIPT_MODE: "false",
        REDIS_URL: url.toString(),
      },
      encoding: "utf8",
      timeout: 60_000,
    },
  );
  expect(result.status).toBe(0);
  // commander wraps the description at the terminal's width.
  return result.stdout.replace(/\s+/g, " ");
}

test("cache-restore's help says replace mode keeps locks, as clear() and dumpRead do", () => {
  const text = help("cache-restore");
  expect(text).toContain(
    "Restore a dump written by cache-dump: replaces ah-cache-plugin's objects and lists (locks stay; keys another " +
      "owner has locked are skipped), or with --merge keeps them and overwrites only the dumped keys",
  );
  expect(text).not.toMatch(/objects, lists and locks/);
});
