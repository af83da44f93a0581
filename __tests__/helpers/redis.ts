import { randomBytes } from "crypto";
import Redis from "ioredis";

/** One Redis database per jest worker, the same choice actionhero's own redis config makes. */
export function testDatabase(): number {
  return Number(process.env.JEST_WORKER_ID ?? "0");
}

export function redisUrl(): string {
  return process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
}

export function connectRedis(options: { db?: number; url?: string } = {}): Redis {
  return new Redis(options.url ?? redisUrl(), { db: options.db ?? testDatabase(), lazyConnect: false });
}

/** A prefix nobody else uses, so tests sharing one database never see each other's keys. */
export function uniquePrefix(label: string): string {
  return `test:${label}:${randomBytes(4).toString("hex")}:`;
}

/** Deletes every key under the prefix: tests clean up after themselves, never with FLUSHALL. */
export async function deleteByPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix.replace(/[*?[\]\\]/g, "\\$&")}*`, "COUNT", 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== "0");
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Records the name of every command the client sends, until restore(). */
export function recordCommands(client: Redis): { names: string[]; restore(): void } {
  const names: string[] = [];
  const original = client.sendCommand;
  client.sendCommand = function (this: Redis, ...args: Parameters<Redis["sendCommand"]>) {
    names.push(args[0].name);
    return original.apply(this, args);
  };
  return {
    names,
    restore: () => {
      delete (client as Partial<Redis>).sendCommand;
    },
  };
}
