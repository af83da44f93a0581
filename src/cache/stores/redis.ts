import type { ChainableCommander, Cluster, Redis } from "ioredis";
import { CacheCommands, defineCommands } from "../commands";
import { ScriptReply, ScriptStatus } from "../commands/replies";
import { CacheError, CacheErrorCodes } from "../errors";
import { ReleaseSignals } from "../release-signals";
import type {
  CacheStore,
  DestroyOutcome,
  DumpEntry,
  ListLengthOutcome,
  LoadOrLockOutcome,
  LoadOutcome,
  LockDetails,
  PopOutcome,
  PushOutcome,
  RestoreOutcome,
  SaveOutcome,
  StoredObject,
  UnlockSignal,
} from "../types/store";
import { DEFAULT_OPERATION_TIMEOUT_MS, describeEndpoint, waitUntilReady } from "./redis-connection";
import { RedisKeyLayout } from "./redis-keys";

export const DEFAULT_PREFIX = "ah-cache-plugin:object:";
export const DEFAULT_LOCK_PREFIX = "ah-cache-plugin:lock:";
export const DEFAULT_SCAN_COUNT = 1000;
/**
 * Releases arrive over pub/sub; a waiter still re-checks this often, because an expiring lock publishes nothing
 * and a message can be missed while the subscriber reconnects.
 */
export const LOCK_FALLBACK_POLL_MS = 50;
const QUIT_TIMEOUT_MS = 1000;

export interface RedisStoreOptions {
  client: Redis | Cluster;
  prefix?: string;
  lockPrefix?: string;
  /** COUNT hint for SCAN batches. */
  scanCount?: number;
  /** When true, close() quits the client; leave false for a client someone else manages. */
  ownsClient?: boolean;
  /** How often a waiter re-checks a lock when no release message arrives (expiry publishes none), in ms. */
  lockFallbackPollMs?: number;
  /**
   * How long the store waits for its subscriber connection to become ready. Operation time limits come from the
   * client's own options: build it with failFastOptions() so every operation settles in bounded time.
   */
  operationTimeoutMs?: number;
}

type CommandClient = (Redis | Cluster) & CacheCommands;

/** Server replies that mean "not now" rather than "wrong". READONLY: a replica, as during a failover. */
const TRANSIENT_REPLY = /^(LOADING|CLUSTERDOWN|TRYAGAIN|MASTERDOWN|BUSY|READONLY)\b/;
/** Replies refusing a write while reads would still be answered: a full Redis (noeviction), a read-only replica. */
const WRITES_REFUSED = /^(OOM|READONLY)\b/;

/** What a reading script (load, load-read-only) may answer; FOREIGN is handled for every script by decode(). */
const READ_STATUSES = [ScriptStatus.OK, ScriptStatus.MISSING, ScriptStatus.LOCKED];
/** What a write under the lock rules may answer. */
const WRITE_STATUSES = [ScriptStatus.OK, ScriptStatus.LOCKED, ScriptStatus.NOT_HOLDER];

/** A refused write's outcome, or undefined when the status is not a refusal. */
function refusal(status: ScriptStatus): "locked" | "not-holder" | undefined {
  return status === ScriptStatus.LOCKED ? "locked" : status === ScriptStatus.NOT_HOLDER ? "not-holder" : undefined;
}

/** A script's "1 or empty" flag argument. */
function flag(on: boolean): string {
  return on ? "1" : "";
}

function writesRefused(error: unknown): boolean {
  return (error as Error)?.name === "ReplyError" && WRITES_REFUSED.test((error as Error).message);
}

/**
 * Turns whatever ioredis threw into a CacheError that tells the caller what to do next. `lastConnectionError`
 * explains failures that ioredis itself reports vaguely ("Stream isn't writeable") while Redis is away.
 */
