// npm run verify:histories -- [--duration SECONDS] [--nemesis NAME] [--seed N] [--write-doc]
// Runs the checked-history scenarios of __tests__/consistency/histories.test.ts for longer than CI does (by default
// 10 s each), optionally one fault only, and with --write-doc writes docs/consistency.md from the results.
const { spawnSync } = require("child_process");
const path = require("path");

const args = process.argv.slice(2);
const value = (flag, fallback) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : fallback);
const env = {
  ...process.env,
  HISTORY_DURATION_MS: String(Number(value("--duration", "10")) * 1000),
  HISTORY_SEED: value("--seed", String(Date.now() % 100000)),
  UPDATE_DOCS: args.includes("--write-doc") ? "1" : "",
};
if (args.includes("--nemesis")) env.HISTORY_NEMESIS = value("--nemesis");
const root = path.join(__dirname, "..", "..", "..");
const jest = path.join(root, "node_modules", ".bin", "jest");
const result = spawnSync(jest, ["--runInBand", "__tests__/consistency/histories.test.ts"], {
  cwd: root,
  env,
  stdio: "inherit",
});
process.exit(result.status ?? 1);
