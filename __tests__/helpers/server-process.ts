import { ChildProcess, spawn } from "child_process";
import { freePort } from "../../test-support/redis-server";
import { sleep } from "./redis";

export interface ServerProcess {
  baseUrl: string;
  process: ChildProcess;
  /** Everything the server printed so far. */
  output(): string;
  getJson(pathAndQuery: string): Promise<Record<string, any>>;
  stop(): Promise<void>;
}

/**
 * Starts an actionhero server as a real child process (`node <script>` in `cwd`) on a free port, and waits until
 * it answers HTTP. It runs as compiled JavaScript, the way users run it, whatever mode jest itself is in.
 */
export async function startServerProcess(
  cwd: string,
  script: string,
  env: NodeJS.ProcessEnv = {},
): Promise<ServerProcess> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  let log = "";
  const child = spawn(process.execPath, [script], {
    cwd,
    env: {
      ...process.env,
      NODE_ENV: "development",
      PORT: String(port),
      TS_JEST: "",
      ACTIONHERO_TYPESCRIPT_MODE: "false",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", (chunk) => (log += chunk));
  child.stderr.on("data", (chunk) => (log += chunk));

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await fetch(`${baseUrl}/api/`);
      break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`server did not start:\n${log}`);
    }
    await sleep(100);
  }

  return {
    baseUrl,
    process: child,
    output: () => log,
    getJson: async (pathAndQuery) => (await (await fetch(`${baseUrl}${pathAndQuery}`)).json()) as Record<string, any>,
    stop,
  };
}
