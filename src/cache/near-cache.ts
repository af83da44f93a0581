import { CacheError, CacheErrorCodes } from "./errors";
import { frozenValue } from "./frozen-value";
import type { NearCacheLimits, NearCacheStats } from "./types/near-cache";
import type { ChangeListener } from "./types/store";

export { DEFAULT_NEAR_CACHE_LIMITS, type NearCacheLimits, type NearCacheStats } from "./types/near-cache";

interface Copy {
  /** The value's JSON text; null: the key had no value when it was read. */
  json: string | null;
  /** The parsed, deeply frozen value, made on the first hit. */
  value?: unknown;
  parsed: boolean;
  /** When the value expires, on the store's clock; null: never. */
  expireTimestamp: number | null;
  /** The owner whose read passed the key's lock check: the lock was free or held by this owner. */
  owner: string;
  /** The feed epoch the copy was read in; a copy of an older epoch, or not `current`, serves only grace. */
  epoch: number;
  current: boolean;
  /**
   * When the copy was last known to be what the store holds, on the store's clock: read or written, or (while
   * `current`) the moment a change or a lost feed ended that. Grace counts from here.
   */
  verifiedAt: number;
  bytes: number;
}

/** A read in flight: if its key changes before the answer arrives, the answer may be stale and is not kept. */
export interface ReadTicket {
  key: string;
  epoch: number;
  changed: boolean;
}

/** A copy answered from process memory: the (frozen) value, or null when the key had none. */
export interface NearHit {
  value: unknown;
}

/**
 * Copies of values this process read, in process memory, kept coherent by the store's change feed (Redis: client
 * tracking). A copy answers a read only while it is current: no change to its key (object or lock) was reported
 * since it was read, the feed has been live throughout, it has not expired, and the reader is the owner whose read
 * passed the lock check. Otherwise it serves only grace (a stale value when the store or a producer fails).
 * When `serving` is false (near cache off) copies are kept only for grace.
 */
export class NearCache implements ChangeListener {
  private readonly copies = new Map<string, Copy>();
  private readonly reads = new Map<string, ReadTicket[]>();
  private epoch = 0;
  private bytes = 0;
  private feedLive = false;
  private readonly counts = { hits: 0, misses: 0, invalidations: 0, evictions: 0, graceHits: 0 };

  constructor(
    private readonly limits: NearCacheLimits,
    /** Now on the clock the store stamps expiry with. */
    private readonly clock: () => number,
    readonly serving: boolean,
  ) {
    for (const name of ["maxEntries", "maxBytes"] as const) {
      if (!Number.isSafeInteger(limits[name]) || limits[name] <= 0) {
        throw new CacheError(
          CacheErrorCodes.INVALID_OPTIONS,
          `nearCache.${name} must be a positive integer, got ${JSON.stringify(limits[name])}`,
        );
      }
    }
  }

  /** A current copy for `owner`, or undefined: then the caller asks the store. */
  hit(key: string, owner: string): NearHit | undefined {
    const copy = this.current(key, owner);
    return copy && { value: valueOf(copy) };
  }

  /** has() from a current copy: whether the key has a value; undefined when the store must be asked. */
  holds(key: string, owner: string): boolean | undefined {
    const copy = this.current(key, owner);
    return copy && copy.json !== null;
  }

  private current(key: string, owner: string): Copy | undefined {
    if (!this.serving) return undefined;
    const copy = this.copies.get(key);
    if (
      copy === undefined ||
      !this.feedLive ||
      !copy.current ||
      copy.epoch !== this.epoch ||
      copy.owner !== owner ||
      (copy.expireTimestamp !== null && this.clock() > copy.expireTimestamp)
    ) {
      this.counts.misses += 1;
      return undefined;
    }
    // Most recently used last: Map keeps insertion order, so eviction takes the first.
    this.copies.delete(key);
    this.copies.set(key, copy);
    this.counts.hits += 1;
    return copy;
  }

  /**
   * The last state this process saw for `key` (a value, or null for none), if it was known to be current at most
   * `graceMs` ago: not past its expiry, and read or written then, or held current by a live feed since.
   */
  grace(key: string, graceMs: number): NearHit | undefined {
    const copy = this.copies.get(key);
    if (copy === undefined) return undefined;
    const now = this.clock();
    let knownCurrent = copy.current && this.feedLive && copy.epoch === this.epoch ? now : copy.verifiedAt;
    if (copy.expireTimestamp !== null) knownCurrent = Math.min(knownCurrent, copy.expireTimestamp);
    if (now - knownCurrent > graceMs) return undefined;
    this.counts.graceHits += 1;
    return { value: valueOf(copy) };
  }

  /** Whether a copy of `key` is kept: a grace-only store updates kept copies and makes no new ones. */
  keeps(key: string): boolean {
    return this.copies.has(key);
  }

  /** Registers a read of `key` about to be sent, before it is sent. */
  beginRead(key: string): ReadTicket {
    const ticket = { key, epoch: this.epoch, changed: false };
    const pending = this.reads.get(key);
    if (pending) pending.push(ticket);
    else this.reads.set(key, [ticket]);
    return ticket;
  }

