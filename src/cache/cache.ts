import {
  CLEAR_OPTIONS,
  DESTROY_OPTIONS,
  DUMP_READ_OPTIONS,
  DUMP_WRITE_OPTIONS,
  FETCH_OPTIONS,
  LIST_WRITE_OPTIONS,
  LOAD_OPTIONS,
  LOCKS_OPTIONS,
  LOCK_OPTIONS,
  SAVE_OPTIONS,
  assertWritten,
  fileArgument,
  flag,
  ownField,
  progressOption,
  scopeAndOptions,
  ttlAndOptions,
} from "./arguments";
import { ProducerFailure, attempt, splitCallback, withCallback, withLoadCallback } from "./call-style";
import { writeDump } from "./dump";
import { CacheError, CacheErrorCodes, lockNotHeld, locked, notFound } from "./errors";
import { LockContext, holdLock } from "./lock-holder";
import { DumpReadResult, restoreDump } from "./restore";
import { deserializeValue, serializeValue } from "./serialization";
import type {
  CacheOptions,
  CacheStats,
  CacheStatus,
  Callback,
  ClearOptions,
  DestroyOptions,
  DumpReadOptions,
  DumpWriteOptions,
  FetchOptions,
  ListWriteOptions,
  LoadCallback,
  LoadOptions,
  LoadResult,
  LockOptions,
  SaveOptions,
  WithLockOptions,
} from "./types/options";
import type { CacheStore, LockDetails, StoreKind } from "./types/store";
import { assertKey, optionalDuration, plainOptions, positiveDuration, retryBudget, scopePrefix } from "./validation";
import { SingleFlight } from "./single-flight";
import { CacheCounters } from "./stats";
import { whileLocked } from "./waiting";
import { WaitingRoom } from "./waiting-room";

export type { LockContext } from "./lock-holder";
export type * from "./types/options";

export const DEFAULT_LOCK_DURATION_MS = 10_000;
export const DEFAULT_MAX_VALUE_BYTES = 1024 * 1024;

/**
 * The cache contract of actionhero's `api.cache`: save/load/destroy with metadata, and owner-checked locks.
 * Every method returns a Promise, and also calls a trailing node-style callback if one is passed.
 */
export class Cache {
  readonly store: CacheStore;
  readonly owner: string;
  readonly lockDuration: number;
  readonly maxValueBytes: number;
  private readonly waitingRoom = new WaitingRoom();
  private readonly counters = new CacheCounters();
  private readonly flights: SingleFlight;

  /** `flights` is shared by withOwner(), so one process's callers of one owner share a fetch. */
  constructor(options: CacheOptions, flights = new SingleFlight()) {
    this.flights = flights;
    if (typeof options?.owner !== "string" || options.owner.length === 0) {
      throw new CacheError(CacheErrorCodes.INVALID_OPTIONS, "owner must be a non-empty string");
    }
    this.store = options.store;
    this.owner = options.owner;
    this.lockDuration = positiveDuration(options.lockDuration ?? DEFAULT_LOCK_DURATION_MS, "lockDuration");
    this.maxValueBytes = options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
    if (!Number.isSafeInteger(this.maxValueBytes) || this.maxValueBytes <= 0) {
      throw new CacheError(CacheErrorCodes.INVALID_OPTIONS, "maxValueBytes must be a positive integer");
    }
  }

  /**
   * The shape of every public method: split off a trailing callback, run the body so that it always rejects
   * with a CacheError and never throws synchronously, and report to the callback too when one was given.
   */
  private run<T>(input: unknown[], required: number, body: (args: unknown[]) => Promise<T>): Promise<T> {
    const [args, next] = splitCallback(input, required);
    return withCallback(this.counted(attempt(() => body(args))), next);
  }

  /** Counts a failed call under its error code, passing the outcome through. */
  private counted<T>(promise: Promise<T>): Promise<T> {
    return promise.catch((error: unknown) => {
      if (error instanceof CacheError) this.counters.error(error.code);
      throw error instanceof ProducerFailure ? error.error : error;
    });
  }

  get kind(): StoreKind {
    return this.store.kind;
  }