export function toCacheError(error: unknown, endpoint?: string, lastConnectionError?: string): CacheError {
  if (error instanceof CacheError) return error;
  const failure = error as Error & { name?: string };
  const message = failure?.message ?? String(error);
  const isServerReply = failure?.name === "ReplyError";
  if (isServerReply && !TRANSIENT_REPLY.test(message)) {
    return new CacheError(CacheErrorCodes.STORE_ERROR, `Redis refused the command: ${message}`, { cause: error });
  }
  const where = endpoint ? ` at ${endpoint}` : "";
  const why =
    lastConnectionError && lastConnectionError !== message ? ` (last connection error: ${lastConnectionError})` : "";
  return new CacheError(CacheErrorCodes.UNAVAILABLE, `Redis${where} is unavailable: ${message}${why}`, {
    cause: error,
  });
}

/** Objects are `createdAt readAt expireTimestamp` as 13-digit ms fields (0 = none), then the JSON: see includes/header.lua. */
const HEADER_LENGTH = 39;
const FIELD_LENGTH = 13;

/** Our header: 39 digits (see includes/read-object.lua, hasHeader). */
function hasHeader(stored: string): boolean {
  return stored.length >= HEADER_LENGTH && /^\d+$/.test(stored.slice(0, HEADER_LENGTH));
}

function decodeStoredObject(stored: string): StoredObject {
  return {
    json: stored.slice(HEADER_LENGTH),
    createdAt: Number(stored.slice(0, FIELD_LENGTH)),
    readAt: Number(stored.slice(FIELD_LENGTH, 2 * FIELD_LENGTH)) || null,
    expireTimestamp: Number(stored.slice(2 * FIELD_LENGTH, HEADER_LENGTH)) || null,
  };
}

function encodeStoredObject(object: StoredObject): string {
  const field = (ms: number | null) => String(ms ?? 0).padStart(FIELD_LENGTH, "0");
  return field(object.createdAt) + field(object.readAt) + field(object.expireTimestamp) + object.json;
}

function ttlArgument(ttlMs: number | null): string {
  return ttlMs === null ? "" : String(ttlMs);
}

/** Tokens are integers below 2^53, so String() writes every digit, as the scripts' '%.0f' does. */
function tokenArgument(token: number | null): string {
  return token === null ? "" : String(token);
}

/** Redis (or Redis Cluster) through ioredis: every operation is one Lua script, so one round trip. */
export class RedisStore implements CacheStore {
  readonly kind = "redis" as const;
  readonly layout: RedisKeyLayout;
  private readonly client: CommandClient;
  private readonly scanCount: number;
  private readonly ownsClient: boolean;
  private readonly lockFallbackPollMs: number;
  private readonly releases = new ReleaseSignals();
  private subscriber: Redis | Cluster | undefined;
  private subscribed: Promise<void> | undefined;
  /** Aborted by close(), so nothing the store started waits on after it. */
  private readonly closing = new AbortController();
  /** True while the subscriber is subscribed, so no release message can be missed. */
  private subscriptionLive = false;
  private readonly operationTimeoutMs: number;
  private lastConnectionError: string | undefined;
  private readonly rememberConnectionError = (error: Error) => {
    this.lastConnectionError = error.message;
  };
  private readonly forgetConnectionError = () => {
    this.lastConnectionError = undefined;
  };

  constructor(options: RedisStoreOptions) {
    this.layout = new RedisKeyLayout(options.prefix ?? DEFAULT_PREFIX, options.lockPrefix ?? DEFAULT_LOCK_PREFIX);
    this.scanCount = options.scanCount ?? DEFAULT_SCAN_COUNT;
    if (!Number.isSafeInteger(this.scanCount) || this.scanCount <= 0) {
      throw new CacheError(
        CacheErrorCodes.INVALID_OPTIONS,
        `scanCount must be a positive integer, got ${JSON.stringify(options.scanCount)}`,
      );
    }
    this.ownsClient = options.ownsClient ?? false;
    this.lockFallbackPollMs = options.lockFallbackPollMs ?? LOCK_FALLBACK_POLL_MS;
    this.operationTimeoutMs = options.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS;
    defineCommands(options.client);
    this.client = options.client as CommandClient;
    this.client.on("error", this.rememberConnectionError);
    this.client.on("ready", this.forgetConnectionError);
    this.client.on("close", this.abandonInFlight);
  }

