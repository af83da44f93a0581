import type {
  BatchLoadOutcome,
  BatchSaveEntry,
  BatchWriteOutcome,
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
  UnlockSignal,
} from "../types/store";
import { ItemQueue } from "./memory-list";
import { MemoryLocks, isExpired } from "./memory-locks";

interface MemoryObject {
  json: string;
  createdAt: number;
  readAt: number | null;
  expireTimestamp: number | null;
}

export interface MemoryStoreOptions {
  /** How often expired entries are swept out, in ms. Expiry is also checked on every access. */
  sweepIntervalMs?: number;
  /** The clock, in ms; replaceable so time-dependent behaviour can be reasoned about. */
  now?: () => number;
}

export const DEFAULT_SWEEP_INTERVAL_MS = 10_000;
/** Entries per batch of entries(), matching the Redis store's SCAN batches. */
const ENTRY_BATCH = 1000;

/**
 * Keeps everything in this process: for development and single-process servers.
 * Values are kept as JSON text, so callers can never mutate what is cached.
 */
export class MemoryStore implements CacheStore {
  readonly kind = "memory" as const;
  private readonly objects = new Map<string, MemoryObject>();
  private readonly lockTable = new MemoryLocks();
  private readonly lists = new Map<string, ItemQueue>();
  private readonly now: () => number;
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(options: MemoryStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    const interval = options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
    if (interval > 0) {
      this.sweepTimer = setInterval(() => this.sweep(), interval);
      this.sweepTimer.unref();
    }
  }

  /** Removes every expired object and lock; returns how many entries were removed. */
  sweep(): number {
    const now = this.now();
    let removed = 0;
    for (const [key, object] of this.objects) {
      if (isExpired(object.expireTimestamp, now)) removed += Number(this.objects.delete(key));
    }
    return removed + this.lockTable.sweep(now);
  }

  /** How many objects and locks are held, expired or not: for tests of the sweeper. */
  entryCount(): number {
    return this.objects.size + this.lockTable.count;
  }

  private liveObject(key: string, now: number): MemoryObject | undefined {
    const object = this.objects.get(key);
    if (object && isExpired(object.expireTimestamp, now)) {
      this.objects.delete(key);
      return undefined;
    }
    return object;
  }

  /** The lock check every write makes: guarded writes need this owner's lock, others only no foreign one. */
  private writeRefusal(
    key: string,
    owner: string,
    requireLock: boolean,
    now: number,
  ): "locked" | "not-holder" | undefined {
    if (requireLock) return this.lockTable.heldBy(key, owner, now) ? undefined : "not-holder";
    return this.lockTable.lockedByOther(key, owner, now) ? "locked" : undefined;
  }

  async save(
    key: string,
    owner: string,
    json: string,
    ttlMs: number | null,
    requireLock: boolean,
  ): Promise<SaveOutcome> {
    const now = this.now();
    const refusal = this.writeRefusal(key, owner, requireLock, now);
    if (refusal) return refusal;
    this.objects.set(key, { json, createdAt: now, readAt: null, expireTimestamp: ttlMs === null ? null : now + ttlMs });
    return "saved";
  }

  async load(key: string, owner: string, ttlMs: number | null): Promise<LoadOutcome> {
    return this.loadNow(key, owner, ttlMs, this.now());
  }

  async loadOrLock(key: string, owner: string, lockTtlMs: number): Promise<LoadOrLockOutcome> {
    // Both halves run synchronously, so nothing can happen between the miss and the lock, as in the Redis script.
    const now = this.now();
    const found = this.loadNow(key, owner, null, now);
    if (found.status !== "missing") return found;
    // No value, and this owner's own lock is held: another acquisition of this server is producing it, so wait.
    const token = this.lockTable.take(key, owner, lockTtlMs, now);
    return token === 0 ? { status: "locked" } : { status: "acquired", token };
  }

  private loadNow(key: string, owner: string, ttlMs: number | null, now: number): LoadOutcome {
    if (this.lockTable.lockedByOther(key, owner, now)) return { status: "locked" };
    const object = this.liveObject(key, now);
    if (!object) return { status: "missing" };
    const previousReadAt = object.readAt;
    object.readAt = now;
    if (ttlMs !== null) object.expireTimestamp = now + ttlMs;
    return {
      status: "ok",
      object: {
        json: object.json,
        createdAt: object.createdAt,
        readAt: previousReadAt,
        expireTimestamp: object.expireTimestamp,
      },
    };
  }

  async destroy(key: string, owner: string, requireLock: boolean): Promise<DestroyOutcome> {
    const now = this.now();
    const refusal = this.writeRefusal(key, owner, requireLock, now);
    if (refusal) return refusal;
    const hadObject = this.liveObject(key, now) !== undefined && this.objects.delete(key);
    const hadList = this.lists.delete(key);
    return hadObject || hadList ? "destroyed" : "missing";
  }

  async loadMany(keys: string[], owner: string, ttlMs: number | null): Promise<BatchLoadOutcome[]> {
    const now = this.now();
    return keys.map((key) => this.loadNow(key, owner, ttlMs, now));
  }

  /** All or nothing, like the Redis script: every lock is checked before anything is written. */
  async saveMany(entries: BatchSaveEntry[], owner: string, requireLock: boolean): Promise<BatchWriteOutcome> {
    const now = this.now();
    const refused = this.firstRefusal(
      entries.map((entry) => entry.key),
      owner,
      requireLock,
      now,
    );
    if (refused) return refused;
    for (const { key, json, ttlMs } of entries) {
      this.objects.set(key, {
        json,
        createdAt: now,
        readAt: null,
        expireTimestamp: ttlMs === null ? null : now + ttlMs,
      });
    }
    return { status: "done", existed: 0 };
  }

