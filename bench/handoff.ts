import { fork } from "child_process";
import * as path from "path";
import { percentile } from "./measure";

interface Turn {
  pid: number;
  acquiredAt: number;
  releasedAt: number;
}

export interface HandoffResult {
  mode: string;
  waiters: number;
  handoffs: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * `waiters` processes contend for one lock; hand-off latency is the time from one holder starting its release to
 * another process having the lock, taken from the merged, time-ordered turns of all processes.
 */
export async function measureHandoff(
  url: string,
  mode: "plugin" | "actionhero-polling",
  waiters: number,
  turns: number,
): Promise<HandoffResult> {
  const prefix = `bench:handoff:${mode}:`;
  const workers = Array.from({ length: waiters }, () =>
    fork(path.join(__dirname, "handoff-worker.js"), [JSON.stringify({ url, prefix, key: "hot", turns, mode })], {
      stdio: "inherit",
    }),
  );
  const results = workers.map(
    (worker) =>
      new Promise<Turn[]>((resolve, reject) => {
        worker.on("message", (message: { turns?: Turn[] }) => {
          if (message.turns) resolve(message.turns);
        });
        worker.on("exit", (code) => (code === 0 ? undefined : reject(new Error(`hand-off worker exited ${code}`))));
      }),
  );
  await Promise.all(workers.map((worker) => new Promise((resolve) => worker.once("message", resolve))));
  for (const worker of workers) worker.send("go");
  const all = (await Promise.all(results)).flat().sort((a, b) => a.acquiredAt - b.acquiredAt);
  // Only hand-offs between processes count: a holder re-taking its own lock hands nothing off.
  const gapList: number[] = [];
  for (let i = 1; i < all.length; i++)
    if (all[i].pid !== all[i - 1].pid) gapList.push(all[i].acquiredAt - all[i - 1].releasedAt);
  const gaps = Float64Array.from(gapList).sort();
  return { mode, waiters, handoffs: gaps.length, p50Ms: percentile(gaps, 0.5), p99Ms: percentile(gaps, 0.99) };
}
