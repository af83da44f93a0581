/**
 * What a store must do. The Cache in front of it validates and serializes arguments, applies retries and
 * callbacks, and turns outcomes into errors; a store only keeps data and answers atomically.
 * Every method is one atomic step against the store's data.
 */
export interface StoredObject {
  /** The value as JSON text. */
  json: string;
  createdAt: number;
  /** When the object was last read before this load, or null. */
  readAt: number | null;
  expireTimestamp: number | null;
}

export type LoadOutcome = { status: "ok"; object: StoredObject } | { status: "missing" } | { status: "locked" };
export type SaveOutcome = "saved" | "locked";
export type DestroyOutcome = "destroyed" | "missing" | "locked";

export type StoreKind = "redis" | "memory";

export interface CacheStore {
  readonly kind: StoreKind;
  /** Writes the value with a fresh createdAt and no readAt; ttlMs null means it never expires. */
  save(key: string, owner: string, json: string, ttlMs: number | null): Promise<SaveOutcome>;
  /** Reads the value, records this read as the next readAt and, when ttlMs is given, resets the expiry. */
  load(key: string, owner: string, ttlMs: number | null): Promise<LoadOutcome>;
  destroy(key: string, owner: string): Promise<DestroyOutcome>;
  /** Takes or refreshes the lock; false when another owner holds it. */
  lock(key: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Releases the lock only if `owner` holds it. */
  unlock(key: string, owner: string): Promise<boolean>;
  /** True when the lock is free or held by `owner`. */
  checkLock(key: string, owner: string): Promise<boolean>;
  /** The user keys that are locked right now. */
  locks(): Promise<string[]>;
  /**
   * Resolves when the lock on `key` may have been released, or after at most `timeoutMs`.
   * It is a hint for retry loops, never a guarantee: callers check again.
   */
  waitForUnlock(key: string, timeoutMs: number): Promise<void>;
  /** Releases what the store owns: timers, and connections it opened. */
  close(): Promise<void>;
}
