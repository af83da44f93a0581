import type { Cluster, Redis } from "ioredis";
import { CacheCommands, defineCommands } from "../commands";
import { ScriptReply, ScriptStatus } from "../commands/replies";
import { CacheError, CacheErrorCodes } from "../errors";
import type { ChangeListener, DumpEntry, LockDetails, UnlockSignal } from "../types/store";
import { DEFAULT_OPERATION_TIMEOUT_MS, describeEndpoint, quit } from "./redis-connection";
import { RedisKeyLayout } from "./redis-keys";
import { ConnectionWatch } from "./redis-liveness";
import { LOCK_FALLBACK_POLL_MS, ReleaseListener } from "./redis-releases";
import { decodeReply, toCacheError } from "./redis-replies";
import { RedisScanner } from "./redis-scan";
import { RedisTracking } from "./redis-tracking";
import { WriteBatches } from "./write-batches";

export const DEFAULT_PREFIX = "ah-cache-plugin:object:";
export const DEFAULT_LOCK_PREFIX = "ah-cache-plugin:lock:";
export const DEFAULT_SCAN_COUNT = 1000;

/** ioredis's message for a command that got no answer within commandTimeout. */
const COMMAND_TIMED_OUT = "Command timed out";

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

export type CommandClient = (Redis | Cluster) & CacheCommands;

/**
 * What the Redis store is besides its per-key operations: the connection and its failure handling, the SCAN walks
 * and the release listener it delegates to, and closing. RedisStore (redis.ts) adds the operations.
 */
export class RedisStoreBase {
  readonly kind = "redis" as const;
  readonly layout: RedisKeyLayout;
  protected readonly client: CommandClient;
  protected readonly scanCount: number;
  protected readonly ownsClient: boolean;
  protected readonly lockFallbackPollMs: number;
  protected readonly listener: ReleaseListener;
  protected readonly scanner: RedisScanner;
  protected readonly operationTimeoutMs: number;
  private readonly liveness: ConnectionWatch;
  protected lastConnectionError: string | undefined;
  private readonly writes: WriteBatches;
  /** Client tracking, started by the first watchChanges() (a near cache). */
  private tracking: RedisTracking | undefined;
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
    this.writes = new WriteBatches(this.client);
    this.client.on("error", this.rememberConnectionError);
    this.client.on("ready", this.forgetConnectionError);
    this.client.on("close", this.abandonInFlight);
    this.listener = new ReleaseListener(
      this.client,
      this.layout,
      this.lockFallbackPollMs,
      this.operationTimeoutMs,
      () => this.commands(),
    );
    this.liveness = new ConnectionWatch(this.client, this.operationTimeoutMs, () => this.endpoint);
    this.scanner = new RedisScanner({
      client: this.client,
      layout: this.layout,
      scanCount: this.scanCount,
      call: (operation) => this.call(operation),
      endpoint: () => this.endpoint,
      lastConnectionError: () => this.lastConnectionError,
    });
  }

  /** host:port (or the cluster's startup nodes) of the Redis this store uses. */
  get endpoint(): string {
    return describeEndpoint(this.client);
  }

  get redis(): Redis | Cluster {
    return this.client;
  }

  /** The client, for sending one command now: the command joins this tick's socket write (write-batches.ts). */
  protected commands(): CommandClient {
    this.writes.join();
    return this.client;
  }

  protected async call<T>(operation: Promise<T>): Promise<T> {
    try {
      return await operation;
    } catch (error) {
      if (error instanceof Error && error.message === COMMAND_TIMED_OUT) this.liveness.commandTimedOut();
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

  protected async script(
    key: string,
    operation: Promise<ScriptReply>,
    ...expected: ScriptStatus[]
  ): Promise<ScriptReply> {
    return decodeReply(this.layout, key, await this.call(operation), ...expected);
  }

  entries(): AsyncIterable<DumpEntry[]> {
    return this.scanner.entries();
  }

  locks(scopePrefix: string): Promise<string[]> {
    return this.scanner.locks(scopePrefix);
  }

  keys(scopePrefix: string): Promise<string[]> {
    return this.scanner.keys(scopePrefix);
  }

  size(scopePrefix: string): Promise<number> {
    return this.scanner.size(scopePrefix);
  }

  clear(scopePrefix: string, locks: boolean): Promise<number> {
    return this.scanner.clear(scopePrefix, locks);
  }

  lockDetails(scopePrefix: string): Promise<LockDetails[]> {
    return this.scanner.lockDetails(scopePrefix);
  }

  listenForUnlock(key: string): Promise<UnlockSignal> {
    return this.listener.listenForUnlock(key);
  }

  watchConnection(lost: (error: CacheError) => void): () => void {
    return this.liveness.watch(lost);
  }

  watchChanges(listener: ChangeListener): () => void {
    this.tracking ??= new RedisTracking(this.client, this.layout);
    return this.tracking.watch(listener);
  }

  /** Date.now() moved to Redis's clock by the offset measured when tracking was armed (none before). */
  clock(): number {
    return Date.now() + (this.tracking?.offsetMs ?? 0);
  }

  /** See RedisScanner.evictionWarning: the risk the eviction policy poses to locks, if any. */
  evictionWarning(): Promise<string | undefined> {
    return this.scanner.evictionWarning();
  }

  get connection(): string {
    return this.client.status;
  }

  /** How many callers wait for a release right now: for tests and status output. */
  get waiting(): number {
    return this.listener.waiting;
  }

  async close(): Promise<void> {
    this.client.off("error", this.rememberConnectionError);
    this.client.off("ready", this.forgetConnectionError);
    this.client.off("close", this.abandonInFlight);
    await this.listener.close();
    await this.tracking?.close();
    this.tracking = undefined;
    if (this.ownsClient) await quit(this.client);
  }
}
