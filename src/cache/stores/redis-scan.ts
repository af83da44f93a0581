import type { ChainableCommander, Cluster, Redis } from "ioredis";
import type { DumpEntry, LockDetails } from "../types/store";
import { decodeStoredObject, foreignValue, hasHeader, toCacheError } from "./redis-replies";
import type { RedisKeyLayout } from "./redis-keys";

/** What the scanner needs from its store. */
export interface ScanContext {
  client: Redis | Cluster;
  layout: RedisKeyLayout;
  scanCount: number;
  /** Runs a Redis call, turning its failure into a CacheError. */
  call<T>(operation: Promise<T>): Promise<T>;
  endpoint(): string;
  lastConnectionError(): string | undefined;
}

/**
 * The Redis store's walks over many keys: SCAN on every primary (never KEYS), each batch read or removed with one
 * pipeline on the node that returned it. Single-key commands only, so it also works on a cluster.
 */
export class RedisScanner {
  constructor(private readonly context: ScanContext) {}

  /** Objects, then lists, SCANned on every primary and read back in pipelines (GET, LRANGE) batch by batch. */
  async *entries(): AsyncIterable<DumpEntry[]> {
    for await (const batch of this.scanAndRead(this.context.layout.objectPattern(), (pipeline, redisKey) =>
      pipeline.get(redisKey),
    )) {
      const entries = batch.flatMap(({ redisKey, replies: [stored] }): DumpEntry[] => {
        const key = this.context.layout.keyFromObjectKey(redisKey);
        // An object can expire between SCAN and GET: it is then left out. A foreign value fails the dump, as load
        // fails on it, rather than being left out silently.
        if (key === undefined || stored === null) return [];
        if (typeof stored !== "string" || !hasHeader(stored)) throw foreignValue(this.context.layout, key);
        return [{ type: "object", key, ...decodeStoredObject(stored) }];
      });
      if (entries.length > 0) yield entries;
    }
    for await (const batch of this.scanAndRead(this.context.layout.listPattern(), (pipeline, redisKey) =>
      pipeline.lrange(redisKey, 0, -1),
    )) {
      const entries = batch.flatMap(({ redisKey, replies: [items] }): DumpEntry[] => {
        const key = this.context.layout.keyFromListKey(redisKey);
        if (items instanceof Error) throw toCacheError(items, this.context.endpoint());
        return key !== undefined && Array.isArray(items) && items.length > 0
          ? [{ type: "list", key, items: items as string[] }]
          : [];
      });
      if (entries.length > 0) yield entries;
    }
  }

  async locks(scopePrefix: string): Promise<string[]> {
    return this.scanUserKeys(this.context.layout.lockPattern(scopePrefix), (redisKey) =>
      this.context.layout.keyFromLockKey(redisKey),
    );
  }

  async keys(scopePrefix: string): Promise<string[]> {
    return this.scanUserKeys(this.context.layout.objectPattern(scopePrefix), (redisKey) =>
      this.context.layout.keyFromObjectKey(redisKey),
    );
  }

  async size(scopePrefix: string): Promise<number> {
    return (await this.keys(scopePrefix)).length;
  }

  /**
   * SCANs the scope's objects and lists (and locks, when asked) on every primary and UNLINKs them in pipelined
   * batches, one key per command.
   */
  async clear(scopePrefix: string, locks: boolean): Promise<number> {
    const { layout } = this.context;
    const counted = [layout.objectPattern(scopePrefix), layout.listPattern(scopePrefix)];
    if (locks) counted.push(layout.lockPattern(scopePrefix));
    // A removed lock's fencing counter and waiting mark go too, uncounted: they are the lock's bookkeeping. The
    // next token is still larger, by the clock floor (includes/acquire.lua).
    const uncounted = locks ? layout.lockBookkeepingPatterns(scopePrefix) : [];
    let removed = 0;
    let firstFailure: unknown;
    for (const pattern of [...counted, ...uncounted]) {
      const counts = counted.includes(pattern);
      for await (const batch of this.scanAndRead(pattern, (pipeline, redisKey) => pipeline.unlink(redisKey))) {
        for (const { replies } of batch) {
          if (replies[0] instanceof Error) firstFailure ??= replies[0];
          else if (counts) removed += Number(replies[0] ?? 0);
        }
      }
    }
    // Every key was tried; a count is only an answer when all of them went.
    if (firstFailure !== undefined)
      throw toCacheError(firstFailure, this.context.endpoint(), this.context.lastConnectionError());
    return removed;
  }