  async destroyMany(keys: string[], owner: string, requireLock: boolean): Promise<BatchWriteOutcome> {
    const now = this.now();
    const refused = this.firstRefusal(keys, owner, requireLock, now);
    if (refused) return refused;
    let existed = 0;
    for (const key of keys) {
      const hadObject = this.liveObject(key, now) !== undefined && this.objects.delete(key);
      if (this.lists.delete(key) || hadObject) existed += 1;
    }
    return { status: "done", existed };
  }

  private firstRefusal(keys: string[], owner: string, requireLock: boolean, now: number) {
    for (const key of keys) {
      const refusal = this.writeRefusal(key, owner, requireLock, now);
      if (refusal) return { status: refusal, key, writtenKeys: 0 } as const;
    }
    return undefined;
  }

  async lock(key: string, owner: string, ttlMs: number): Promise<number> {
    return this.lockTable.take(key, owner, ttlMs, this.now());
  }

  async extend(key: string, owner: string, ttlMs: number, token: number | null): Promise<boolean> {
    return this.lockTable.extend(key, owner, ttlMs, token, this.now());
  }

  async unlock(key: string, owner: string, token: number | null): Promise<boolean> {
    return this.lockTable.release(key, owner, token, this.now());
  }

  async checkLock(key: string, owner: string): Promise<boolean> {
    return !this.lockTable.lockedByOther(key, owner, this.now());
  }

  async push(key: string, owner: string, json: string, requireLock: boolean): Promise<PushOutcome> {
    const refusal = this.writeRefusal(key, owner, requireLock, this.now());
    if (refusal) return { status: refusal };
    let list = this.lists.get(key);
    if (!list) this.lists.set(key, (list = new ItemQueue()));
    return { status: "pushed", length: list.push(json) };
  }

  async pop(key: string, owner: string, requireLock: boolean): Promise<PopOutcome> {
    const refusal = this.writeRefusal(key, owner, requireLock, this.now());
    if (refusal) return { status: refusal };
    const list = this.lists.get(key);
    const item = list?.shift();
    // Like Redis, a list that becomes empty no longer exists.
    if (list && list.length === 0) this.lists.delete(key);
    return item === undefined ? { status: "empty" } : { status: "popped", json: item };
  }

  async listLength(key: string, owner: string): Promise<ListLengthOutcome> {
    if (this.lockTable.lockedByOther(key, owner, this.now())) return { status: "locked" };
    return { status: "ok", length: this.lists.get(key)?.length ?? 0 };
  }

  async *entries(): AsyncIterable<DumpEntry[]> {
    let batch: DumpEntry[] = [];
    for (const entry of this.liveEntries()) {
      batch.push(entry);
      if (batch.length >= ENTRY_BATCH) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }

  /** Live objects, then lists, over a snapshot of the keys, so writes while a dump runs cannot upset the walk. */
  private *liveEntries(): Iterable<DumpEntry> {
    for (const key of [...this.objects.keys()]) {
      const object = this.liveObject(key, this.now());
      if (object) yield { type: "object", key, ...object };
    }
    for (const key of [...this.lists.keys()]) {
      const list = this.lists.get(key);
      if (list) yield { type: "list", key, items: list.toArray() };
    }
  }

  async restore(entries: DumpEntry[], owner: string): Promise<RestoreOutcome[]> {
    const now = this.now();
    return entries.map((entry) => {
      if (this.lockTable.lockedByOther(entry.key, owner, now)) return "locked";
      if (entry.type === "list") {
        const list = (entry.append && this.lists.get(entry.key)) || new ItemQueue();
        for (const item of entry.items) list.push(item);
        if (list.length > 0) this.lists.set(entry.key, list);
        else this.lists.delete(entry.key);
        return "restored";
      }
      if (isExpired(entry.expireTimestamp, now)) return "expired";
      const { json, createdAt, readAt, expireTimestamp } = entry;
      this.objects.set(entry.key, { json, createdAt, readAt, expireTimestamp });
      return "restored";
    });
  }

  async locks(scopePrefix: string): Promise<string[]> {
    return this.lockTable.details(scopePrefix, this.now()).map((lock) => lock.key);
  }

  async keys(scopePrefix: string): Promise<string[]> {
    const now = this.now();
    return [...this.objects.keys()].filter(
      (key) => key.startsWith(scopePrefix) && this.liveObject(key, now) !== undefined,
    );
  }

  async size(scopePrefix: string): Promise<number> {
    return (await this.keys(scopePrefix)).length;
  }

  async clear(scopePrefix: string, locks: boolean): Promise<number> {
    // Expired entries are already gone as far as callers can tell (Redis would not count them either).
    this.sweep();
    const inScope = (key: string) => key.startsWith(scopePrefix);
    let removed = 0;
    for (const key of [...this.objects.keys()].filter(inScope)) removed += Number(this.objects.delete(key));
    for (const key of [...this.lists.keys()].filter(inScope)) removed += Number(this.lists.delete(key));
    if (locks) removed += this.lockTable.clear(scopePrefix);
    return removed;
  }

  async lockDetails(scopePrefix: string): Promise<LockDetails[]> {
    return this.lockTable.details(scopePrefix, this.now());
  }

  async listenForUnlock(key: string): Promise<UnlockSignal> {
    return this.lockTable.listen(key, this.now);
  }

  get connection(): string {
    return "ready";
  }

  async close(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    this.lockTable.close();
  }
}
