import type { DumpProgress } from "../dump";
import type { CacheError, CacheErrorCode } from "../errors";
import type { NearCacheStats } from "../near-cache";
import type { CacheStore, StoreKind } from "./store";

export type { NearCacheStats } from "../near-cache";

/** The options and results of the public Cache API. */

export interface CacheOptions {
  store: CacheStore;
  /** Who this cache locks as. Two caches with different owners exclude each other; equal owners share locks. */
  owner: string;
  /** Default TTL of `lock()`, in ms. */
  lockDuration?: number;
  /** The largest value accepted by `save()`, in bytes of JSON. */
  maxValueBytes?: number;
  /**
   * Answer get(), has() and fetch() hits from process memory while the store's change feed says the copy is
   * current (see docs/near-cache.md). false (default), true for the default limits, or the limits.
   */
  nearCache?: boolean | { maxEntries?: number; maxBytes?: number };
}

export interface GetOptions {
  /**
   * When the store is unavailable, answer the last state this process saw (a value, or null once it saw the key
   * gone), if it was known current at most this many ms ago (counted as a grace hit in stats()).
   */
  grace?: number | null;
  /** Wait up to this many ms for another owner's lock to clear, as load() does, instead of failing with LOCKED. */
  retry?: number | null;
}

export interface HasOptions {
  /** Wait up to this many ms for another owner's lock to clear, as load() does, instead of failing with LOCKED. */
  retry?: number | null;
}

export interface LoadOptions {
  /** Reset the object's expiry to this many ms from now, atomically with the read. */
  expireTimeMS?: number | null;
  /** Wait up to this many ms for another owner's lock to clear. */
  retry?: number | null;
}

export interface SaveOptions {
  expireTimeMS?: number | null;
  /** A guarded write: succeeds only while this owner holds the key's lock, checked in the same atomic step. */
  requireLock?: boolean;
}

export interface DestroyOptions {
  /** A guarded delete: succeeds only while this owner holds the key's lock, checked in the same atomic step. */
  requireLock?: boolean;
}

export interface LockOptions {
  /** Lock TTL in ms; defaults to lockDuration. */
  expireTimeMS?: number | null;
  /** Wait up to this many ms for another owner to release the lock. */
  retry?: number | null;
}

export interface WithLockOptions {
  /** Lock TTL in ms (defaults to lockDuration); the lock is extended every third of it while `fn` runs. */
  expireTimeMS?: number | null;
  /** How long to wait for the lock, in ms; defaults to the lock TTL. */
  retry?: number | null;
}

export interface ClearOptions {
  /** Also remove the scope's locks, whoever holds them. Dangerous: critical sections in flight lose their exclusion. */
  locks?: boolean;
}

export interface ListWriteOptions {
  /** A guarded write: succeeds only while this owner holds the key's lock, checked in the same atomic step. */
  requireLock?: boolean;
}

export interface FetchOptions {
  /** TTL of the value the producer makes, in ms; null or absent: it never expires. */
  expireTimeMS?: number | null;
  /**
   * TTL of the key's lock while the producer runs (it is extended while the producer is alive, and expires this
   * long after its process dies), and how long other callers wait for the value. Defaults to lockDuration.
   */
  lockTimeoutMS?: number | null;
  /**
   * When the store is unavailable or the producer throws, answer the last value this process saw, if it was known
   * current at most this many ms ago and not since seen removed (counted as a grace hit in stats()).
   */
  grace?: number | null;
}

export interface DumpWriteOptions {
  /** Called after each batch with the number of entries written so far. */
  onProgress?: DumpProgress;
}

export interface DumpReadOptions {
  /** "replace" (default, as actionhero's dumpRead): clear the namespace first. "merge": keep what is there. */
  mode?: "replace" | "merge";
  /** Called after each batch with the number of entries restored so far. */
  onProgress?: DumpProgress;
}

export type { DumpReadResult } from "../restore";

/** Counts since this Cache was created, for status pages. */
export interface CacheStats {
  saves: number;
  loads: number;
  hits: number;
  misses: number;
  /** Times a caller waited for another owner's lock to go (load/lock/checkLock retries, fetch waits). */
  lockWaits: number;
  /** lock/acquireLock/withLock calls that did not get the lock. */
  lockFailures: number;
  /**
   * Loads (and fetch hits) answered while Redis refused writes (out of memory, a read-only replica): the value as
   * stored, without recording readAt or applying a sliding TTL.
   */
  readOnlyLoads: number;
  /** Failed calls by CacheError code (NOT_FOUND included). */
  errors: Partial<Record<CacheErrorCode, number>>;
  /** The near cache (or, when it is off, the copies kept for grace). */
  nearCache: NearCacheStats;
}

export interface CacheStatus {
  store: StoreKind;
  /** "ready" when operations can succeed now; otherwise the Redis connection's state ("connecting", "reconnecting"…). */
  connection: string;
  owner: string;
  stats: CacheStats;
  /** Locks this owner holds right now, or null when the store could not be asked. */
  locksHeld: number | null;
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

/** One key's answer in loadMany: what load() resolves, or the error load() would have rejected with for it alone. */
export type LoadManyResult<T = unknown> =
  (LoadResult<T> & { found: true }) | { key: string; found: false; error: CacheError };

export interface LoadManyOptions {
  /** Reset each found key's expiry to this many ms from the read, as load's expireTimeMS does. */
  expireTimeMS?: number | null;
}

export interface SaveManyEntry {
  key: string;
  value: unknown;
  /** This entry's TTL in ms; null for none. Absent: the batch's expireTimeMS. */
  expireTimeMS?: number | null;
}

export interface SaveManyOptions {
  /** TTL in ms of every entry without its own. */
  expireTimeMS?: number | null;
  /** Write only if this owner holds every key's lock. */
  requireLock?: boolean;
}