  /** host:port (or the cluster's startup nodes) of the Redis this store uses. */
  get endpoint(): string {
    return describeEndpoint(this.client);
  }

  get redis(): Redis | Cluster {
    return this.client;
  }

  private async call<T>(operation: Promise<T>): Promise<T> {
    try {
      return await operation;
    } catch (error) {
      throw toCacheError(error, this.endpoint, this.lastConnectionError);
    }
  }

  /**
   * On a closed connection, fails at once the commands that were in flight on it. With failFastOptions
   * (autoResendUnfulfilledCommands: false) ioredis drops them on reconnect without settling them, so they would
   * only end at the command timeout. ioredis keeps them in `commandQueue` until it connects again. A client that
   * resends them (autoResend on) is left alone: failing a command it will still send would misreport a write.
   */
  private readonly abandonInFlight = () => {
    if ((this.client as Cluster).isCluster) return;
    const client = this.client as Redis;
    if (client.options?.autoResendUnfulfilledCommands !== false) return;
    const queue = client.commandQueue;
    if (!queue || queue.length === 0) return;
    const error = new CacheError(
      CacheErrorCodes.UNAVAILABLE,
      `Redis at ${this.endpoint} is unavailable: the connection closed while the command was in flight (it may or may not have been applied)`,
    );
    for (const item of queue.toArray()) item.command.reject(error);
  };

  async save(
    key: string,
    owner: string,
    json: string,
    ttlMs: number | null,
    requireLock: boolean,
  ): Promise<SaveOutcome> {
    const { layout } = this;
    const [status] = await this.script(
      key,
      this.client.ahCacheSave(
        layout.objectKey(key),
        layout.lockKey(key),
        owner,
        json,
        ttlArgument(ttlMs),
        flag(requireLock),
      ),
      ...WRITE_STATUSES,
    );
    return refusal(status) ?? "saved";
  }

  /**
   * Reads and records the read. When Redis refuses writes (OOM, READONLY), the value is still answered by a
   * script that writes nothing: readAt is then not recorded and no sliding TTL is applied (`readOnly: true`).
   */
  async load(key: string, owner: string, ttlMs: number | null): Promise<LoadOutcome> {
    const { layout } = this;
    let reply: ScriptReply;
    try {
      reply = await this.client.ahCacheLoad(layout.objectKey(key), layout.lockKey(key), owner, ttlArgument(ttlMs));
    } catch (error) {
      if (!writesRefused(error)) throw toCacheError(error, this.endpoint, this.lastConnectionError);
      return this.loadReadOnly(key, owner);
    }
    return this.objectOutcome(this.decode(key, reply, ...READ_STATUSES));
  }

  private async loadReadOnly(key: string, owner: string): Promise<LoadOutcome> {
    const reply = await this.script(
      key,
      this.client.ahCacheLoadReadOnly(this.layout.objectKey(key), this.layout.lockKey(key), owner),
      ...READ_STATUSES,
    );
    const outcome = this.objectOutcome(reply);
    return outcome.status === "ok" ? { ...outcome, readOnly: true } : outcome;
  }

  /** A reading script's `[OK, stored, newExpireTimestamp?]`, `[MISSING]` or `[LOCKED]`, already decoded. */
  private objectOutcome([status, stored, expireTimestamp]: ScriptReply): LoadOutcome {
    if (status === ScriptStatus.LOCKED) return { status: "locked" };
    if (status === ScriptStatus.MISSING) return { status: "missing" };
    const object = decodeStoredObject(stored as string);
    if (expireTimestamp !== undefined && expireTimestamp !== "") object.expireTimestamp = Number(expireTimestamp);
    return { status: "ok", object };
  }

