import type { Cluster, Redis } from "ioredis";
import { CacheCommands, defineCommands } from "../commands";
import { CacheError, CacheErrorCodes } from "../errors";
import type { CacheStore, DestroyOutcome, LoadOutcome, SaveOutcome } from "../types/store";
import { RedisKeyLayout } from "./redis-keys";

export const DEFAULT_PREFIX = "ah-cache-plugin:object:";
export const DEFAULT_LOCK_PREFIX = "ah-cache-plugin:lock:";
export const DEFAULT_SCAN_COUNT = 1000;
/** Until lock hand-off is pushed over pub/sub, waiters re-check this often. */
export const LOCK_POLL_INTERVAL_MS = 25;
const QUIT_TIMEOUT_MS = 1000;

export interface RedisStoreOptions {
  client: Redis | Cluster;
  prefix?: string;
  lockPrefix?: string;
  /** COUNT hint for SCAN batches. */
  scanCount?: number;
  /** When true, close() quits the client; leave false for a client someone else manages. */
  ownsClient?: boolean;
}

type CommandClient = (Redis | Cluster) & CacheCommands;

/** Server replies that mean "not now" rather than "wrong". */
const TRANSIENT_REPLY = /^(LOADING|CLUSTERDOWN|TRYAGAIN|MASTERDOWN|BUSY)\b/;

/** Turns whatever ioredis threw into a CacheError that tells the caller what to do next. */
export function toCacheError(error: unknown): CacheError {
  if (error instanceof CacheError) return error;
  const failure = error as Error & { name?: string };
  const message = failure?.message ?? String(error);
  const isServerReply = failure?.name === "ReplyError";
  if (isServerReply && !TRANSIENT_REPLY.test(message)) {
    return new CacheError(CacheErrorCodes.STORE_ERROR, `Redis refused the command: ${message}`, { cause: error });
  }
  return new CacheError(CacheErrorCodes.UNAVAILABLE, `Redis is unavailable: ${message}`, { cause: error });
}

function optionalNumber(reply: number | string | undefined): number | null {
  return reply === undefined || reply === "" ? null : Number(reply);
}

function ttlArgument(ttlMs: number | null): string {
  return ttlMs === null ? "" : String(ttlMs);
}

/** Redis (or Redis Cluster) through ioredis: every operation is one Lua script, so one round trip. */
export class RedisStore implements CacheStore {
  readonly kind = "redis" as const;
  readonly keys: RedisKeyLayout;
  private readonly client: CommandClient;
  private readonly scanCount: number;
  private readonly ownsClient: boolean;

  constructor(options: RedisStoreOptions) {
    this.keys = new RedisKeyLayout(options.prefix ?? DEFAULT_PREFIX, options.lockPrefix ?? DEFAULT_LOCK_PREFIX);
    this.scanCount = options.scanCount ?? DEFAULT_SCAN_COUNT;
    this.ownsClient = options.ownsClient ?? false;
    defineCommands(options.client);
    this.client = options.client as CommandClient;
  }

  get redis(): Redis | Cluster {
    return this.client;
  }

  private async call<T>(operation: Promise<T>): Promise<T> {
    try {
      return await operation;
    } catch (error) {
      throw toCacheError(error);
    }
  }

  async save(key: string, owner: string, json: string, ttlMs: number | null): Promise<SaveOutcome> {
    const reply = await this.call(
      this.client.ahCacheSave(this.keys.objectKey(key), this.keys.lockKey(key), owner, json, ttlArgument(ttlMs)),
    );
    return reply === 1 ? "saved" : "locked";
  }

  async load(key: string, owner: string, ttlMs: number | null): Promise<LoadOutcome> {
    const reply = await this.call(
      this.client.ahCacheLoad(this.keys.objectKey(key), this.keys.lockKey(key), owner, ttlArgument(ttlMs)),
    );
    if (reply[0] === -1) return { status: "locked" };
    if (reply[0] === 0) return { status: "missing" };
    return {
      status: "ok",
      object: {
        json: reply[1] as string,
        createdAt: Number(reply[2]),
        readAt: optionalNumber(reply[3]),
        expireTimestamp: optionalNumber(reply[4]),
      },
    };
  }

  async destroy(key: string, owner: string): Promise<DestroyOutcome> {
    const reply = await this.call(this.client.ahCacheDestroy(this.keys.objectKey(key), this.keys.lockKey(key), owner));
    return reply === -1 ? "locked" : reply === 1 ? "destroyed" : "missing";
  }

  async lock(key: string, owner: string, ttlMs: number): Promise<boolean> {
    return (await this.call(this.client.ahCacheLock(this.keys.lockKey(key), owner, String(ttlMs)))) === 1;
  }

  async unlock(key: string, owner: string): Promise<boolean> {
    return (await this.call(this.client.ahCacheUnlock(this.keys.lockKey(key), owner))) === 1;
  }

  async checkLock(key: string, owner: string): Promise<boolean> {
    return (await this.call(this.client.ahCacheCheckLock(this.keys.lockKey(key), owner))) === 1;
  }

  async locks(): Promise<string[]> {
    const redisKeys = await this.call(this.scanAll(this.keys.lockPattern()));
    const keys = new Set<string>();
    for (const redisKey of redisKeys) {
      const key = this.keys.keyFromLockKey(redisKey);
      if (key !== undefined) keys.add(key);
    }
    return [...keys];
  }

  /** SCAN every primary (one node, or each primary of a cluster), never KEYS. */
  private async scanAll(pattern: string): Promise<string[]> {
    const nodes: Redis[] = "nodes" in this.client && typeof (this.client as Cluster).nodes === "function" && (this.client as Cluster).isCluster
      ? (this.client as Cluster).nodes("master")
      : [this.client as Redis];
    const found: string[] = [];
    for (const node of nodes) {
      let cursor = "0";
      do {
        const [next, batch] = await node.scan(cursor, "MATCH", pattern, "COUNT", this.scanCount);
        found.push(...batch);
        cursor = next;
      } while (cursor !== "0");
    }
    return found;
  }

  waitForUnlock(_key: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.min(timeoutMs, LOCK_POLL_INTERVAL_MS)));
  }

  async close(): Promise<void> {
    if (!this.ownsClient || this.client.status === "end") return;
    const ended = new Promise((resolve) => this.client.once("end", resolve));
    // QUIT lets queued replies arrive first; if Redis cannot answer it soon, drop the connection instead.
    const fallback = setTimeout(() => this.client.disconnect(), QUIT_TIMEOUT_MS);
    await this.client.quit().catch(() => this.client.disconnect());
    await ended;
    clearTimeout(fallback);
  }
}
