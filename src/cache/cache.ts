import asCallback from "standard-as-callback";
import { CacheError, CacheErrorCodes, locked, notFound } from "./errors";
import { deserializeValue, serializeValue } from "./serialization";
import type { CacheStore, StoreKind } from "./types/store";
import { assertKey, optionalDuration, plainOptions, positiveDuration, retryBudget } from "./validation";

export const DEFAULT_LOCK_DURATION_MS = 10_000;
export const DEFAULT_MAX_VALUE_BYTES = 1024 * 1024;

export interface CacheOptions {
  store: CacheStore;
  /** Who this cache locks as. Two caches with different owners exclude each other; equal owners share locks. */
  owner: string;
  /** Default TTL of `lock()`, in ms. */
  lockDuration?: number;
  /** The largest value accepted by `save()`, in bytes of JSON. */
  maxValueBytes?: number;
}

export interface LoadOptions {
  /** Reset the object's expiry to this many ms from now, atomically with the read. */
  expireTimeMS?: number | null;
  /** Wait up to this many ms for another owner's lock to clear. */
  retry?: number | null;
}

export interface LoadResult<T = unknown> {
  key: string;
  value: T;
  /** When the object expires, in ms since the epoch (Redis server clock), or null if it never does. */
  expireTimestamp: number | null;
  /** When the object was saved. */
  createdAt: number;
  /** When it was last loaded before this call, or null if it never was. */
  readAt: number | null;
}

export type Callback<T> = (error: CacheError | null, result?: T) => void;
export type LoadCallback<T = unknown> = (
  error: CacheError | null,
  value: T | null,
  expireTimestamp: number | null,
  createdAt: number | null,
  readAt: number | null,
) => void;

type AnyFunction = (...args: never[]) => unknown;

const LOAD_OPTIONS = ["expireTimeMS", "retry"] as const;

function ownField(options: Record<string, unknown>, name: string): unknown {
  return Object.prototype.hasOwnProperty.call(options, name) ? options[name] : undefined;
}

/**
 * Splits off a trailing node-style callback. Only arguments past the required ones can be the callback,
 * so `save("k", someFunction)` is refused as an unserializable value instead of losing the value.
 */
function splitCallback(args: unknown[], required: number): [unknown[], AnyFunction | undefined] {
  if (args.length > required && typeof args[args.length - 1] === "function") {
    return [args.slice(0, -1), args[args.length - 1] as AnyFunction];
  }
  return [args, undefined];
}

/** Runs an operation so that it never throws synchronously, and always rejects with a CacheError. */
async function attempt<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof CacheError) throw error;
    throw new CacheError(CacheErrorCodes.STORE_ERROR, `unexpected failure: ${(error as Error)?.message ?? error}`, {
      cause: error,
    });
  }
}

/** Resolves the promise, and also calls `next(error, result)` when a callback was given. */
function withCallback<T>(promise: Promise<T>, next: AnyFunction | undefined): Promise<T> {
  if (next) asCallback(promise, next as unknown as (error: Error | null, result?: T) => void);
  return promise;
}

/**
 * The cache contract of actionhero's `api.cache`: save/load/destroy with metadata, and owner-checked locks.
 * Every method returns a Promise, and also calls a trailing node-style callback if one is passed.
 */
export class Cache {
  readonly store: CacheStore;
  readonly owner: string;
  readonly lockDuration: number;
  readonly maxValueBytes: number;

