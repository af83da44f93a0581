import { CacheError, CacheErrorCodes } from "./errors";
import { deserializeValue } from "./serialization";
import type { ChangeListener } from "./types/store";

export interface NearCacheLimits {
  /** At most this many copies; the least recently used goes first. */
  maxEntries: number;
  /** At most this many bytes of keys and JSON text; the least recently used goes first. */
  maxBytes: number;
}

export const DEFAULT_NEAR_CACHE_LIMITS: NearCacheLimits = { maxEntries: 10_000, maxBytes: 32 * 1024 * 1024 };

/** What stats() reports of the near cache. */
export interface NearCacheStats {
  /** Whether reads are answered from process memory (config.cache.nearCache on). */
  enabled: boolean;
  /** Whether the store's change feed is live, so copies can be trusted right now. */
  live: boolean;
  entries: number;
  bytes: number;
  /** Reads answered from process memory. */
  hits: number;
  /** Reads that had to ask the store. */
  misses: number;
  /** Copies dropped because their key changed (or everything may have). */
  invalidations: number;
  /** Copies dropped to stay under maxEntries/maxBytes. */
  evictions: number;
  /** Reads answered with a stale copy within their grace period, because the store or the producer failed. */
  graceHits: number;
}

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
  bytes: number;
  /** For grace, in a copy that says "no value": the last value seen before it. */
  previous?: Copy;
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

  /** The last value this process saw for `key`, if it expired less than `graceMs` ago (or never expires). */
  grace(key: string, graceMs: number): NearHit | undefined {
    const found = this.copies.get(key);
    const copy = found?.json === null ? found.previous : found;
    if (copy === undefined) return undefined;
    if (copy.expireTimestamp !== null && this.clock() > copy.expireTimestamp + graceMs) return undefined;
    this.counts.graceHits += 1;
    return { value: valueOf(copy) };
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
    if (ticket.changed && this.serving) return;
    const current = this.serving && this.feedLive && ticket.epoch === this.epoch;
    if (json === null && !current) return;
    this.put(ticket.key, { json, parsed: false, expireTimestamp, owner, epoch: ticket.epoch, current, bytes: 0 });
  }

  /**
   * A value this process wrote: kept for grace only (the write's own change report is still on its way, and other
   * writers may follow), so reads still go to the store until one of them brings a current copy.
   */
  remember(key: string, owner: string, json: string, expireTimestamp: number | null): void {
    this.put(key, { json, parsed: false, expireTimestamp, owner, epoch: this.epoch, current: false, bytes: 0 });
  }

  private put(key: string, copy: Copy): void {
    const replaced = this.copies.get(key);
    if (copy.json === null && replaced) copy.previous = replaced.json === null ? replaced.previous : replaced;
    this.remove(key);
    copy.bytes = key.length + (copy.json?.length ?? 0) + (copy.previous?.json?.length ?? 0);
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
    if (copy?.current) {
      copy.current = false;
      this.counts.invalidations += 1;
    }
  }

  changedAll(): void {
    for (const pending of this.reads.values()) for (const ticket of pending) ticket.changed = true;
    this.dropAll();
  }

  lost(): void {
    this.feedLive = false;
    this.dropAll();
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

  /** Copies become grace-only: a new epoch. */
  private dropAll(): void {
    let current = 0;
    for (const copy of this.copies.values()) if (copy.current && copy.epoch === this.epoch) current += 1;
    this.counts.invalidations += current;
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
    copy.value = copy.json === null ? null : deepFreeze(deserializeValue(copy.json));
    copy.parsed = true;
  }
  return copy.value;
}

/** Callers share a copy, so none of them may change it. */
function deepFreeze(value: unknown): unknown {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  for (const child of Object.values(value)) deepFreeze(child);
  return Object.freeze(value);
}
