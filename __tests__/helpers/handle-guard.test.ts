import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { redisUrl } from "./redis";

/**
 * The handle guard (handle-guard-environment.ts, every test file's environment) fails a file that leaves a timer, a
 * Redis connection or a child process keeping the process alive, names what it left, and passes a file that
 * closes all of them. Each case is a test file of its own under __tests__/fixtures/handle-guard, run by a jest of
 * its own with the suite's environment.
 */
jest.setTimeout(120_000);

const repoRoot = path.join(__dirname, "..", "..");
const fixtures = path.join(repoRoot, "__tests__", "fixtures", "handle-guard");

interface FileResult {
  name: string;
  status: string;
  message: string;
}

let results: FileResult[];
let childPid: number | undefined;

beforeAll(() => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "ah-cache-guard-"));
  const pidFile = path.join(scratch, "child.pid");
  const config = {
    rootDir: repoRoot,
    roots: [fixtures],
    testMatch: ["**/*.check.js"],
    testEnvironment: path.join(repoRoot, "__tests__", "helpers", "handle-guard-environment.ts"),
    transform: { "^.+\\.ts$": "ts-jest" },
  };
  try {
    const jest = spawnSync(
      process.execPath,
      [
        path.join(repoRoot, "node_modules", "jest", "bin", "jest.js"),
        "--config",
        JSON.stringify(config),
        "--ci",
        "--json",
        // Its workers hold what the failing files left; they are ended at the end of the run.
        "--forceExit",
        "--maxWorkers=2",
      ],
      {
        cwd: repoRoot,
        env: { ...process.env, REDIS_URL: redisUrl(), CHILD_PID_FILE: pidFile },
        encoding: "utf8",
        timeout: 110_000,
      },
    );
    if (fs.existsSync(pidFile)) childPid = Number(fs.readFileSync(pidFile, "utf8"));
    const report = JSON.parse(jest.stdout) as {
      testResults: Array<{ name: string; status: string; message: string }>;
    };
    results = report.testResults.map(({ name, status, message }) => ({ name: path.basename(name), status, message }));
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
});

afterAll(() => {
  // The child the leaking file started, if it is still there.
  if (childPid) {
    try {
      process.kill(childPid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

function resultOf(name: string): FileResult {
  const found = results.find((result) => result.name === name);
  if (!found) throw new Error(`no result for ${name}: ${JSON.stringify(results)}`);
  return found;
}

test("a file that leaves a ref'd timer fails, naming the timer", () => {
  const { status, message } = resultOf("leaves-a-timer.check.js");
  expect(status).toBe("failed");
  expect(message).toMatch(/leaves-a-timer\.check\.js left 1 thing\(s\) keeping the process alive/);
  expect(message).toMatch(/a timer of 600000 ms, due \d+ ms from now \(\(\) => \{\}\)/);
});

test("a file that leaves a Redis client connected fails, naming the socket", () => {
  const { status, message } = resultOf("leaves-a-client.check.js");
  const { hostname, port } = new URL(redisUrl());
  expect(status).toBe("failed");
  expect(message).toMatch(/leaves-a-client\.check\.js left 1 thing\(s\) keeping the process alive/);
  expect(message).toContain(`a socket to ${hostname}:${port || "6379"}`);
});

test("a file that leaves a child process running fails, naming the process", () => {
  const { status, message } = resultOf("leaves-a-child.check.js");
  expect(status).toBe("failed");
  expect(message).toMatch(/leaves-a-child\.check\.js left 1 thing\(s\) keeping the process alive/);
  expect(message).toContain(`child process ${childPid} (`);
});

test("a file that quits, clears, closes and waits for what it opened passes", () => {
  expect(resultOf("closes-everything.check.js")).toEqual({
    name: "closes-everything.check.js",
    status: "passed",
    message: "",
  });
});