  constructor(options: CacheOptions) {
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

  get kind(): StoreKind {
    return this.store.kind;
  }

  /** The same store seen by another owner: for tools and tests that act as a second server. */
  withOwner(owner: string): Cache {
    return new Cache({ store: this.store, owner, lockDuration: this.lockDuration, maxValueBytes: this.maxValueBytes });
  }

  /**
   * Stores `value` under `key`. `expireTimeMS` null/undefined means it never expires.
   * Overwriting replaces the value, createdAt, the expiry and readAt. Refused with LOCKED when another owner holds the lock.
   */
  save(key: string, value: unknown, next?: Callback<true>): Promise<true>;
  save(key: string, value: unknown, expireTimeMS?: number | null, next?: Callback<true>): Promise<true>;
  save(...input: unknown[]): Promise<true> {
    const [[key, value, expireTimeMS], next] = splitCallback(input, 2);
    return withCallback(
      attempt(async () => {
        assertKey(key);
        const ttl = optionalDuration(expireTimeMS, "expireTimeMS");
        const json = serializeValue(value, this.maxValueBytes);
        if ((await this.store.save(key, this.owner, json, ttl)) === "locked") throw locked(key);
        return true as const;
      }),
      next,
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
    const promise = attempt(async () => {
      assertKey(key);
      const options = plainOptions(rawOptions, LOAD_OPTIONS, "load options");
      const ttl = optionalDuration(ownField(options, "expireTimeMS"), "options.expireTimeMS");
      const retry = retryBudget(ownField(options, "retry"), "options.retry");
      const outcome = await this.whileLocked(key, retry, () => this.store.load(key, this.owner, ttl), (o) => o.status === "locked");
      if (outcome.status === "locked") throw locked(key);
      if (outcome.status === "missing") throw notFound(key);
      const { json, expireTimestamp, createdAt, readAt } = outcome.object;
      return { key, value: deserializeValue(json) as T, expireTimestamp, createdAt, readAt };
    });
    if (next) {
      asCallback(
        promise.then((result) => [result.value, result.expireTimestamp, result.createdAt, result.readAt]),
        (error: Error | null, ...values: unknown[]) =>
          error ? (next as AnyFunction)(...([error, null, null, null, null] as never[])) : (next as AnyFunction)(...([null, ...values] as never[])),
        { spread: true },
      );
    }
    return promise;
  }

  /** Removes the object. Resolves true if it existed, false if not; LOCKED if another owner holds the lock. */
  destroy(key: string, next?: Callback<boolean>): Promise<boolean>;
  destroy(...input: unknown[]): Promise<boolean> {
    const [[key], next] = splitCallback(input, 1);
    return withCallback(
      attempt(async () => {
        assertKey(key);
        const outcome = await this.store.destroy(key, this.owner);
        if (outcome === "locked") throw locked(key);
        return outcome === "destroyed";
      }),
      next,
    );
  }

  /**
   * Takes the lock on `key` for `expireTimeMS` (default `lockDuration`). Resolves true when this owner holds it
   * afterwards (a lock already held is refreshed), false when another owner holds it.
   */
  lock(key: string, next?: Callback<boolean>): Promise<boolean>;
  lock(key: string, expireTimeMS?: number | null, next?: Callback<boolean>): Promise<boolean>;
  lock(...input: unknown[]): Promise<boolean> {
    const [[key, expireTimeMS], next] = splitCallback(input, 1);
    return withCallback(
      attempt(async () => {
        assertKey(key);
        const ttl = optionalDuration(expireTimeMS, "expireTimeMS") ?? this.lockDuration;
        return this.store.lock(key, this.owner, ttl);
      }),
      next,
    );
  }

  /** Releases this owner's lock. Resolves false when there was none or it is another owner's (which stays). */
  unlock(key: string, next?: Callback<boolean>): Promise<boolean>;
  unlock(...input: unknown[]): Promise<boolean> {
    const [[key], next] = splitCallback(input, 1);
    return withCallback(
      attempt(async () => {
        assertKey(key);
        return this.store.unlock(key, this.owner);
      }),
      next,
    );
  }

  /**
   * Resolves true when this owner could take the lock (free, or already ours), false when another owner holds it.
   * With `retry` ms, keeps waiting that long for the lock to clear before answering false.
   */
  checkLock(key: string, next?: Callback<boolean>): Promise<boolean>;
  checkLock(key: string, retry?: number | null, next?: Callback<boolean>): Promise<boolean>;
  checkLock(...input: unknown[]): Promise<boolean> {
    const [[key, retry], next] = splitCallback(input, 1);
    return withCallback(
      attempt(async () => {
        assertKey(key);
        const budget = retryBudget(retry, "retry");
        return this.whileLocked(key, budget, () => this.store.checkLock(key, this.owner), (free) => !free);
      }),
      next,
    );
  }

  /** The user keys currently locked in this namespace, by any owner. */
  locks(next?: Callback<string[]>): Promise<string[]>;
  locks(...input: unknown[]): Promise<string[]> {
    const [, next] = splitCallback(input, 0);
    return withCallback(
      attempt(() => this.store.locks()),
      next,
    );
  }

  /** Repeats `operation` while it reports a foreign lock and the retry budget lasts, waking early on release. */
  private async whileLocked<R>(key: string, budgetMs: number, operation: () => Promise<R>, isLocked: (result: R) => boolean): Promise<R> {
    const deadline = Date.now() + budgetMs;
    for (;;) {
      const result = await operation();
      const remaining = deadline - Date.now();
      if (!isLocked(result) || remaining <= 0) return result;
      await this.store.waitForUnlock(key, remaining);
    }
  }
}
