import { fork } from "child_process";
import * as path from "path";

export interface PhaseFigures {
  ms: number;
  rssBeforeMB: number;
  peakRssMB: number;
  peakHeapGrowthMB: number;
}

export interface DumpRoundTrip {
  objects: number;
  fileMB: number;
  dump: PhaseFigures;
  restore: PhaseFigures;
  /** Every object came back, and a sampled expiry instant is unchanged. */
  complete: boolean;
}

/** dumpWrite and dumpRead of `objects` objects, in a fresh process so its peak memory is this work's alone. */
export function measureDumpRoundTrip(url: string, objects: number): Promise<DumpRoundTrip> {
  return new Promise((resolve, reject) => {
    const worker = fork(
      path.join(__dirname, "dump-roundtrip-worker.js"),
      [JSON.stringify({ url, objects, prefix: `bench:dump:${objects}:` })],
      {
        execArgv: ["--expose-gc"],
        stdio: "inherit",
      },
    );
    worker.once("message", (message) => resolve(message as DumpRoundTrip));
    worker.once("exit", (code) =>
      code === 0 ? undefined : reject(new Error(`dump round-trip worker exited ${code}`)),
    );
  });
}
