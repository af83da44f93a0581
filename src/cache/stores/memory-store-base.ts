import { ChangeFeed } from "../change-feed";
import type { CacheStore, ChangeListener, DumpEntry, LockDetails, RestoreOutcome, UnlockSignal } from "../types/store";
import { ItemQueue } from "./memory-list";
import { MemoryLocks, isExpired } from "./memory-locks";

export interface MemoryObject {
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
 * The in-memory store's state (objects, lists, locks, the clock and the sweep) and its namespace-wide operations
 * (entries, restore, keys, size, clear, locks). MemoryStore (memory.ts) adds the per-key and batch operations.
 */
export class MemoryStoreBase implements Pick<CacheStore, "kind"> {
  readonly kind = "memory" as const;
  /** Every writer is in this process, so the change feed is exact and always live. */
  private readonly feed = new ChangeFeed();
  protected readonly objects = new ReportingMap<MemoryObject>((key) => this.feed.changed(key));
  protected readonly lockTable = new MemoryLocks((key) => this.feed.changed(key));
  protected readonly lists = new Map<string, ItemQueue>();
  protected readonly now: () => number;
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(options: MemoryStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.feed.live();
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

  protected liveObject(key: string, now: number): MemoryObject | undefined {
    const object = this.objects.get(key);
    if (object && isExpired(object.expireTimestamp, now)) {
      this.objects.delete(key);
      return undefined;
    }
    return object;
  }

  /** The lock check every write makes: guarded writes need this owner's lock, others only no foreign one. */
  protected writeRefusal(
    key: string,
    owner: string,
    requireLock: boolean,
    now: number,
  ): "locked" | "not-holder" | undefined {
    if (requireLock) return this.lockTable.heldBy(key, owner, now) ? undefined : "not-holder";
    return this.lockTable.lockedByOther(key, owner, now) ? "locked" : undefined;
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

  /** Every lock lives in this process: nothing can come between a holder and its lock. */
  watchConnection(): () => void {
    return () => undefined;
  }

  watchChanges(listener: ChangeListener): () => void {
    return this.feed.add(listener);
  }

  clock(): number {
    return this.now();
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

/** A Map that reports every key it sets or deletes: every change to an object, whatever the operation. */
class ReportingMap<V> extends Map<string, V> {
  constructor(private readonly report: (key: string) => void) {
    super();
  }

  set(key: string, value: V): this {
    super.set(key, value);
    // Map's constructor calls set() before `report` is assigned; it is never called with entries here.
    this.report?.(key);
    return this;
  }

  delete(key: string): boolean {
    const deleted = super.delete(key);
    if (deleted) this.report(key);
    return deleted;
  }
}