  async loadOrLock(key: string, owner: string, lockTtlMs: number): Promise<LoadOrLockOutcome> {
    const { layout } = this;
    let reply: ScriptReply;
    try {
      reply = await this.client.ahCacheLoadOrLock(
        layout.objectKey(key),
        layout.lockKey(key),
        layout.fenceKey(key),
        owner,
        String(lockTtlMs),
      );
    } catch (error) {
      if (!writesRefused(error)) throw toCacheError(error, this.endpoint, this.lastConnectionError);
      // A hit is still answered; a miss cannot take the lock while writes are refused, so it fails as it did.
      const found = await this.loadReadOnly(key, owner);
      if (found.status === "missing") throw toCacheError(error, this.endpoint, this.lastConnectionError);
      return found;
    }
    const [status, payload] = this.decode(key, reply, ScriptStatus.OK, ScriptStatus.ACQUIRED, ScriptStatus.LOCKED);
    if (status === ScriptStatus.ACQUIRED) return { status: "acquired", token: payload as number };
    return status === ScriptStatus.LOCKED
      ? { status: "locked" }
      : { status: "ok", object: decodeStoredObject(payload as string) };
  }

  async destroy(key: string, owner: string, requireLock: boolean): Promise<DestroyOutcome> {
    const { layout } = this;
    const [status] = await this.script(
      key,
      this.client.ahCacheDestroy(
        layout.objectKey(key),
        layout.listKey(key),
        layout.lockKey(key),
        owner,
        flag(requireLock),
      ),
      ...WRITE_STATUSES,
      ScriptStatus.MISSING,
    );
    return refusal(status) ?? (status === ScriptStatus.OK ? "destroyed" : "missing");
  }

  async lock(key: string, owner: string, ttlMs: number): Promise<number> {
    const [status, token] = await this.script(
      key,
      this.client.ahCacheLock(this.layout.lockKey(key), this.layout.fenceKey(key), owner, String(ttlMs)),
      ScriptStatus.ACQUIRED,
      ScriptStatus.LOCKED,
    );
    return status === ScriptStatus.ACQUIRED ? (token as number) : 0;
  }

  async extend(key: string, owner: string, ttlMs: number, token: number | null): Promise<boolean> {
    const { layout } = this;
    const [status] = await this.script(
      key,
      this.client.ahCacheExtend(layout.lockKey(key), layout.fenceKey(key), owner, String(ttlMs), tokenArgument(token)),
      ScriptStatus.OK,
      ScriptStatus.NOT_HOLDER,
    );
    return status === ScriptStatus.OK;
  }

  async unlock(key: string, owner: string, token: number | null): Promise<boolean> {
    const { layout } = this;
    const lockKey = layout.lockKey(key);
    const [status] = await this.script(
      key,
      this.client.ahCacheUnlock(lockKey, layout.fenceKey(key), owner, layout.releaseChannel(), tokenArgument(token)),
      ScriptStatus.OK,
      ScriptStatus.NOT_HOLDER,
    );
    // Waiters in this process wake now, without the pub/sub round trip; other servers wake on the published message.
    if (status === ScriptStatus.OK) this.releases.released(lockKey);
    return status === ScriptStatus.OK;
  }

  async checkLock(key: string, owner: string): Promise<boolean> {
    const [status] = await this.script(
      key,
      this.client.ahCacheCheckLock(this.layout.lockKey(key), owner),
      ScriptStatus.OK,
      ScriptStatus.LOCKED,
    );
    return status === ScriptStatus.OK;
  }

  async push(key: string, owner: string, json: string, requireLock: boolean): Promise<PushOutcome> {
    const [status, length] = await this.script(
      key,
      this.client.ahCachePush(this.layout.listKey(key), this.layout.lockKey(key), owner, json, flag(requireLock)),
      ...WRITE_STATUSES,
    );
    const refused = refusal(status);
    return refused ? { status: refused } : { status: "pushed", length: length as number };
  }

  async pop(key: string, owner: string, requireLock: boolean): Promise<PopOutcome> {
    const [status, item] = await this.script(
      key,
      this.client.ahCachePop(this.layout.listKey(key), this.layout.lockKey(key), owner, flag(requireLock)),
      ...WRITE_STATUSES,
      ScriptStatus.MISSING,
    );
    const refused = refusal(status);
    if (refused) return { status: refused };
    return status === ScriptStatus.OK ? { status: "popped", json: item as string } : { status: "empty" };
  }

