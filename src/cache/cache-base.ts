import {
  DESTROY_OPTIONS,
  LIST_WRITE_OPTIONS,
  LOAD_OPTIONS,
  SAVE_OPTIONS,
  assertWritten,
  flag,
  ownField,
  ttlAndOptions,
} from "./arguments";
import { ProducerFailure, asFailure, splitCallback, withCallback, withLoadCallback } from "./call-style";
import { CacheError, CacheErrorCodes, inCall, lockNotHeld, locked, notFound } from "./errors";
import { deserializeValue, serializeValue } from "./serialization";
import type {
  CacheOptions,
  Callback,
  DestroyOptions,
  ListWriteOptions,
  LoadCallback,
  LoadOptions,
  LoadResult,
  SaveOptions,
} from "./types/options";
import type { CacheStore, StoreKind } from "./types/store";
import { assertKey, optionalDuration, plainOptions, positiveDuration, retryBudget } from "./validation";
import { DEFAULT_NEAR_CACHE_LIMITS, NearCache, type NearCacheLimits } from "./near-cache";
import { NearStore } from "./near-store";
import { SingleFlight } from "./single-flight";
import { LostHolds } from "./lock-holder";
import { CacheCounters } from "./stats";
import { whileLocked } from "./waiting";
import { WaitingRoom } from "./waiting-room";

export const DEFAULT_LOCK_DURATION_MS = 10_000;
export const DEFAULT_MAX_VALUE_BYTES = 1024 * 1024;

/** What a Cache shares with the caches withOwner() makes from it. */
export interface SharedState {
  /** The store as given. */
  raw: CacheStore;
  /** What calls use: the store seen through the near cache, or through the grace copies when it is off. */
  store: CacheStore;
  flights: SingleFlight;
  /** Keys whose withLock or fetch hold lost its lock while its body still runs: guarded writes are refused. */
  lostHolds: LostHolds;
  near: NearCache | undefined;
  /** What calls with `grace` read through, and the copies they answer from on an outage. */
  graceReads: { store: CacheStore; copies: NearCache };
}

/**
 * With the near cache on, every call goes through it, and grace answers from its copies. With it off, copies are
 * kept for grace only: made by the calls that pass `grace` (through a store that adopts new keys), and updated by
 * every other call of the key (through one that does not), so a process that never uses grace keeps none, and one
 * that does never answers grace with a value it has since destroyed.
 */
function sharedState(options: CacheOptions): SharedState {
  const raw = options.store;
  const limits = nearCacheLimits(options.nearCache);
  const lostHolds = new LostHolds();
  const flights = new SingleFlight(lostHolds);
  if (!options.nearCache) {
    const copies = new NearCache(limits, () => raw.clock(), false);
    const graceReads = { store: new NearStore(raw, copies, true), copies };
    return { raw, store: new NearStore(raw, copies, false), flights, lostHolds, near: undefined, graceReads };
  }
  const near = new NearCache(limits, () => raw.clock(), true);
  raw.watchChanges(near);
  const store = new NearStore(raw, near);
  return { raw, store, flights, lostHolds, near, graceReads: { store, copies: near } };
}

/** `nearCache`: false/undefined (off), true (default limits), or limits of which each defaults. */
function nearCacheLimits(option: CacheOptions["nearCache"]): NearCacheLimits {
  if (option === undefined || typeof option === "boolean") return DEFAULT_NEAR_CACHE_LIMITS;
  const options = plainOptions(option, ["maxEntries", "maxBytes"], "nearCache options");
  return {
    maxEntries: (ownField(options, "maxEntries") as number | undefined) ?? DEFAULT_NEAR_CACHE_LIMITS.maxEntries,
    maxBytes: (ownField(options, "maxBytes") as number | undefined) ?? DEFAULT_NEAR_CACHE_LIMITS.maxBytes,
  };
}

/**
 * The state every part of the Cache shares (store, owner, counters, the waiting room), the calling convention of
 * its methods, and the object and list operations. Cache (cache.ts) is what callers use.
 */
export class CacheBase {
  /** The store as given (a RedisStore or MemoryStore), for tools and tests that look inside. */
  readonly store: CacheStore;
  /** What calls go through: the store seen through the near cache, or through the grace copies when it is off. */
  protected readonly calls: CacheStore;
  readonly owner: string;
  readonly lockDuration: number;
  readonly maxValueBytes: number;
  protected readonly waitingRoom = new WaitingRoom();
  protected readonly counters = new CacheCounters();
  protected readonly shared: SharedState;
  protected readonly flights: SingleFlight;
  /** The near cache when it serves reads (options.nearCache), else undefined. */
  protected readonly near: NearCache | undefined;