  /** The read ended without a value to keep (an error, a lock). */
  endRead(ticket: ReadTicket): void {
    const pending = this.reads.get(ticket.key);
    if (!pending) return;
    const index = pending.indexOf(ticket);
    if (index >= 0) pending.splice(index, 1);
    if (pending.length === 0) this.reads.delete(ticket.key);
  }

  /**
   * Keeps what the read answered for `owner` (`json` null: no value) unless the key changed while it was in flight.
   * A read from before the feed went live is kept for grace only.
   */
  fill(ticket: ReadTicket, owner: string, json: string | null, expireTimestamp: number | null): void {
    this.endRead(ticket);
    // Changed while in flight (by another writer, or by a write of this process that may even have settled first:
    // replies are handled in order, but not every reply's promise chain is as long): the answer may be older than
    // what the key holds now, so it is kept neither for reads nor for grace.
    if (ticket.changed) return;
    const current = this.serving && this.feedLive && ticket.epoch === this.epoch;
    // A value that has expired by now explains a read that finds nothing: it stays, for grace past its expiry.
    // Otherwise nothing found means the value was removed, and grace must not bring it back.
    const kept = this.copies.get(ticket.key);
    if (json === null && kept?.expireTimestamp != null && this.clock() > kept.expireTimestamp) return;
    this.put(ticket.key, this.copy(json, expireTimestamp, owner, ticket.epoch, current));
  }

  /**
   * A value this process wrote: kept for grace only (the write's own change report is still on its way, and other
   * writers may follow), so reads still go to the store until one of them brings a current copy.
   */
  remember(key: string, owner: string, json: string, expireTimestamp: number | null): void {
    this.put(key, this.copy(json, expireTimestamp, owner, this.epoch, false));
  }

  /** This process removed `key` (destroy, destroyMany): its last state is "no value", as of now. */
  removed(key: string, owner: string): void {
    this.put(key, this.copy(null, null, owner, this.epoch, false));
  }

  /** A write of this process whose outcome is unknown (it failed after being sent): nothing is known of `key`. */
  unknown(key: string): void {
    this.changed(key);
    this.remove(key);
  }

  /**
   * This process cleared every key starting with `scopePrefix`: their last state is "no value" when the clear
   * succeeded; when it failed part way, nothing is known of them.
   */
  cleared(scopePrefix: string, succeeded: boolean): void {
    this.changedAll();
    for (const key of [...this.copies.keys()]) {
      if (!key.startsWith(scopePrefix)) continue;
      // Not current, so never a near hit: the owner is no one's.
      if (succeeded) this.removed(key, "");
      else this.remove(key);
    }
  }

  private copy(json: string | null, expireTimestamp: number | null, owner: string, epoch: number, current: boolean) {
    const verifiedAt = this.clock();
    return { json, parsed: false, expireTimestamp, owner, epoch, current, verifiedAt, bytes: 0 };
  }

  private put(key: string, copy: Copy): void {
    this.remove(key);
    copy.bytes = key.length + (copy.json?.length ?? 0);
    if (copy.bytes > this.limits.maxBytes) return;
    this.copies.set(key, copy);
    this.bytes += copy.bytes;
    this.evictOverLimits();
  }

  /** Forgets `key` at once: this process is about to change it (its own writes need no round trip to show). */
  forget(key: string): void {
    this.changed(key);
  }

  changed(key: string): void {
    const pending = this.reads.get(key);
    if (pending) for (const ticket of pending) ticket.changed = true;
    const copy = this.copies.get(key);
    if (copy?.current) this.setAside(copy, this.clock());
  }

  /** A current copy stops being current now: it serves only grace, counted from now. */
  private setAside(copy: Copy, now: number): void {
    copy.current = false;
    copy.verifiedAt = now;
    this.counts.invalidations += 1;
  }

  changedAll(): void {
    for (const pending of this.reads.values()) for (const ticket of pending) ticket.changed = true;
    this.dropAll();
  }

  /** `since`: when every change was last known heard; current copies were known current until then. */
  lost(since?: number): void {
    this.feedLive = false;
    this.dropAll(since);
  }

  live(): void {
    // Reads sent before now may have run before the feed was armed, so they start a new epoch's copies.
    this.epoch += 1;
    this.feedLive = true;
  }

  stats(): NearCacheStats {
    return {
      enabled: this.serving,
      live: this.feedLive,
      entries: this.copies.size,
      bytes: this.bytes,
      ...this.counts,
    };
  }

  /** Copies become grace-only, known current until `since` (or now), or their own read if later: a new epoch. */
  private dropAll(since?: number): void {
    const now = this.clock();
    for (const copy of this.copies.values()) {
      if (copy.current) this.setAside(copy, Math.max(copy.verifiedAt, Math.min(since ?? now, now)));
    }
    this.epoch += 1;
  }

  private remove(key: string): void {
    const copy = this.copies.get(key);
    if (!copy) return;
    this.copies.delete(key);
    this.bytes -= copy.bytes;
  }

  private evictOverLimits(): void {
    while (this.copies.size > this.limits.maxEntries || this.bytes > this.limits.maxBytes) {
      const oldest = this.copies.keys().next().value as string;
      this.remove(oldest);
      this.counts.evictions += 1;
    }
  }
}

function valueOf(copy: Copy): unknown {
  if (!copy.parsed) {
    copy.value = copy.json === null ? null : frozenValue(copy.json);
    copy.parsed = true;
  }
  return copy.value;
}