  async listLength(key: string, owner: string): Promise<ListLengthOutcome> {
    const [status, length] = await this.script(
      key,
      this.client.ahCacheListLength(this.layout.listKey(key), this.layout.lockKey(key), owner),
      ScriptStatus.OK,
      ScriptStatus.LOCKED,
    );
    return status === ScriptStatus.LOCKED ? { status: "locked" } : { status: "ok", length: length as number };
  }

  /** Runs a script and decodes its reply; Redis errors become CacheErrors. */
  private async script(
    key: string,
    operation: Promise<ScriptReply>,
    ...expected: ScriptStatus[]
  ): Promise<ScriptReply> {
    return this.decode(key, await this.call(operation), ...expected);
  }

  /**
   * The one place script replies are checked: FOREIGN (the key holds something this cache did not write) becomes
   * STORE_ERROR, and so does any status the script may not answer.
   */
  private decode(key: string, reply: ScriptReply, ...expected: ScriptStatus[]): ScriptReply {
    const [status] = reply;
    if (status === ScriptStatus.FOREIGN) throw this.foreign(key);
    if (!expected.includes(status)) {
      throw new CacheError(
        CacheErrorCodes.STORE_ERROR,
        `unexpected script reply ${JSON.stringify(reply)} for ${JSON.stringify(key)}`,
        {
          key,
        },
      );
    }
    return reply;
  }

  private foreign(key: string): CacheError {
    const where = this.layout.objectKey(key);
    return new CacheError(
      CacheErrorCodes.STORE_ERROR,
      `${where} holds a value this cache did not write (another type, or no header); it was left as it is`,
      { key },
    );
  }

  /** Objects, then lists, SCANned on every primary and read back in pipelines (GET, LRANGE) batch by batch. */
  async *entries(): AsyncIterable<DumpEntry[]> {
    for await (const batch of this.scanAndRead(this.layout.objectPattern(), (pipeline, redisKey) =>
      pipeline.get(redisKey),
    )) {
      const entries = batch.flatMap(({ redisKey, replies: [stored] }): DumpEntry[] => {
        const key = this.layout.keyFromObjectKey(redisKey);
        // An object can expire between SCAN and GET: it is then left out. A foreign value fails the dump, as load
        // fails on it, rather than being left out silently.
        if (key === undefined || stored === null) return [];
        if (typeof stored !== "string" || !hasHeader(stored)) throw this.foreign(key);
        return [{ type: "object", key, ...decodeStoredObject(stored) }];
      });
      if (entries.length > 0) yield entries;
    }
    for await (const batch of this.scanAndRead(this.layout.listPattern(), (pipeline, redisKey) =>
      pipeline.lrange(redisKey, 0, -1),
    )) {
      const entries = batch.flatMap(({ redisKey, replies: [items] }): DumpEntry[] => {
        const key = this.layout.keyFromListKey(redisKey);
        if (items instanceof Error) throw toCacheError(items, this.endpoint);
        return key !== undefined && Array.isArray(items) && items.length > 0
          ? [{ type: "list", key, items: items as string[] }]
          : [];
      });
      if (entries.length > 0) yield entries;
    }
  }

  /**
   * Sends the batch's restore scripts all at once (the Cache bounds the batch). ioredis writes them back to back
   * on the connection (or to each key's node on a cluster), so this is pipelined without a pipeline object that
   * would have to stay within one slot.
   */
  async restore(entries: DumpEntry[], owner: string): Promise<RestoreOutcome[]> {
    const replies = await this.call(Promise.all(entries.map((entry) => this.restoreOne(entry, owner))));
    return replies.map((reply, index) => {
      const [status] = this.decode(
        entries[index].key,
        reply,
        ScriptStatus.OK,
        ScriptStatus.EXPIRED,
        ScriptStatus.LOCKED,
      );
      return status === ScriptStatus.OK ? "restored" : status === ScriptStatus.EXPIRED ? "expired" : "locked";
    });
  }

