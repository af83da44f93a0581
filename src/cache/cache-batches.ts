import { DESTROY_OPTIONS, flag, ownField } from "./arguments";
import { batchEntries, batchKeys } from "./batch-arguments";
import { CacheError, lockNotHeld, locked, notFound } from "./errors";
import { deserializeValue } from "./serialization";
import type {
  Callback,
  DestroyOptions,
  LoadManyOptions,
  LoadManyResult,
  SaveManyEntry,
  SaveManyOptions,
} from "./types/options";
import type { BatchLoadOutcome, BatchWriteOutcome } from "./types/store";
import { optionalDuration, plainOptions } from "./validation";
import { CacheLocks } from "./cache-locks";

const LOAD_MANY_OPTIONS = ["expireTimeMS"] as const;
const SAVE_MANY_OPTIONS = ["expireTimeMS", "requireLock"] as const;

/**
 * Batch operations: many keys in one script per hash slot (one script in all on a single Redis), each key with the
 * semantics of its single-key call. Every argument is checked before anything is sent.
 */
export class CacheBatches extends CacheLocks {
  /**
   * Reads every key, in order, recording each read as load() does. Resolves one result per key: the object
   * (`found: true`) or the error load() would have given that key alone (`found: false`, NOT_FOUND or LOCKED).
   * One key's miss or lock never fails the batch. There is no `retry`: a locked key answers LOCKED at once.
   */
  loadMany<T = unknown>(keys: string[], next?: Callback<Array<LoadManyResult<T>>>): Promise<Array<LoadManyResult<T>>>;
  loadMany<T = unknown>(
    keys: string[],
    options?: LoadManyOptions | null,
    next?: Callback<Array<LoadManyResult<T>>>,
  ): Promise<Array<LoadManyResult<T>>>;
  loadMany<T = unknown>(...input: unknown[]): Promise<Array<LoadManyResult<T>>> {
    return this.run(
      input,
      1,
      async ([rawKeys, rawOptions]) => {
        const keys = batchKeys(rawKeys, "loadMany");
        const options = plainOptions(rawOptions, LOAD_MANY_OPTIONS, "loadMany options");
        const ttl = optionalDuration(ownField(options, "expireTimeMS"), "options.expireTimeMS");
        if (keys.length === 0) return [];
        const outcomes = await this.calls.loadMany(keys, this.owner, ttl);
        return outcomes.map((outcome, index) => this.loadManyResult<T>(keys[index], outcome));
      },
      "loadMany",
    );
  }

  private loadManyResult<T>(key: string, outcome: BatchLoadOutcome): LoadManyResult<T> {
    if (outcome.status === "ok") {
      this.counters.load(true, outcome.readOnly === true);
      const { json, expireTimestamp, createdAt, readAt } = outcome.object;
      return { found: true, key, value: deserializeValue(json) as T, expireTimestamp, createdAt, readAt };
    }
    if (outcome.status === "missing") this.counters.load(false);
    const error: CacheError =
      outcome.status === "error" ? outcome.error : outcome.status === "locked" ? locked(key) : notFound(key);
    this.counters.error(error.code);
    return { found: false, key, error };
  }

  /**
   * Stores every entry `{ key, value, expireTimeMS? }`, all or nothing per hash slot: on a single Redis (and in
   * memory) either every entry is written or none is. Refused with LOCKED (or LOCK_NOT_HELD with `requireLock`)
   * naming the first refused key; on a Redis Cluster, keys in other slots may have been written, and the error
   * message says how many.
   */
  saveMany(entries: SaveManyEntry[], next?: Callback<true>): Promise<true>;
  saveMany(entries: SaveManyEntry[], options?: SaveManyOptions | null, next?: Callback<true>): Promise<true>;
  saveMany(...input: unknown[]): Promise<true> {
    return this.run(
      input,
      1,
      async ([rawEntries, rawOptions]) => {
        const options = plainOptions(rawOptions, SAVE_MANY_OPTIONS, "saveMany options");
        const ttl = optionalDuration(ownField(options, "expireTimeMS"), "options.expireTimeMS");
        const requireLock = flag(options, "requireLock");
        const entries = batchEntries(rawEntries, ttl, this.maxValueBytes);
        this.assertNotLost(
          entries.map((entry) => entry.key),
          requireLock,
        );
        if (entries.length === 0) return true as const;
        this.assertBatchWritten(await this.calls.saveMany(entries, this.owner, requireLock), entries.length);
        this.counters.save(entries.length);
        return true as const;
      },
      "saveMany",
    );
  }

  /**
   * Removes every key's object and list, all or nothing per hash slot like saveMany, and resolves how many keys
   * had something to remove.
   */
  destroyMany(keys: string[], next?: Callback<number>): Promise<number>;
  destroyMany(keys: string[], options?: DestroyOptions | null, next?: Callback<number>): Promise<number>;
  destroyMany(...input: unknown[]): Promise<number> {
    return this.run(
      input,
      1,
      async ([rawKeys, rawOptions]) => {
        const keys = batchKeys(rawKeys, "destroyMany");
        const requireLock = flag(plainOptions(rawOptions, DESTROY_OPTIONS, "destroyMany options"), "requireLock");
        this.assertNotLost(keys, requireLock);
        if (keys.length === 0) return 0;
        const outcome = await this.calls.destroyMany(keys, this.owner, requireLock);
        this.assertBatchWritten(outcome, keys.length);
        return outcome.status === "done" ? outcome.existed : 0;
      },
      "destroyMany",
    );
  }

  private assertBatchWritten(outcome: BatchWriteOutcome, size: number): void {
    if (outcome.status === "done") return;
    const single = outcome.status === "locked" ? locked(outcome.key) : lockNotHeld(outcome.key);
    const written =
      outcome.writtenKeys === 0
        ? "nothing was written"
        : `${outcome.writtenKeys} of ${size} keys in other hash slots were written`;
    throw new CacheError(single.code, `${single.message}: ${JSON.stringify(outcome.key)}; ${written}`, {
      key: outcome.key,
    });
  }
}
