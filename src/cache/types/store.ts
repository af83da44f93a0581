import type { CacheError } from "../errors";

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

/** `readOnly`: Redis refused writes, so the value was read without recording readAt or applying a sliding TTL. */
export type LoadOutcome =
  { status: "ok"; object: StoredObject; readOnly?: true } | { status: "missing" } | { status: "locked" };
/** "acquired": there was no value, and this owner now holds the key's lock with `token`. */
export type LoadOrLockOutcome =
  | { status: "ok"; object: StoredObject; readOnly?: true }
  | { status: "acquired"; token: number }
  | { status: "locked" };
/** "not-holder": a guarded write, and this owner does not hold the lock. */
export type SaveOutcome = "saved" | "locked" | "not-holder";
export type DestroyOutcome = "destroyed" | "missing" | "locked" | "not-holder";

export type HasOutcome = "found" | "missing" | "locked";
/** One key of a batch read: what load() would answer, or the error only that key met (a foreign value). */
export type BatchLoadOutcome = LoadOutcome | { status: "error"; error: CacheError };
/** One key of a batch save. */
export interface BatchSaveEntry {
  key: string;
  json: string;
  ttlMs: number | null;
}
/**
 * A batch write. Refused groups write nothing; on a Redis Cluster the other slot groups may have been written.
 * `existed` (destroyMany) counts the keys that had an object or a list.
 */
export type BatchWriteOutcome =
  { status: "done"; existed: number } | { status: "locked" | "not-holder"; key: string; writtenKeys: number };

export type PushOutcome = { status: "pushed"; length: number } | { status: "locked" } | { status: "not-holder" };
export type PopOutcome =
  { status: "popped"; json: string } | { status: "empty" } | { status: "locked" } | { status: "not-holder" };
export type ListLengthOutcome = { status: "ok"; length: number } | { status: "locked" };

/**
 * One entry of a dump: an object with its metadata, or a list. Values and items are JSON text. A long list comes
 * in parts: the first replaces the list, the next ones (`append`) add to it.
 */
export type DumpEntry =
  | {
      type: "object";
      key: string;
      json: string;
      createdAt: number;
      readAt: number | null;
      expireTimestamp: number | null;
    }
  | { type: "list"; key: string; items: string[]; append?: boolean };

/** "expired": the object's expiry instant had passed, so nothing was written. "locked": another owner holds the lock. */
export type RestoreOutcome = "restored" | "expired" | "locked";

export interface LockDetails {
  key: string;
  owner: string;
  /** Remaining TTL in ms. */
  ttl: number;
}

/** A registration for "the lock on this key was released", made before checking, so no release is missed. */
export interface UnlockSignal {
  /** Resolves on a release (also one that happened since registration) or after timeoutMs. */
  wait(timeoutMs: number): Promise<void>;
  cancel(): void;
}

export type StoreKind = "redis" | "memory";

/**
 * What a store's change feed tells a near cache, about every writer (other servers, expiry, eviction, foreign
 * clients), not only this process.
 */
export interface ChangeListener {
  /** The object or the lock of `key` changed, or may have. */
  changed(key: string): void;
  /** Anything may have changed (a flush). */
  changedAll(): void;
  /** Changes may go unreported from now on (the feed's connection dropped): copies can no longer be trusted. */
  lost(since?: number): void;
  /** Every change from now on is reported. */
  live(): void;
}