  private restoreOne(entry: DumpEntry, owner: string): Promise<ScriptReply> {
    const lockKey = this.layout.lockKey(entry.key);
    if (entry.type === "list")
      return this.client.ahCacheRestoreList(
        this.layout.listKey(entry.key),
        lockKey,
        owner,
        entry.append ? "1" : "",
        ...entry.items,
      );
    const expire = entry.expireTimestamp === null ? "" : String(entry.expireTimestamp);
    return this.client.ahCacheRestoreObject(
      this.layout.objectKey(entry.key),
      lockKey,
      owner,
      encodeStoredObject(entry),
      expire,
    );
  }

  async locks(scopePrefix: string): Promise<string[]> {
    return this.scanUserKeys(this.layout.lockPattern(scopePrefix), (redisKey) => this.layout.keyFromLockKey(redisKey));
  }

  async keys(scopePrefix: string): Promise<string[]> {
    return this.scanUserKeys(this.layout.objectPattern(scopePrefix), (redisKey) =>
      this.layout.keyFromObjectKey(redisKey),
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
    const { layout } = this;
    const patterns = [layout.objectPattern(scopePrefix), layout.listPattern(scopePrefix)];
    if (locks) patterns.push(layout.lockPattern(scopePrefix));
    let removed = 0;
    let firstFailure: unknown;
    for (const pattern of patterns) {
      for await (const batch of this.scanAndRead(pattern, (pipeline, redisKey) => pipeline.unlink(redisKey))) {
        for (const { replies } of batch) {
          if (replies[0] instanceof Error) firstFailure ??= replies[0];
          else removed += Number(replies[0] ?? 0);
        }
      }
    }
    // Every key was tried; a count is only an answer when all of them went.
    if (firstFailure !== undefined) throw toCacheError(firstFailure, this.endpoint, this.lastConnectionError);
    return removed;
  }

  private async scanUserKeys(pattern: string, decode: (redisKey: string) => string | undefined): Promise<string[]> {
    const redisKeys = await this.call(this.scanAll(pattern));
    const keys = new Set<string>();
    for (const redisKey of redisKeys) {
      const key = decode(redisKey);
      if (key !== undefined) keys.add(key);
    }
    return [...keys];
  }

  async lockDetails(scopePrefix: string): Promise<LockDetails[]> {
    const details = new Map<string, LockDetails>();
    for await (const batch of this.scanAndRead(this.layout.lockPattern(scopePrefix), (pipeline, redisKey) =>
      pipeline.get(redisKey).pttl(redisKey),
    )) {
      for (const {
        redisKey,
        replies: [owner, ttl],
      } of batch) {
        const key = this.layout.keyFromLockKey(redisKey);
        // A lock can expire between SCAN and the pipeline: it is then left out.
        if (key !== undefined && typeof owner === "string" && typeof ttl === "number" && ttl > 0)
          details.set(key, { key, owner, ttl });
      }
    }
    return [...details.values()];
  }

  /** One node, or each primary of a cluster. */
  private primaries(): Redis[] {
    const cluster = this.client as Cluster;
    return cluster.isCluster ? cluster.nodes("master") : [this.client as Redis];
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
        const results = (await this.call(pipeline.exec())) ?? [];
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
      const [next, batch] = await this.call(node.scan(cursor, "MATCH", pattern, "COUNT", this.scanCount));
      if (batch.length > 0) yield batch;
      cursor = next;
    } while (cursor !== "0");
  }

  async listenForUnlock(key: string): Promise<UnlockSignal> {
    // Waiting never waits for the subscriber: until it is subscribed (or while it cannot be), waiters re-check
    // every lockFallbackPollMs within their own retry budget.
    this.subscribe().catch(() => undefined);
    // A release published before the subscription was live is missed, so such a registration re-checks soon.
    const poll = this.subscriptionLive
      ? this.lockFallbackPollMs
      : Math.min(this.lockFallbackPollMs, LOCK_FALLBACK_POLL_MS);
    return this.releases.listen(this.layout.lockKey(key), (timeoutMs) => Math.min(timeoutMs, poll));
  }

