import { ChildProcess, fork } from "child_process";
import * as path from "path";
import { Cache, RedisStore } from "../../src/cache";
import { connectRedis } from "./redis";

/** What the reader process reports: each change of what its get() answers, and when (ms, epoch-based). */
export interface Seen {
  key: string;
  value?: unknown;
  error?: string;
  at: number;
}

/**
 * A second process (fixtures/near-reader.js) with the near cache on, driven over IPC: the "B" of the coherence
 * tests. Its observations queue up here, in order, for next().
 */
export class NearReader {
  private readonly seen: Seen[] = [];
  private wake: (() => void) | undefined;
  private readonly replies = new Map<number, (reply: { result?: unknown; error?: string }) => void>();
  private nextId = 0;

  private constructor(private readonly child: ChildProcess) {
    child.on("message", (message: { type: string; id?: number } & Seen) => {
      if (message.type === "seen") {
        this.seen.push(message);
        this.wake?.();
      } else {
        this.replies.get(message.id!)?.(message);
        this.replies.delete(message.id!);
      }
    });
  }

  static async start(options: { redisUrl: string; db: number; prefix: string }): Promise<NearReader> {
    const script = path.join(__dirname, "..", "fixtures", "near-reader.js");
    const reader = new NearReader(
      fork(script, [JSON.stringify(options)], { stdio: ["ignore", "inherit", "inherit", "ipc"] }),
    );
    await reader.command("live");
    return reader;
  }

  async command<T = unknown>(command: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    const reply = new Promise<{ result?: unknown; error?: string }>((resolve) => this.replies.set(id, resolve));
    this.child.send({ command, id, ...args });
    const { result, error } = await reply;
    if (error) throw new Error(error);
    return result as T;
  }

  /** The next observation, waiting up to `timeoutMs` for it. */
  async next(timeoutMs = 5000): Promise<Seen> {
    const deadline = Date.now() + timeoutMs;
    while (this.seen.length === 0) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`the reader saw nothing new within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.seen.shift()!;
  }

  /** Observations made so far and not yet taken by next(). */
  drain(): Seen[] {
    return this.seen.splice(0);
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    await this.command("stop").catch(() => undefined);
    await exited;
  }
}

/** Ms since the epoch with sub-ms precision, comparable across processes on one machine. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

/** The p-th percentile (0–100) of `values`. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Process A of the coherence tests: a Cache with the near cache on, on a connection of its own, under `prefix`. */
export function nearCacheWriter(prefix: string): { store: RedisStore; a: Cache } {
  const store = new RedisStore({
    client: connectRedis(),
    prefix: `${prefix}obj:`,
    lockPrefix: `${prefix}lock:`,
    ownsClient: true,
  });
  return { store, a: new Cache({ store, owner: "writer-a", nearCache: true }) };
}