  /** The same store seen by another owner: for tools and tests that act as a second server. */
  withOwner(owner: string): Cache {
    const { store, lockDuration, maxValueBytes } = this;
    return new Cache({ store, owner, lockDuration, maxValueBytes }, this.flights);
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
    return this.run(input, 2, async ([key, value, ttlOrOptions]) => {
      assertKey(key);
      const { ttl, options } = ttlAndOptions(ttlOrOptions, undefined, SAVE_OPTIONS, "save options");
      const requireLock = flag(options, "requireLock");
      const json = serializeValue(value, this.maxValueBytes);
      assertWritten(await this.store.save(key, this.owner, json, ttl, requireLock), key);
      this.counters.save();
      return true as const;
    });
  }

  /**
   * Reads the object under `key`. Resolves `{ key, value, expireTimestamp, createdAt, readAt }`;
   * the callback gets `next(null, value, expireTimestamp, createdAt, readAt)`.
   */
  load<T = unknown>(key: string, next?: LoadCallback<T>): Promise<LoadResult<T>>;
  load<T = unknown>(key: string, options?: LoadOptions | null, next?: LoadCallback<T>): Promise<LoadResult<T>>;
  load<T = unknown>(...input: unknown[]): Promise<LoadResult<T>> {
    const [[key, rawOptions], next] = splitCallback(input, 1);
    const promise = this.counted(
      attempt(async () => {
        assertKey(key);
        const options = plainOptions(rawOptions, LOAD_OPTIONS, "load options");
        const ttl = optionalDuration(ownField(options, "expireTimeMS"), "options.expireTimeMS");
        const retry = retryBudget(ownField(options, "retry"), "options.retry");
        const outcome = await this.whileLocked(
          key,
          retry,
          () => this.store.load(key, this.owner, ttl),
          (found) => found.status === "locked",
        );
        if (outcome.status === "locked") throw locked(key);
        this.counters.load(outcome.status === "ok", outcome.status === "ok" && outcome.readOnly === true);
        if (outcome.status === "missing") throw notFound(key);
        const { json, expireTimestamp, createdAt, readAt } = outcome.object;
        return { key, value: deserializeValue(json) as T, expireTimestamp, createdAt, readAt };
      }),
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
      const outcome = await this.store.destroy(key, this.owner, requireLock);
      assertWritten(outcome, key);
      return outcome === "destroyed";
    });
  }

  /**
   * Takes the lock on `key` for `expireTimeMS` (default `lockDuration`). Resolves true only when it took a lock
   * nobody held, this server included (as SETNX does in actionhero), so two concurrent requests of one server
   * exclude each other; false while anyone holds it. With `{ retry }` it waits that long for a release first.
   * The second argument may be the options object instead of a TTL. To refresh a lock you hold, use extendLock().
   */
  lock(key: string, next?: Callback<boolean>): Promise<boolean>;
  lock(key: string, expireTimeMS?: number | null | LockOptions, next?: Callback<boolean>): Promise<boolean>;
  lock(
    key: string,
    expireTimeMS: number | null | undefined,
    options?: LockOptions | null,
    next?: Callback<boolean>,
  ): Promise<boolean>;
  lock(...input: unknown[]): Promise<boolean> {
    return this.run(
      input,
      1,
      async ([key, ttlOrOptions, options]) => (await this.acquireFromArguments(key, ttlOrOptions, options)) > 0,
    );
  }

  /**
   * lock(), resolving the fencing token instead of true, and null instead of false. Tokens increase strictly with
   * each acquisition of a key.
   */
  acquireLock(key: string, next?: Callback<number | null>): Promise<number | null>;
  acquireLock(key: string, options?: LockOptions | null, next?: Callback<number | null>): Promise<number | null>;
  acquireLock(...input: unknown[]): Promise<number | null> {
    return this.run(input, 1, async ([key, options]) => (await this.acquireFromArguments(key, null, options)) || null);
  }

  private acquireFromArguments(key: unknown, ttlOrOptions: unknown, extraOptions: unknown): Promise<number> {
    assertKey(key);
    const { ttl, options } = ttlAndOptions(ttlOrOptions, extraOptions, LOCK_OPTIONS, "lock options");
    return this.acquire(key, ttl ?? this.lockDuration, retryBudget(ownField(options, "retry"), "options.retry"));
  }

  /**
   * Takes the lock, waiting up to `retryMs` for a release; resolves the fencing token, or 0 if not taken. A caller
   * that must wait queues behind this process's other waiters for the key, so only one of them asks the store.
   */
  private async acquire(key: string, ttlMs: number, retryMs: number): Promise<number> {
    const tryLock = () => this.store.lock(key, this.owner, ttlMs);
    let token = retryMs > 0 && this.waitingRoom.busy(key) ? 0 : await tryLock();
    if (token === 0 && retryMs > 0) {
      token = await this.waitingRoom.take(
        key,
        retryMs,
        (remaining) => this.whileLocked(key, remaining, tryLock, (held) => held === 0),
        0,
      );
    }
    if (token === 0) this.counters.lockFailure();
    return token;
  }

  /**
   * Runs `fn` while holding the lock on `key`: waits up to `retry` ms for it (LOCK_TIMEOUT if it never comes),
   * extends it every third of its TTL while `fn` runs, and always releases it afterwards. `fn` gets an
   * AbortSignal that fires if the lock is lost, and the acquisition's fencing token. Resolves with fn's result.
   */
  async withLock<T>(
    key: string,
    fn: (context: LockContext) => T | Promise<T>,
    options: WithLockOptions = {},
  ): Promise<T> {
    const { ttl, token } = await this.counted(
      attempt(async () => {
        assertKey(key);
        if (typeof fn !== "function")
          throw new CacheError(CacheErrorCodes.INVALID_OPTIONS, "withLock needs a function to run");
        const checked = plainOptions(options, LOCK_OPTIONS, "withLock options");
        const ttl = optionalDuration(ownField(checked, "expireTimeMS"), "options.expireTimeMS") ?? this.lockDuration;
        const retry =
          ownField(checked, "retry") === undefined ? ttl : retryBudget(ownField(checked, "retry"), "options.retry");
        const token = await this.acquire(key, ttl, retry);
        if (token === 0) {
          throw new CacheError(
            CacheErrorCodes.LOCK_TIMEOUT,
            `could not take the lock on ${JSON.stringify(key)} within ${retry} ms`,
            { key },
          );
        }
        return { ttl, token };
      }),
    );
    return holdLock({ store: this.store, key, owner: this.owner, ttl, token }, fn);
  }

  /**
   * Releases this server's lock on `key`, whichever of its requests took it (unlock is per server, as in
   * actionhero). Resolves false when there was none or it is another owner's (which stays).
   */
  unlock(key: string, next?: Callback<boolean>): Promise<boolean>;
  unlock(...input: unknown[]): Promise<boolean> {
    return this.run(input, 1, async ([key]) => {
      assertKey(key);
      return this.store.unlock(key, this.owner, null);
    });
  }

  /**
   * Sets the TTL of a lock this server holds to `expireTimeMS` from now (default lockDuration). Resolves true
   * while this server holds the lock, false (and nothing changes) when it is free or another owner's.
   */
  extendLock(key: string, next?: Callback<boolean>): Promise<boolean>;
  extendLock(key: string, expireTimeMS?: number | null, next?: Callback<boolean>): Promise<boolean>;
  extendLock(...input: unknown[]): Promise<boolean> {
    return this.run(input, 1, async ([key, expireTimeMS]) => {
      assertKey(key);
      const ttl = optionalDuration(expireTimeMS, "expireTimeMS") ?? this.lockDuration;
      return this.store.extend(key, this.owner, ttl, null);
    });
  }

  /**
   * Resolves true when no other owner holds the lock (it is free, or this server's), false when another owner
   * does: whether this server may read and write the key. With `retry` ms, keeps waiting that long for the lock to
   * clear before answering false; `false`, like null, means no retry, as actionhero's signature allows.
   */
  checkLock(key: string, next?: Callback<boolean>): Promise<boolean>;
  checkLock(key: string, retry?: number | null | false, next?: Callback<boolean>): Promise<boolean>;
  checkLock(...input: unknown[]): Promise<boolean> {
    return this.run(input, 1, async ([key, retry]) => {
      assertKey(key);
      const budget = retryBudget(retry === false ? null : retry, "retry");
      return this.whileLocked(
        key,
        budget,
        () => this.store.checkLock(key, this.owner),
        (free) => !free,
      );
    });
  }

  /**
   * The user keys currently locked in this namespace, by any owner, optionally only those starting with
   * `scopePrefix`. With `{ details: true }`, resolves `{ key, owner, ttl }` for each lock instead, `ttl` being the
   * remaining ms.
   */
  locks(next?: Callback<string[]>): Promise<string[]>;
  locks(options: { details: true }, next?: Callback<LockDetails[]>): Promise<LockDetails[]>;
  locks(options?: { details?: false } | null, next?: Callback<string[]>): Promise<string[]>;
  locks(scopePrefix: string | null, next?: Callback<string[]>): Promise<string[]>;
  locks(scopePrefix: string | null, options: { details: true }, next?: Callback<LockDetails[]>): Promise<LockDetails[]>;
  locks(
    scopePrefix?: string | null,
    options?: { details?: false } | null,
    next?: Callback<string[]>,
  ): Promise<string[]>;
  locks(...input: unknown[]): Promise<string[] | LockDetails[]> {
    return this.run<string[] | LockDetails[]>(input, 0, async ([first, second]) => {
      const { scope, options } = scopeAndOptions(first, second, LOCKS_OPTIONS, "locks");
      return flag(options, "details") ? this.store.lockDetails(scope) : this.store.locks(scope);
    });
  }

  /**
   * The user keys of the live objects in this namespace, optionally only those starting with `scopePrefix`.
   * Walks Redis with SCAN in batches, never KEYS.
   */
  keys(next?: Callback<string[]>): Promise<string[]>;
  keys(scopePrefix?: string | null, next?: Callback<string[]>): Promise<string[]>;
  keys(...input: unknown[]): Promise<string[]> {
    return this.run(input, 0, async ([scope]) => this.store.keys(scopePrefix(scope, "keys")));
  }

  /** How many live objects this namespace holds, optionally only those whose keys start with `scopePrefix`. */
  size(next?: Callback<number>): Promise<number>;
  size(scopePrefix?: string | null, next?: Callback<number>): Promise<number>;
  size(...input: unknown[]): Promise<number> {
    return this.run(input, 0, async ([scope]) => this.store.size(scopePrefix(scope, "size")));
  }

  /**
   * Removes the objects and lists of this namespace (only those whose keys start with `scopePrefix`, when given)
   * and resolves how many were removed. Locks stay, as in actionhero, so critical sections in flight on any server
   * keep their exclusion. `{ locks: true }` removes the scope's locks too, whoever holds them: dangerous while
   * servers run, since a request inside a critical section loses its exclusion. Fencing counters always stay.
   */
  clear(next?: Callback<number>): Promise<number>;
  clear(options: ClearOptions | null, next?: Callback<number>): Promise<number>;
  clear(scopePrefix: string | null, next?: Callback<number>): Promise<number>;
  clear(scopePrefix?: string | null, options?: ClearOptions | null, next?: Callback<number>): Promise<number>;
  clear(...input: unknown[]): Promise<number> {
    return this.run(input, 0, async ([first, second]) => {
      const { scope, options } = scopeAndOptions(first, second, CLEAR_OPTIONS, "clear");
      return this.store.clear(scope, flag(options, "locks"));
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
    return this.run(input, 2, async ([key, item, rawOptions]) => {
      assertKey(key);
      const requireLock = flag(plainOptions(rawOptions, LIST_WRITE_OPTIONS, "push options"), "requireLock");
      const outcome = await this.store.push(key, this.owner, serializeValue(item, this.maxValueBytes), requireLock);
      if (outcome.status !== "pushed") throw outcome.status === "locked" ? locked(key) : lockNotHeld(key);
      return outcome.length;
    });
  }

  /** Removes and resolves the item at the head of the list (first in, first out); null when the list is empty. */
  pop<T = unknown>(key: string, next?: Callback<T | null>): Promise<T | null>;
  pop<T = unknown>(key: string, options?: ListWriteOptions | null, next?: Callback<T | null>): Promise<T | null>;
  pop<T = unknown>(...input: unknown[]): Promise<T | null> {
    return this.run(input, 1, async ([key, rawOptions]) => {
      assertKey(key);
      const requireLock = flag(plainOptions(rawOptions, LIST_WRITE_OPTIONS, "pop options"), "requireLock");
      const outcome = await this.store.pop(key, this.owner, requireLock);
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
      const outcome = await this.store.listLength(key, this.owner);
      if (outcome.status === "locked") throw locked(key);
      return outcome.length;
    });
  }

  /**
   * Single-flight read-through: resolves the cached value of `key` if there is one. Otherwise exactly one caller
   * across every server takes the key's lock, runs `producer`, saves its result with `expireTimeMS` and resolves
   * it; every other caller waits (up to `lockTimeoutMS`) for that value instead of running `producer` too.
   * If `producer` throws, its caller (and callers in the same process that joined it) reject with that same error;
   * callers elsewhere see the lock released without a value and try again themselves. A wait that runs out
   * rejects with LOCK_TIMEOUT.
   */
  fetch<T = unknown>(key: string, producer: () => T | Promise<T>, next?: Callback<T>): Promise<T>;
  fetch<T = unknown>(
    key: string,
    producer: () => T | Promise<T>,
    options?: FetchOptions | null,
    next?: Callback<T>,
  ): Promise<T>;
  fetch<T = unknown>(...input: unknown[]): Promise<T> {
    return this.run(input, 2, async ([key, producer, rawOptions]) => {
      assertKey(key);
      if (typeof producer !== "function")
        throw new CacheError(CacheErrorCodes.INVALID_OPTIONS, "fetch needs a producer function");
      const options = plainOptions(rawOptions, FETCH_OPTIONS, "fetch options");
      const ttl = optionalDuration(ownField(options, "expireTimeMS"), "options.expireTimeMS");
      const lockTtl =
        optionalDuration(ownField(options, "lockTimeoutMS"), "options.lockTimeoutMS") ?? this.lockDuration;
      const { store, owner, maxValueBytes, counters } = this;
      return this.flights.run({
        store,
        owner,
        maxValueBytes,
        counters,
        key,
        producer: producer as () => T,
        ttl,
        lockTtl,
      });
    });
  }

  /**
   * Writes every object (with createdAt, readAt and its expiry instant) and every list of this namespace to `file`
   * as JSON Lines, streaming, and resolves how many entries were written. Reading for the dump does not count as a
   * read. The file appears complete or not at all (it is written aside and renamed).
   */
  dumpWrite(file: string, next?: Callback<number>): Promise<number>;
  dumpWrite(file: string, options?: DumpWriteOptions | null, next?: Callback<number>): Promise<number>;
  dumpWrite(...input: unknown[]): Promise<number> {
    return this.run(input, 1, async ([file, rawOptions]) => {
      const path = fileArgument(file);
      const onProgress = progressOption(plainOptions(rawOptions, DUMP_WRITE_OPTIONS, "dumpWrite options"));
      return writeDump(this.store.entries(), path, this.maxValueBytes, onProgress);
    });
  }

  /**
   * Restores a dump written by dumpWrite. The whole file is checked first: a truncated or corrupt file is refused
   * with INVALID_DUMP naming the line, and nothing is changed. Then, in "replace" mode (the default) the namespace
   * is cleared, and each entry is written back with its metadata and original expiry instant; objects already past
   * it are skipped, as are keys another owner has locked. Resolves `{ restored, expired, locked }`.
   */
  dumpRead(file: string, next?: Callback<DumpReadResult>): Promise<DumpReadResult>;
  dumpRead(file: string, options?: DumpReadOptions | null, next?: Callback<DumpReadResult>): Promise<DumpReadResult>;
  dumpRead(...input: unknown[]): Promise<DumpReadResult> {
    return this.run(input, 1, async ([file, rawOptions]) => {
      const path = fileArgument(file);
      const options = plainOptions(rawOptions, DUMP_READ_OPTIONS, "dumpRead options");
      const mode = ownField(options, "mode") ?? "replace";
      if (mode !== "replace" && mode !== "merge") {
        throw new CacheError(
          CacheErrorCodes.INVALID_OPTIONS,
          `options.mode must be "replace" or "merge", got ${JSON.stringify(mode)}`,
        );
      }
      return restoreDump(path, {
        store: this.store,
        owner: this.owner,
        maxValueBytes: this.maxValueBytes,
        mode,
        onProgress: progressOption(options),
      });
    });
  }

  /** Counts since this Cache was created: saves, loads, hits, misses, lock waits and failures, errors by code. */
  stats(): CacheStats {
    return this.counters.snapshot();
  }

  /** What a status page shows: store kind, connection state, owner, counters, and how many locks this owner holds. */
  async status(): Promise<CacheStatus> {
    let locksHeld: number | null = null;
    try {
      locksHeld = (await this.store.lockDetails("")).filter((lock) => lock.owner === this.owner).length;
    } catch {
      // A status page must answer while the store is away; the connection field says why the count is missing.
    }
    return {
      store: this.store.kind,
      connection: this.store.connection,
      owner: this.owner,
      stats: this.stats(),
      locksHeld,
    };
  }

  /** Waits for the key's lock to clear, up to `budgetMs` (see waiting.ts), counting each wait. */
  private whileLocked<R>(
    key: string,
    budgetMs: number,
    operation: () => Promise<R>,
    isLocked: (result: R) => boolean,
  ): Promise<R> {
    return whileLocked(this.store, key, budgetMs, operation, isLocked, () => this.counters.lockWait());
  }
}