  /** One subscriber connection per store, shared by every waiter, opened on the first wait. */
  private subscribe(): Promise<void> {
    if (!this.subscribed) {
      const subscriber = (this.subscriber = this.client.duplicate());
      subscriber.on("error", () => undefined);
      // ioredis subscribes again on reconnect; messages published while it was away are lost.
      subscriber.on("close", () => (this.subscriptionLive = false));
      subscriber.on(
        "ready",
        () => (this.subscriptionLive = subscriber.status === "ready" && this.subscriber === subscriber),
      );
      subscriber.on("message", (_channel: string, lockKey: string) => this.releases.released(lockKey));
      // The client may run without an offline queue, so SUBSCRIBE waits for the connection to be ready.
      this.subscribed = (async () => {
        if (!(await waitUntilReady(subscriber, this.operationTimeoutMs, this.closing.signal)))
          throw new Error("subscriber connection not ready");
        await subscriber.subscribe(this.layout.releaseChannel());
      })().then(
        () => {
          this.subscriptionLive = true;
        },
        (error: unknown) => {
          this.subscribed = undefined;
          this.subscriber = undefined;
          this.subscriptionLive = false;
          subscriber.disconnect();
          throw error;
        },
      );
    }
    return this.subscribed;
  }

  /**
   * Reads `maxmemory-policy` on every primary and describes the risk to locks, if there is one: under `allkeys-*`
   * Redis may evict held locks and fencing counters, under `volatile-*` held locks (they carry a TTL). Resolves
   * undefined when the policy is safe, or when CONFIG cannot be used (an ACL that forbids it, a managed Redis).
   */
  async evictionWarning(): Promise<string | undefined> {
    const policies = new Set<string>();
    for (const node of this.primaries()) {
      try {
        const reply = (await node.config("GET", "maxmemory-policy")) as string[];
        if (typeof reply[1] === "string") policies.add(reply[1]);
      } catch {
        return undefined;
      }
    }
    const risky = [...policies].filter((policy) => /^(allkeys|volatile)-/.test(policy));
    if (risky.length === 0) return undefined;
    const what = risky.some((policy) => policy.startsWith("allkeys-"))
      ? "held locks and fencing counters"
      : "held locks (they carry a TTL)";
    return (
      `Redis at ${this.endpoint} has maxmemory-policy ${risky.join(", ")}: when memory is full it may evict ${what}, ` +
      `and another server could then take a lock that is still held. Use noeviction, or a Redis of its own for the cache.`
    );
  }

  get connection(): string {
    return this.client.status;
  }

  /** How many callers wait for a release right now: for tests and status output. */
  get waiting(): number {
    return this.releases.waiting;
  }

  async close(): Promise<void> {
    this.closing.abort();
    this.client.off("error", this.rememberConnectionError);
    this.client.off("ready", this.forgetConnectionError);
    this.client.off("close", this.abandonInFlight);
    this.releases.releaseAll();
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    this.subscribed = undefined;
    this.subscriptionLive = false;
    if (subscriber) await quit(subscriber);
    if (this.ownsClient) await quit(this.client);
  }
}

/**
 * QUIT lets replies in flight arrive first. A client that is not connected (Redis away, reconnecting) is simply
 * disconnected, and nothing here waits longer than QUIT_TIMEOUT_MS: stopping a server must never hang on Redis.
 */
async function quit(client: Redis | Cluster): Promise<void> {
  if (client.status === "end") return;
  if (client.status !== "ready") {
    client.disconnect();
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const ended = new Promise<void>((resolve) => {
    client.once("end", resolve);
    timer = setTimeout(() => {
      client.disconnect();
      resolve();
    }, QUIT_TIMEOUT_MS);
  });
  await client.quit().catch(() => client.disconnect());
  await ended;
  clearTimeout(timer);
}