export interface CacheStore {
  readonly kind: StoreKind;
  /**
   * Calls `lost` (once) when the store can no longer vouch for locks held through it: its connection closed, or
   * Redis stopped answering for the operation timeout. Returns what stops watching. The memory store never loses.
   */
  watchConnection(lost: (error: CacheError) => void): () => void;
  /** Writes the value with a fresh createdAt and no readAt; ttlMs null means it never expires. */
  save(key: string, owner: string, json: string, ttlMs: number | null, requireLock: boolean): Promise<SaveOutcome>;
  /** Reads the value, records this read as the next readAt and, when ttlMs is given, resets the expiry. */
  load(key: string, owner: string, ttlMs: number | null): Promise<LoadOutcome>;
  /**
   * One atomic step for fetch(): load (recording the read) when the value exists, otherwise lock(). Refused like
   * load while another owner holds the lock, and "locked" too when there is no value and `owner` holds the lock
   * already (another acquisition of this server is producing it).
   */
  loadOrLock(key: string, owner: string, lockTtlMs: number): Promise<LoadOrLockOutcome>;
  /** Removes the key's object and its list; "destroyed" when either existed. */
  destroy(key: string, owner: string, requireLock: boolean): Promise<DestroyOutcome>;
  /** Reads the object under load's lock rules, recording nothing (no readAt, no sliding TTL). */
  peek(key: string, owner: string): Promise<LoadOutcome>;
  /** Whether a live object exists, under load's lock rules, recording nothing. */
  has(key: string, owner: string): Promise<HasOutcome>;
  /** load() of every key, in order, in one step per hash slot. */
  loadMany(keys: string[], owner: string, ttlMs: number | null): Promise<BatchLoadOutcome[]>;
  /** save() of every entry, all or nothing per hash slot. */
  saveMany(entries: BatchSaveEntry[], owner: string, requireLock: boolean): Promise<BatchWriteOutcome>;
  /** destroy() of every key, all or nothing per hash slot. */
  destroyMany(keys: string[], owner: string, requireLock: boolean): Promise<BatchWriteOutcome>;
  /**
   * Takes the lock only when nobody holds it, `owner` included: locks are exclusive per acquisition. Resolves the
   * new fencing token (> 0), or 0 when the lock is held. Tokens strictly increase per key with each acquisition.
   */
  lock(key: string, owner: string, ttlMs: number): Promise<number>;
  /**
   * Sets the TTL of a lock `owner` holds; false (and nothing changes) if it no longer does. With a `token`, only
   * while the lock is still that acquisition (a later acquisition by the same owner does not count).
   */
  extend(key: string, owner: string, ttlMs: number, token: number | null): Promise<boolean>;
  /** Releases the lock only if `owner` holds it (and, with a `token`, only that acquisition), and wakes waiters. */
  unlock(key: string, owner: string, token: number | null): Promise<boolean>;
  /** True when the lock is free or held by `owner`. */
  checkLock(key: string, owner: string): Promise<boolean>;
  /** Appends to the tail of the key's list, under the same lock rules as save. */
  push(key: string, owner: string, json: string, requireLock: boolean): Promise<PushOutcome>;
  /** Takes the item at the head of the key's list, under the same lock rules as destroy. */
  pop(key: string, owner: string, requireLock: boolean): Promise<PopOutcome>;
  /** The length of the key's list (0 when absent); refused like load while another owner holds the lock. */
  listLength(key: string, owner: string): Promise<ListLengthOutcome>;
  /**
   * Every live object and list, in batches, read without counting as a read (readAt is left alone). Entries
   * written while it runs may or may not be included; each entry is read atomically.
   */
  entries(): AsyncIterable<DumpEntry[]>;
  /** Writes entries read from a dump, keeping their metadata and expiry instant; one outcome per entry. */
  restore(entries: DumpEntry[], owner: string): Promise<RestoreOutcome[]>;
  /** The user keys starting with `scopePrefix` ("" for all) that are locked right now. */
  locks(scopePrefix: string): Promise<string[]>;
  /** The user keys of live objects that start with `scopePrefix` ("" for all). */
  keys(scopePrefix: string): Promise<string[]>;
  /** How many live objects start with `scopePrefix`. */
  size(scopePrefix: string): Promise<number>;
  /**
   * Removes the objects and lists whose keys start with `scopePrefix`, and their locks too only when `locks` is
   * true; resolves how many were removed. Fencing counters stay, so tokens never go backwards.
   */
  clear(scopePrefix: string, locks: boolean): Promise<number>;
  /** Each lock whose key starts with `scopePrefix`: its owner and remaining TTL. */
  lockDetails(scopePrefix: string): Promise<LockDetails[]>;
  /** Starts listening for the release of `key`'s lock. Callers register before checking, then wait. */
  listenForUnlock(key: string): Promise<UnlockSignal>;
  /**
   * Reports every change of an object or a lock to `listener` until the returned function is called; the listener
   * hears `live()` once changes are reported (at once, or when the Redis feed is armed) and `lost()` when they may
   * not be.
   */
  watchChanges(listener: ChangeListener): () => void;
  /** Now on the clock the store stamps expiry with, as well as this process can tell, in ms. */
  clock(): number;
  /** The connection's state: "ready" when operations can succeed now; for Redis, ioredis's status otherwise. */
  readonly connection: string;
  /** Releases what the store owns: timers, subscriptions, and connections it opened. */
  close(): Promise<void>;
}
