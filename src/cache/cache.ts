import {
  CLEAR_OPTIONS,
  DUMP_READ_OPTIONS,
  DUMP_WRITE_OPTIONS,
  FETCH_OPTIONS,
  fileArgument,
  flag,
  ownField,
  progressOption,
  scopeAndOptions,
} from "./arguments";
import { writeDump } from "./dump";
import { CacheError, CacheErrorCodes } from "./errors";
import { DumpReadResult, restoreDump } from "./restore";
import type {
  CacheStats,
  CacheStatus,
  Callback,
  ClearOptions,
  DumpReadOptions,
  DumpWriteOptions,
  FetchOptions,
} from "./types/options";
import { assertKey, optionalDuration, plainOptions, scopePrefix } from "./validation";
import { CacheBatches } from "./cache-batches";
import { isOutage } from "./cache-reads";
import { deserializeValue } from "./serialization";
import type { CacheStore } from "./types/store";

export type { LockContext } from "./lock-holder";
export type * from "./types/options";

export { DEFAULT_LOCK_DURATION_MS, DEFAULT_MAX_VALUE_BYTES } from "./cache-base";

/**
 * The cache contract of actionhero's `api.cache`: save/load/destroy with metadata, and owner-checked locks.
 * Every method returns a Promise, and also calls a trailing node-style callback if one is passed. The methods are
 * spread over cache-base.ts (objects, lists), cache-locks.ts (locks) and this file (namespace, fetch, dumps, stats).
 */
export class Cache extends CacheBatches {
  /** The same store, seen by another owner (for tools and tests that act as a second server). */
  withOwner(owner: string): Cache {
    const { lockDuration, maxValueBytes } = this;
    return new Cache({ store: this.shared.raw, owner, lockDuration, maxValueBytes }, this.shared);
  }

  /**
   * The user keys of the live objects in this namespace, optionally only those starting with `scopePrefix`.
   * Walks Redis with SCAN in batches, never KEYS.
   */
  keys(next?: Callback<string[]>): Promise<string[]>;
  keys(scopePrefix?: string | null, next?: Callback<string[]>): Promise<string[]>;
  keys(...input: unknown[]): Promise<string[]> {
    return this.run(input, 0, async ([scope]) => this.calls.keys(scopePrefix(scope, "keys")));
  }

  /** How many live objects this namespace holds, optionally only those whose keys start with `scopePrefix`. */
  size(next?: Callback<number>): Promise<number>;
  size(scopePrefix?: string | null, next?: Callback<number>): Promise<number>;
  size(...input: unknown[]): Promise<number> {
    return this.run(input, 0, async ([scope]) => this.calls.size(scopePrefix(scope, "size")));
  }

  /**
   * Removes the objects and lists of this namespace (only those whose keys start with `scopePrefix`, when given)
   * and resolves how many were removed. Locks stay, as in actionhero, so critical sections in flight on any server
   * keep their exclusion. `{ locks: true }` removes the scope's locks too, whoever holds them: dangerous while
   * servers run, since a request inside a critical section loses its exclusion; their fencing counters and waiting
   * marks go with them, uncounted (tokens still increase, by the clock floor).
   */
  clear(next?: Callback<number>): Promise<number>;
  clear(options: ClearOptions | null, next?: Callback<number>): Promise<number>;
  clear(scopePrefix: string | null, next?: Callback<number>): Promise<number>;
  clear(scopePrefix?: string | null, options?: ClearOptions | null, next?: Callback<number>): Promise<number>;
  clear(...input: unknown[]): Promise<number> {
    return this.run(input, 0, async ([first, second]) => {
      const { scope, options } = scopeAndOptions(first, second, CLEAR_OPTIONS, "clear");
      return this.calls.clear(scope, flag(options, "locks"));
    });
  }

