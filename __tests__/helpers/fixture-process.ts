import { spawn } from "child_process";
import * as path from "path";

/**
 * Runs `__tests__/fixtures/<name>` as a separate OS process with `options` as its JSON argument, and resolves what
 * it printed on stdout, parsed as JSON. Rejects with its stderr if it exits non-zero.
 */
export function runFixture<T>(name: string, options: Record<string, unknown>): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, "..", "fixtures", name), JSON.stringify(options)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.stderr.on("data", (chunk) => (err += chunk));
    child.on("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`${name} exited ${code}: ${err}`)),
    );
  });
}