  /** `shared` comes from withOwner(): the same store, single flights and near cache as the cache it came from. */
  constructor(options: CacheOptions, shared?: SharedState) {
    if (typeof options?.owner !== "string" || options.owner.length === 0) {
      throw new CacheError(CacheErrorCodes.INVALID_OPTIONS, "owner must be a non-empty string");
    }
    this.owner = options.owner;
    this.lockDuration = positiveDuration(options.lockDuration ?? DEFAULT_LOCK_DURATION_MS, "lockDuration");
    this.maxValueBytes = options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
    if (!Number.isSafeInteger(this.maxValueBytes) || this.maxValueBytes <= 0) {
      throw new CacheError(CacheErrorCodes.INVALID_OPTIONS, "maxValueBytes must be a positive integer");
    }
    // Last: a near cache starts watching the store, which nothing may do for a Cache that was refused.
    this.shared = shared ?? sharedState(options);
    this.flights = this.shared.flights;
    this.near = this.shared.near;
    this.store = this.shared.raw;
    this.calls = this.shared.store;
  }

  /**
   * The shape of every public method: split off a trailing callback, run the body so that it always rejects
   * with a CacheError and never throws synchronously, and report to the callback too when one was given.
   */
  protected run<T>(
    input: unknown[],
    required: number,
    body: (args: unknown[]) => Promise<T>,
    method?: string,
  ): Promise<T> {
    const [args, next] = splitCallback(input, required);
    return withCallback(
      this.settled(() => body(args), method, args[0]),
      next,
    );
  }

