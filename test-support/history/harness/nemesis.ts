import Redis from "ioredis";
import type { StartedRedis } from "../../redis-server";
import { startRedisServer } from "../../redis-server";

/** The faults a run can inject, one at a time, again and again until the run ends. */
export const NEMESES = ["none", "pause", "kill-clients", "kill-tracking", "restart"] as const;
export type NemesisName = (typeof NEMESES)[number];

/** One fault: when it began and ended on the machine's monotonic clock (ms), and what it did. */
export interface FaultWindow {
  kind: NemesisName;
  start: number;
  end: number;
}

export const monotonicNow = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The Redis a run uses, replaced in place by a restart (same port, no data: its keys are lost). */
export interface RunRedis {
  server: StartedRedis;
}

/**
 * Injects `kind` again and again until `until` (monotonic ms), with a quiet gap after each fault so work gets done
 * between them; resolves every fault's window. `draw` is the run's random source.
 */
export async function runNemesis(
  kind: NemesisName,
  redis: RunRedis | undefined,
  until: number,
  draw: () => number,
): Promise<FaultWindow[]> {
  const windows: FaultWindow[] = [];
  if (kind === "none" || !redis) return windows;
  await sleep(300);
  while (monotonicNow() < until - 500) {
    const start = monotonicNow();
    await inject(kind, redis, draw);
    windows.push({ kind, start, end: monotonicNow() });
    await sleep(300 + Math.floor(draw() * 700));
  }
  return windows;
}

async function inject(kind: NemesisName, redis: RunRedis, draw: () => number): Promise<void> {
  switch (kind) {
    case "pause": {
      process.kill(redis.server.pid, "SIGSTOP");
      await sleep(200 + Math.floor(draw() * 600));
      process.kill(redis.server.pid, "SIGCONT");
      return;
    }
    case "kill-clients":
      return withAdmin(redis, async (admin) => {
        await admin.client("KILL", "TYPE", "normal", "SKIPME", "yes");
        await admin.client("KILL", "TYPE", "pubsub");
      });
    case "kill-tracking":
      return withAdmin(redis, async (admin) => {
        const list = String(await admin.client("LIST"));
        for (const line of list.split("\n")) {
          if (!/ name=ah-cache-plugin:near-cache /.test(` ${line} `)) continue;
          const id = /\bid=(\d+)/.exec(line)?.[1];
          if (id) await admin.client("KILL", "ID", id);
        }
      });
    case "restart": {
      const { port, dir } = redis.server;
      await redis.server.kill();
      await sleep(100 + Math.floor(draw() * 200));
      redis.server = await startRedisServer([], { port, dir });
      return;
    }
    default:
      return;
  }
}

async function withAdmin(redis: RunRedis, act: (admin: Redis) => Promise<void>): Promise<void> {
  const admin = new Redis(redis.server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  admin.on("error", () => undefined);
  try {
    await admin.connect();
    await act(admin);
  } finally {
    admin.disconnect();
  }
}