  private async scanUserKeys(pattern: string, decode: (redisKey: string) => string | undefined): Promise<string[]> {
    const redisKeys = await this.context.call(this.scanAll(pattern));
    const keys = new Set<string>();
    for (const redisKey of redisKeys) {
      const key = decode(redisKey);
      if (key !== undefined) keys.add(key);
    }
    return [...keys];
  }

  async lockDetails(scopePrefix: string): Promise<LockDetails[]> {
    const details = new Map<string, LockDetails>();
    for await (const batch of this.scanAndRead(this.context.layout.lockPattern(scopePrefix), (pipeline, redisKey) =>
      pipeline.get(redisKey).pttl(redisKey),
    )) {
      for (const {
        redisKey,
        replies: [owner, ttl],
      } of batch) {
        const key = this.context.layout.keyFromLockKey(redisKey);
        // A lock can expire between SCAN and the pipeline: it is then left out.
        if (key !== undefined && typeof owner === "string" && typeof ttl === "number" && ttl > 0)
          details.set(key, { key, owner, ttl });
      }
    }
    return [...details.values()];
  }

  /**
   * One node, or each primary of a cluster. A cluster that reached none of its nodes knows no primary: that is
   * UNAVAILABLE, not an empty list, which would pass for "no keys" and "no locks held".
   */
  primaries(): Redis[] {
    const cluster = this.context.client as Cluster;
    if (!cluster.isCluster) return [this.context.client as Redis];
    const primaries = cluster.nodes("master");
    if (primaries.length > 0) return primaries;
    const why = new Error(`no primary of the cluster is known (its connection is ${cluster.status})`);
    throw toCacheError(why, this.context.endpoint(), this.context.lastConnectionError());
  }

  /** SCAN every primary, never KEYS. */
  private async scanAll(pattern: string): Promise<string[]> {
    const found: string[] = [];
    for (const node of this.primaries()) {
      for await (const batch of this.scanBatches(node, pattern)) found.push(...batch);
    }
    return found;
  }

  /**
   * Every primary's SCAN batches for `pattern`, each read back with one pipeline on the node that returned it;
   * `queue` adds each key's commands. Single-key commands only, so it also works on a cluster, where one pipeline
   * may not span slots. Yields each batch's keys with their replies (the Error where a command failed).
   */
  private async *scanAndRead(
    pattern: string,
    queue: (pipeline: ChainableCommander, redisKey: string) => void,
  ): AsyncIterable<Array<{ redisKey: string; replies: unknown[] }>> {
    for (const node of this.primaries()) {
      for await (const batch of this.scanBatches(node, pattern)) {
        const pipeline = node.pipeline();
        for (const redisKey of batch) queue(pipeline, redisKey);
        const results = (await this.context.call(pipeline.exec())) ?? [];
        const perKey = results.length / batch.length;
        yield batch.map((redisKey, index) => ({
          redisKey,
          replies: results.slice(index * perKey, (index + 1) * perKey).map(([error, reply]) => error ?? reply),
        }));
      }
    }
  }

  /** The non-empty SCAN batches of one node. */
  private async *scanBatches(node: Redis, pattern: string): AsyncIterable<string[]> {
    let cursor = "0";
    do {
      const [next, batch] = await this.context.call(
        node.scan(cursor, "MATCH", pattern, "COUNT", this.context.scanCount),
      );
      if (batch.length > 0) yield batch;
      cursor = next;
    } while (cursor !== "0");
  }

  /**
   * Reads `maxmemory-policy` on every primary and describes the risk to locks, if there is one: under `allkeys-*`
   * Redis may evict held locks and fencing counters, under `volatile-*` those too (they carry a TTL). Resolves
   * undefined when the policy is safe, or when CONFIG cannot be used (an ACL that forbids it, a managed Redis, no
   * primary reachable).
   */
  async evictionWarning(): Promise<string | undefined> {
    const policies = new Set<string>();
    try {
      for (const node of this.primaries()) {
        const reply = (await node.config("GET", "maxmemory-policy")) as string[];
        if (typeof reply[1] === "string") policies.add(reply[1]);
      }
    } catch {
      return undefined;
    }
    const risky = [...policies].filter((policy) => /^(allkeys|volatile)-/.test(policy));
    if (risky.length === 0) return undefined;
    const what = risky.some((policy) => policy.startsWith("allkeys-"))
      ? "held locks and fencing counters"
      : "held locks and their fencing counters (they carry a TTL)";
    return (
      `Redis at ${this.context.endpoint()} has maxmemory-policy ${risky.join(", ")}: when memory is full it may evict ${what}, ` +
      `and another server could then take a lock that is still held. Use noeviction, or a Redis of its own for the cache.`
    );
  }
}
