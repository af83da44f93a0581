import { EventEmitter } from "events";
import type { CacheStore, DestroyOutcome, LoadOutcome, SaveOutcome } from "../types/store";

interface MemoryObject {
  json: string;
  createdAt: number;
  readAt: number | null;
  expireTimestamp: number | null;
}

interface MemoryLock {
  owner: string;
  expireTimestamp: number;
}

export interface MemoryStoreOptions {
  /** How often expired entries are swept out, in ms. Expiry is also checked on every access. */
  sweepIntervalMs?: number;
  /** The clock, in ms; replaceable so time-dependent behaviour can be reasoned about. */
  now?: () => number;
}

export const DEFAULT_SWEEP_INTERVAL_MS = 10_000;

/** Like Redis, an entry is still alive at exactly its expiry instant and gone one millisecond later. */
function isExpired(expireTimestamp: number | null, now: number): boolean {
  return expireTimestamp !== null && now > expireTimestamp;
}

/**
 * Keeps everything in this process: for development and single-process servers.
 * Values are kept as JSON text, so callers can never mutate what is cached.
 */
export class MemoryStore implements CacheStore {
  readonly kind = "memory" as const;
  private readonly objects = new Map<string, MemoryObject>();
  private readonly lockTable = new Map<string, MemoryLock>();
  private readonly unlocks = new EventEmitter();
  private readonly now: () => number;
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(options: MemoryStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.unlocks.setMaxListeners(0);
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
    for (const [key, lock] of this.lockTable) {
      if (isExpired(lock.expireTimestamp, now)) removed += Number(this.deleteLock(key));
    }
    return removed;
  }

  /** How many objects and locks are held, expired or not: for tests of the sweeper. */
  entryCount(): number {
    return this.objects.size + this.lockTable.size;
  }

  private liveObject(key: string, now: number): MemoryObject | undefined {
    const object = this.objects.get(key);
    if (object && isExpired(object.expireTimestamp, now)) {
      this.objects.delete(key);
      return undefined;
    }
    return object;
  }

  private liveLock(key: string, now: number): MemoryLock | undefined {
    const lock = this.lockTable.get(key);
    if (lock && isExpired(lock.expireTimestamp, now)) {
      this.deleteLock(key);
      return undefined;
    }
    return lock;
  }

  private lockedByOther(key: string, owner: string, now: number): boolean {
    const lock = this.liveLock(key, now);
    return lock !== undefined && lock.owner !== owner;
  }

  private deleteLock(key: string): boolean {
    const deleted = this.lockTable.delete(key);
    if (deleted) this.unlocks.emit(key);
    return deleted;
  }

  async save(key: string, owner: string, json: string, ttlMs: number | null): Promise<SaveOutcome> {
    const now = this.now();
    if (this.lockedByOther(key, owner, now)) return "locked";
    this.objects.set(key, { json, createdAt: now, readAt: null, expireTimestamp: ttlMs === null ? null : now + ttlMs });
    return "saved";
  }

  async load(key: string, owner: string, ttlMs: number | null): Promise<LoadOutcome> {
    const now = this.now();
    if (this.lockedByOther(key, owner, now)) return { status: "locked" };
    const object = this.liveObject(key, now);
    if (!object) return { status: "missing" };
    const previousReadAt = object.readAt;
    object.readAt = now;
    if (ttlMs !== null) object.expireTimestamp = now + ttlMs;
    return {
      status: "ok",
      object: { json: object.json, createdAt: object.createdAt, readAt: previousReadAt, expireTimestamp: object.expireTimestamp },
    };
  }

  async destroy(key: string, owner: string): Promise<DestroyOutcome> {
    const now = this.now();
    if (this.lockedByOther(key, owner, now)) return "locked";
    return this.liveObject(key, now) && this.objects.delete(key) ? "destroyed" : "missing";
  }

  async lock(key: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    if (this.lockedByOther(key, owner, now)) return false;
    this.lockTable.set(key, { owner, expireTimestamp: now + ttlMs });
    return true;
  }

  async unlock(key: string, owner: string): Promise<boolean> {
    const lock = this.liveLock(key, this.now());
    if (!lock || lock.owner !== owner) return false;
    return this.deleteLock(key);
  }

  async checkLock(key: string, owner: string): Promise<boolean> {
    return !this.lockedByOther(key, owner, this.now());
  }

  async locks(): Promise<string[]> {
    const now = this.now();
    return [...this.lockTable.keys()].filter((key) => this.liveLock(key, now) !== undefined);
  }

  waitForUnlock(key: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.unlocks.off(key, done);
        resolve();
      };
      // An expiring lock emits nothing, so the timeout also covers expiry.
      const lock = this.lockTable.get(key);
      const untilExpiry = lock ? Math.max(1, lock.expireTimestamp - this.now() + 1) : 0;
      const timer = setTimeout(done, Math.min(timeoutMs, untilExpiry || timeoutMs));
      this.unlocks.on(key, done);
    });
  }

  async close(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
  }
}
