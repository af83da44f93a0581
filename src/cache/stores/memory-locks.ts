import { ReleaseSignals } from "../release-signals";
import type { LockDetails, UnlockSignal } from "../types/store";

interface MemoryLock {
  owner: string;
  expireTimestamp: number;
  token: number;
}

/** Like Redis, an entry is still alive at exactly its expiry instant and gone one millisecond later. */
export function isExpired(expireTimestamp: number | null, now: number): boolean {
  return expireTimestamp !== null && now > expireTimestamp;
}

/**
 * The in-memory store's locks: who holds which key until when, and the waiters woken when a lock goes. Every
 * method takes the store's `now`. Every writer is in this process, so one counter for the whole store keeps every
 * key's tokens increasing, with nothing kept per key once its lock is gone (Redis keeps a counter per key, for a
 * margin past the lock: commands/fence.ts).
 */
export class MemoryLocks {
  private readonly table = new Map<string, MemoryLock>();
  private lastToken = 0;
  private readonly releases = new ReleaseSignals();

  /** `changed` hears every key whose lock is taken or goes. */
  constructor(private readonly changed: (key: string) => void = () => undefined) {}

  /** How many locks are held, expired or not: for tests of the sweeper. */
  get count(): number {
    return this.table.size;
  }

  private live(key: string, now: number): MemoryLock | undefined {
    const lock = this.table.get(key);
    if (lock && isExpired(lock.expireTimestamp, now)) {
      this.delete(key);
      return undefined;
    }
    return lock;
  }

  private delete(key: string): boolean {
    const deleted = this.table.delete(key);
    if (deleted) {
      this.changed(key);
      this.releases.released(key);
    }
    return deleted;
  }

  lockedByOther(key: string, owner: string, now: number): boolean {
    const lock = this.live(key, now);
    return lock !== undefined && lock.owner !== owner;
  }

  heldBy(key: string, owner: string, now: number): boolean {
    return this.live(key, now)?.owner === owner;
  }

  /** Takes the lock only when nobody holds it, this owner included (exclusive per acquisition); 0 when held. */
  take(key: string, owner: string, ttlMs: number, now: number): number {
    if (this.live(key, now)) return 0;
    // As in Redis, never below the clock in microseconds.
    const token = Math.max(this.lastToken + 1, now * 1000);
    this.lastToken = token;
    this.table.set(key, { owner, expireTimestamp: now + ttlMs, token });
    this.changed(key);
    return token;
  }

  /** The live lock when `owner` holds it and, with a token, it is still that acquisition. */
  private heldAcquisition(key: string, owner: string, token: number | null, now: number): MemoryLock | undefined {
    const held = this.live(key, now);
    return held?.owner === owner && (token === null || held.token === token) ? held : undefined;
  }

  extend(key: string, owner: string, ttlMs: number, token: number | null, now: number): boolean {
    const held = this.heldAcquisition(key, owner, token, now);
    if (held) held.expireTimestamp = now + ttlMs;
    return held !== undefined;
  }

  release(key: string, owner: string, token: number | null, now: number): boolean {
    return this.heldAcquisition(key, owner, token, now) !== undefined && this.delete(key);
  }

  /** Removes the expired locks; returns how many. */
  sweep(now: number): number {
    let removed = 0;
    for (const [key, lock] of this.table) if (isExpired(lock.expireTimestamp, now)) removed += Number(this.delete(key));
    return removed;
  }

  /** Removes every lock whose key starts with `scopePrefix`, whoever holds it; returns how many. */
  clear(scopePrefix: string): number {
    let removed = 0;
    for (const key of [...this.table.keys()].filter((each) => each.startsWith(scopePrefix))) {
      removed += Number(this.delete(key));
    }
    return removed;
  }

  details(scopePrefix: string, now: number): LockDetails[] {
    const details: LockDetails[] = [];
    for (const key of [...this.table.keys()].filter((each) => each.startsWith(scopePrefix))) {
      const lock = this.live(key, now);
      if (lock) details.push({ key, owner: lock.owner, ttl: lock.expireTimestamp - now });
    }
    return details;
  }

  /** Registers for the release of `key`'s lock. Expiry emits nothing, so a wait ends no later than the expiry. */
  listen(key: string, now: () => number): UnlockSignal {
    return this.releases.listen(key, (timeoutMs) => {
      const lock = this.table.get(key);
      return lock ? Math.min(timeoutMs, lock.expireTimestamp - now() + 1) : 0;
    });
  }

  /** Wakes every waiter, e.g. when the store closes. */
  close(): void {
    this.releases.releaseAll();
  }
}
