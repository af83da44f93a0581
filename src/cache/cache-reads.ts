import { GET_OPTIONS, HAS_OPTIONS, ownField } from "./arguments";
import { CacheBase } from "./cache-base";
import { ProducerFailure } from "./call-style";
import { CacheError, CacheErrorCodes, locked } from "./errors";
import type { NearHit } from "./near-cache";
import { deserializeValue } from "./serialization";
import type { Callback, GetOptions, HasOptions } from "./types/options";
import type { LoadOutcome } from "./types/store";
import { assertKey, optionalDuration, plainOptions, retryBudget } from "./validation";

/**
 * The plain reads, get and has, answered from the near cache while its copy is current, and the grace rule they
 * share with fetch: on an outage, the last value this process saw, within the grace period.
 */
export class CacheReads extends CacheBase {
  /**
   * The value under `key`, or null when there is none: a plain read that records nothing (no readAt, no sliding
   * TTL) and so also works on a full Redis and on a replica. LOCKED while another owner holds the key's lock, as
   * load() is. With the near cache on, a current copy answers from process memory: a deeply frozen value, shared
   * by every caller. `{ grace }`: see GetOptions.
   */
  get<T = unknown>(key: string, next?: Callback<T | null>): Promise<T | null>;
  get<T = unknown>(key: string, options?: GetOptions | null, next?: Callback<T | null>): Promise<T | null>;
  get<T = unknown>(...input: unknown[]): Promise<T | null> {
    const near = this.near;
    // The near cache's hits skip the argument handling and the async step: they are the hot path.
    if (near !== undefined && input.length === 1 && typeof input[0] === "string") {
      const hit = near.hit(input[0], this.owner);
      if (hit !== undefined) return Promise.resolve(this.nearHit(hit) as T | null);
      return this.run(input, 1, ([key]) => this.getFromStore<T>(key, NO_READ_OPTIONS, false), "get");
    }
    return this.run(input, 1, async ([key, options]) => this.getFromStore<T>(key, readOptions(options), true), "get");
  }

  private async getFromStore<T>(key: unknown, { grace, retry }: ReadOptions, askNear: boolean): Promise<T | null> {
    assertKey(key);
    const hit = askNear ? this.near?.hit(key, this.owner) : undefined;
    if (hit !== undefined) return this.nearHit(hit) as T | null;
    const { store, copies } = grace === null ? { store: this.calls, copies: undefined } : this.graceReads();
    let outcome: LoadOutcome;
    try {
      const peek = () => store.peek(key, this.owner);
      outcome = await this.whileLocked(key, retry, peek, (found) => found.status === "locked");
    } catch (error) {
      const stale = copies && isOutage(error) ? copies.grace(key, grace!) : undefined;
      if (stale === undefined) throw error;
      return stale.value as T;
    }
    if (outcome.status === "locked") throw locked(key);
    this.counters.load(outcome.status === "ok");
    return outcome.status === "ok" ? (deserializeValue(outcome.object.json) as T) : null;
  }

  protected nearHit(hit: NearHit): unknown {
    this.counters.load(hit.value !== null);
    return hit.value;
  }

  /**
   * Whether a live object exists under `key`; records nothing. LOCKED while another owner holds the key's lock,
   * unless `{ retry }` waits that many ms for it to clear, as load() does.
   */
  has(key: string, next?: Callback<boolean>): Promise<boolean>;
  has(key: string, options?: HasOptions | null, next?: Callback<boolean>): Promise<boolean>;
  has(...input: unknown[]): Promise<boolean> {
    return this.run(
      input,
      1,
      async ([key, rawOptions]) => {
        assertKey(key);
        const options = plainOptions(rawOptions, HAS_OPTIONS, "has options");
        const retry = retryBudget(ownField(options, "retry"), "options.retry");
        const held = this.near?.holds(key, this.owner);
        if (held !== undefined) return held;
        const has = () => this.calls.has(key, this.owner);
        const outcome = await this.whileLocked(key, retry, has, (found) => found === "locked");
        if (outcome === "locked") throw locked(key);
        return outcome === "found";
      },
      "has",
    );
  }
}

interface ReadOptions {
  /** ms, or null for no grace. */
  grace: number | null;
  /** ms to wait for another owner's lock; 0: fail with LOCKED at once. */
  retry: number;
}

const NO_READ_OPTIONS: ReadOptions = { grace: null, retry: 0 };

/** get's options: `grace` and `retry`, in ms. */
function readOptions(options: unknown): ReadOptions {
  const checked = plainOptions(options, GET_OPTIONS, "get options");
  return {
    grace: optionalDuration(ownField(checked, "grace"), "options.grace"),
    retry: retryBudget(ownField(checked, "retry"), "options.retry"),
  };
}

/** What grace covers: the store could not answer, or the producer threw. */
export function isOutage(error: unknown): boolean {
  if (error instanceof ProducerFailure) return true;
  return error instanceof CacheError && error.code === CacheErrorCodes.UNAVAILABLE;
}