  /**
   * Runs a call's body in one async step: it never throws synchronously, and rejects with a CacheError counted
   * under its code (or a producer's own error, unchanged). One promise layer, on the path of every call.
   */
  protected async settled<T>(operation: () => Promise<T>, method?: string, key?: unknown): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      const failure = inCall(asFailure(error), method, key);
      if (failure instanceof CacheError) this.counters.error(failure.code);
      throw failure instanceof ProducerFailure ? failure.error : failure;
    }
  }

  get kind(): StoreKind {
    return this.calls.kind;
  }

  /** The store and copies that calls with `grace` read through (see sharedState). */
  protected graceReads(): { store: CacheStore; copies: NearCache } {
    return this.shared.graceReads;
  }

  /** A guarded write of a key whose hold lost its lock while its body runs is refused before it is sent. */
  protected assertNotLost(keys: string[], requireLock: boolean): void {
    if (!requireLock) return;
    const lost = keys.find((key) => this.shared.lostHolds.has(this.owner, key));
    if (lost !== undefined) throw lockNotHeld(lost);
  }

  protected whileLocked<R>(
    key: string,
    budgetMs: number,
    operation: () => Promise<R>,
    isLocked: (result: R) => boolean,
  ): Promise<R> {
    return whileLocked(this.calls, key, budgetMs, operation, isLocked, () => this.counters.lockWait());
  }

  /**
   * Stores `value` under `key`. `expireTimeMS` null/undefined means it never expires; the third argument may
   * instead be `{ expireTimeMS, requireLock }`. Overwriting replaces the value, createdAt, the expiry and readAt.
   * Refused with LOCKED while another owner holds the lock, and with LOCK_NOT_HELD when `requireLock` is set and
   * this owner does not hold it.
   */
  save(key: string, value: unknown, next?: Callback<true>): Promise<true>;
  save(key: string, value: unknown, expireTimeMS?: number | null | SaveOptions, next?: Callback<true>): Promise<true>;
  save(...input: unknown[]): Promise<true> {
    return this.run(
      input,
      2,
      async ([key, value, ttlOrOptions]) => {
        assertKey(key);
        const { ttl, options } = ttlAndOptions(ttlOrOptions, undefined, SAVE_OPTIONS, "save options");
        const requireLock = flag(options, "requireLock");
        this.assertNotLost([key], requireLock);
        const json = serializeValue(value, this.maxValueBytes);
        assertWritten(await this.calls.save(key, this.owner, json, ttl, requireLock), key);
        this.counters.save();
        return true as const;
      },
      "save",
    );
  }

  /**
   * Reads the object under `key`. Resolves `{ key, value, expireTimestamp, createdAt, readAt }`;
   * the callback gets `next(null, value, expireTimestamp, createdAt, readAt)`.
   */
  load<T = unknown>(key: string, next?: LoadCallback<T>): Promise<LoadResult<T>>;
  load<T = unknown>(key: string, options?: LoadOptions | null, next?: LoadCallback<T>): Promise<LoadResult<T>>;
  load<T = unknown>(...input: unknown[]): Promise<LoadResult<T>> {
    const [[key, rawOptions], next] = splitCallback(input, 1);
    const promise = this.settled(
      async () => {
        assertKey(key);
        const options = plainOptions(rawOptions, LOAD_OPTIONS, "load options");
        const ttl = optionalDuration(ownField(options, "expireTimeMS"), "options.expireTimeMS");
        const retry = retryBudget(ownField(options, "retry"), "options.retry");
        const outcome = await this.whileLocked(
          key,
          retry,
          () => this.calls.load(key, this.owner, ttl),
          (found) => found.status === "locked",
        );
        if (outcome.status === "locked") throw locked(key);
        this.counters.load(outcome.status === "ok", outcome.status === "ok" && outcome.readOnly === true);
        if (outcome.status === "missing") throw notFound(key);
        const { json, expireTimestamp, createdAt, readAt } = outcome.object;
        return { key, value: deserializeValue(json) as T, expireTimestamp, createdAt, readAt };
      },
      "load",
      key,
    );
    return withLoadCallback(promise, next);
  }

  /**
   * Removes the object. Resolves true if it existed, false if not; LOCKED if another owner holds the lock, and
   * LOCK_NOT_HELD when `requireLock` is set and this owner does not hold it.
   */
  destroy(key: string, next?: Callback<boolean>): Promise<boolean>;
  destroy(key: string, options?: DestroyOptions | null, next?: Callback<boolean>): Promise<boolean>;
  destroy(...input: unknown[]): Promise<boolean> {
    return this.run(input, 1, async ([key, rawOptions]) => {
      assertKey(key);
      const requireLock = flag(plainOptions(rawOptions, DESTROY_OPTIONS, "destroy options"), "requireLock");
      this.assertNotLost([key], requireLock);
      const outcome = await this.calls.destroy(key, this.owner, requireLock);
      assertWritten(outcome, key);
      return outcome === "destroyed";
    });
  }

  /**
   * Appends `item` to the tail of the list under `key` and resolves the list's new length (always truthy).
   * Lists obey locks like objects: LOCKED while another owner holds the key's lock, LOCK_NOT_HELD with
   * `requireLock` when this owner does not. A key's list is separate from its object; both share its lock.
   */
  push(key: string, item: unknown, next?: Callback<number>): Promise<number>;
  push(key: string, item: unknown, options?: ListWriteOptions | null, next?: Callback<number>): Promise<number>;
  push(...input: unknown[]): Promise<number> {
    return this.run(
      input,
      2,
      async ([key, item, rawOptions]) => {
        assertKey(key);
        const requireLock = flag(plainOptions(rawOptions, LIST_WRITE_OPTIONS, "push options"), "requireLock");
        this.assertNotLost([key], requireLock);
        const outcome = await this.calls.push(key, this.owner, serializeValue(item, this.maxValueBytes), requireLock);
        if (outcome.status !== "pushed") throw outcome.status === "locked" ? locked(key) : lockNotHeld(key);
        return outcome.length;
      },
      "push",
    );
  }

  /** Removes and resolves the item at the head of the list (first in, first out); null when the list is empty. */
  pop<T = unknown>(key: string, next?: Callback<T | null>): Promise<T | null>;
  pop<T = unknown>(key: string, options?: ListWriteOptions | null, next?: Callback<T | null>): Promise<T | null>;
  pop<T = unknown>(...input: unknown[]): Promise<T | null> {
    return this.run(input, 1, async ([key, rawOptions]) => {
      assertKey(key);
      const requireLock = flag(plainOptions(rawOptions, LIST_WRITE_OPTIONS, "pop options"), "requireLock");
      this.assertNotLost([key], requireLock);
      const outcome = await this.calls.pop(key, this.owner, requireLock);
      if (outcome.status === "locked") throw locked(key);
      if (outcome.status === "not-holder") throw lockNotHeld(key);
      return outcome.status === "popped" ? (deserializeValue(outcome.json) as T) : null;
    });
  }

  /** How many items the list under `key` holds (0 when there is none); LOCKED while another owner holds the lock. */
  listLength(key: string, next?: Callback<number>): Promise<number>;
  listLength(...input: unknown[]): Promise<number> {
    return this.run(input, 1, async ([key]) => {
      assertKey(key);
      const outcome = await this.calls.listLength(key, this.owner);
      if (outcome.status === "locked") throw locked(key);
      return outcome.length;
    });
  }
}