  /**
   * Single-flight read-through: resolves the cached value of `key` if there is one. Otherwise exactly one caller
   * across every server takes the key's lock, runs `producer`, saves its result with `expireTimeMS` and resolves
   * it; every other caller waits (up to `lockTimeoutMS`) for that value instead of running `producer` too.
   * If `producer` throws, its caller (and callers in the same process that joined it) reject with that same error;
   * callers elsewhere see the lock released without a value and try again themselves. A wait that runs out
   * rejects with LOCK_TIMEOUT.
   */
  fetch<T = unknown>(key: string, producer: () => T | Promise<T>, next?: Callback<T>): Promise<T>;
  fetch<T = unknown>(
    key: string,
    producer: () => T | Promise<T>,
    options?: FetchOptions | null,
    next?: Callback<T>,
  ): Promise<T>;
  fetch<T = unknown>(...input: unknown[]): Promise<T> {
    return this.run(
      input,
      2,
      async ([key, producer, rawOptions]) => {
        assertKey(key);
        if (typeof producer !== "function")
          throw new CacheError(CacheErrorCodes.INVALID_OPTIONS, "fetch needs a producer function");
        const options = plainOptions(rawOptions, FETCH_OPTIONS, "fetch options");
        const ttl = optionalDuration(ownField(options, "expireTimeMS"), "options.expireTimeMS");
        const lockTtl =
          optionalDuration(ownField(options, "lockTimeoutMS"), "options.lockTimeoutMS") ?? this.lockDuration;
        const grace = optionalDuration(ownField(options, "grace"), "options.grace");
        const hit = this.near?.hit(key, this.owner);
        if (hit !== undefined && hit.value !== null) return this.nearHit(hit) as T;
        const reads = grace === null ? undefined : this.graceReads();
        try {
          return await this.fetchFromStore(reads?.store ?? this.calls, key, producer as () => T, ttl, lockTtl);
        } catch (error) {
          // The last state seen may be "no value": then there is nothing to serve.
          const stale = reads && isOutage(error) ? reads.copies.grace(key, grace!) : undefined;
          if (stale === undefined || stale.value === null) throw error;
          return stale.value as T;
        }
      },
      "fetch",
    );
  }

  private async fetchFromStore<T>(
    store: CacheStore,
    key: string,
    producer: () => T,
    ttl: number | null,
    lockTtl: number,
  ): Promise<T> {
    const { owner, maxValueBytes, counters } = this;
    if (this.near) {
      // With the near cache on, a value is read without recording readAt: recording is a write, which Redis would
      // report to every server as a change of the key, dropping each one's copy (and theirs would drop ours).
      const found = await store.peek(key, owner);
      if (found.status === "ok") {
        counters.load(true);
        return deserializeValue(found.object.json) as T;
      }
    }
    return this.flights.run({ store, owner, maxValueBytes, counters, key, producer, ttl, lockTtl });
  }

  /**
   * Writes every object (with createdAt, readAt and its expiry instant) and every list of this namespace to `file`
   * as JSON Lines, streaming, and resolves how many entries were written. Reading for the dump does not count as a
   * read. The file appears complete or not at all (it is written aside and renamed).
   */
  dumpWrite(file: string, next?: Callback<number>): Promise<number>;
  dumpWrite(file: string, options?: DumpWriteOptions | null, next?: Callback<number>): Promise<number>;
  dumpWrite(...input: unknown[]): Promise<number> {
    return this.run(input, 1, async ([file, rawOptions]) => {
      const path = fileArgument(file);
      const onProgress = progressOption(plainOptions(rawOptions, DUMP_WRITE_OPTIONS, "dumpWrite options"));
      return writeDump(this.calls.entries(), path, this.maxValueBytes, onProgress);
    });
  }

  /**
   * Restores a dump written by dumpWrite. The whole file is checked first: a truncated or corrupt file is refused
   * with INVALID_DUMP naming the line, and nothing is changed. Then, in "replace" mode (the default) the namespace
   * is cleared, and each entry is written back with its metadata and original expiry instant; objects already past
   * it are skipped, as are keys another owner has locked. Resolves `{ restored, expired, locked }`.
   */
  dumpRead(file: string, next?: Callback<DumpReadResult>): Promise<DumpReadResult>;
  dumpRead(file: string, options?: DumpReadOptions | null, next?: Callback<DumpReadResult>): Promise<DumpReadResult>;
  dumpRead(...input: unknown[]): Promise<DumpReadResult> {
    return this.run(input, 1, async ([file, rawOptions]) => {
      const path = fileArgument(file);
      const options = plainOptions(rawOptions, DUMP_READ_OPTIONS, "dumpRead options");
      const mode = ownField(options, "mode") ?? "replace";
      if (mode !== "replace" && mode !== "merge") {
        throw new CacheError(
          CacheErrorCodes.INVALID_OPTIONS,
          `options.mode must be "replace" or "merge", got ${JSON.stringify(mode)}`,
        );
      }
      return restoreDump(path, {
        store: this.calls,
        owner: this.owner,
        maxValueBytes: this.maxValueBytes,
        mode,
        onProgress: progressOption(options),
      });
    });
  }

  /** Counts since this Cache was created: saves, loads, hits, misses, lock waits and failures, errors by code. */
  stats(): CacheStats {
    return { ...this.counters.snapshot(), nearCache: this.shared.graceReads.copies.stats() };
  }

  /** What a status page shows: store kind, connection state, owner, counters, and how many locks this owner holds. */
  async status(): Promise<CacheStatus> {
    let locksHeld: number | null = null;
    try {
      locksHeld = (await this.calls.lockDetails("")).filter((lock) => lock.owner === this.owner).length;
    } catch {
      // A status page must answer while the store is away; the connection field says why the count is missing.
    }
    return {
      store: this.calls.kind,
      connection: this.calls.connection,
      owner: this.owner,
      stats: this.stats(),
      locksHeld,
    };
  }
}
