import { LOCKS_OPTIONS, LOCK_OPTIONS, flag, ownField, scopeAndOptions, ttlAndOptions } from "./arguments";
import { CacheError, CacheErrorCodes } from "./errors";
import { LockContext, holdLock } from "./lock-holder";
import type { Callback, LockOptions, WithLockOptions } from "./types/options";
import type { LockDetails } from "./types/store";
import { assertKey, optionalDuration, plainOptions, retryBudget } from "./validation";
import { CacheReads } from "./cache-reads";

/** The lock operations of the Cache: lock, acquireLock, withLock, unlock, extendLock, checkLock, locks. */
export class CacheLocks extends CacheReads {
  /**
   * Takes the lock on `key` for `expireTimeMS` (default `lockDuration`). Resolves true only when it took a lock
   * nobody held, this server included (as SETNX does in actionhero), so two concurrent requests of one server
   * exclude each other; false while anyone holds it. With `{ retry }` it waits that long for a release first.
   * The second argument may be the options object instead of a TTL. To refresh a lock you hold, use extendLock().
   */
  lock(key: string, next?: Callback<boolean>): Promise<boolean>;
  lock(key: string, expireTimeMS?: number | null | LockOptions, next?: Callback<boolean>): Promise<boolean>;
  lock(
    key: string,
    expireTimeMS: number | null | undefined,
    options?: LockOptions | null,
    next?: Callback<boolean>,
  ): Promise<boolean>;
  lock(...input: unknown[]): Promise<boolean> {
    return this.run(
      input,
      1,
      async ([key, ttlOrOptions, options]) => (await this.acquireFromArguments(key, ttlOrOptions, options)) > 0,
      "lock",
    );
  }

  /**
   * lock(), resolving the fencing token instead of true, and null instead of false. Tokens increase strictly with
   * each acquisition of a key.
   */
  acquireLock(key: string, next?: Callback<number | null>): Promise<number | null>;
  acquireLock(key: string, options?: LockOptions | null, next?: Callback<number | null>): Promise<number | null>;
  acquireLock(...input: unknown[]): Promise<number | null> {
    return this.run(
      input,
      1,
      async ([key, options]) => (await this.acquireFromArguments(key, null, options)) || null,
      "acquireLock",
    );
  }

  protected acquireFromArguments(key: unknown, ttlOrOptions: unknown, extraOptions: unknown): Promise<number> {
    assertKey(key);
    const { ttl, options } = ttlAndOptions(ttlOrOptions, extraOptions, LOCK_OPTIONS, "lock options");
    return this.acquire(key, ttl ?? this.lockDuration, retryBudget(ownField(options, "retry"), "options.retry"));
  }

  /**
   * Takes the lock, waiting up to `retryMs` for a release; resolves the fencing token, or 0 if not taken. A caller
   * that must wait queues behind this process's other waiters for the key, so only one of them asks the store.
   */
  protected async acquire(key: string, ttlMs: number, retryMs: number): Promise<number> {
    const tryLock = () => this.calls.lock(key, this.owner, ttlMs);
    // With a budget, the caller gets in line: an empty line gives the turn at once, and whileLocked's first try is
    // the only one before any wait.
    const token =
      retryMs > 0
        ? await this.waitingRoom.take(
            key,
            retryMs,
            (remaining) => this.whileLocked(key, remaining, tryLock, (held) => held === 0),
            0,
          )
        : await tryLock();
    if (token === 0) this.counters.lockFailure();
    return token;
  }

  /**
   * Runs `fn` while holding the lock on `key`: waits up to `retry` ms for it (LOCK_TIMEOUT if it never comes),
   * extends it every third of its TTL while `fn` runs, and always releases it afterwards. `fn` gets an
   * AbortSignal that fires if the lock is lost, and the acquisition's fencing token. Resolves with fn's result.
   */
  async withLock<T>(
    key: string,
    fn: (context: LockContext) => T | Promise<T>,
    options: WithLockOptions = {},
  ): Promise<T> {
    const { ttl, token } = await this.settled(
      async () => {
        assertKey(key);
        if (typeof fn !== "function")
          throw new CacheError(CacheErrorCodes.INVALID_OPTIONS, "withLock needs a function to run");
        const checked = plainOptions(options, LOCK_OPTIONS, "withLock options");
        const ttl = optionalDuration(ownField(checked, "expireTimeMS"), "options.expireTimeMS") ?? this.lockDuration;
        const retry =
          ownField(checked, "retry") === undefined ? ttl : retryBudget(ownField(checked, "retry"), "options.retry");
        const token = await this.acquire(key, ttl, retry);
        if (token === 0) {
          throw new CacheError(
            CacheErrorCodes.LOCK_TIMEOUT,
            `could not take the lock on ${JSON.stringify(key)} within ${retry} ms`,
            { key },
          );
        }
        return { ttl, token };
      },
      "withLock",
      key,
    );
    return holdLock({ store: this.calls, lostHolds: this.shared.lostHolds, key, owner: this.owner, ttl, token }, fn);
  }

  /**
   * Releases this server's lock on `key`, whichever of its requests took it (unlock is per server, as in
   * actionhero). Resolves false when there was none or it is another owner's (which stays).
   */
  unlock(key: string, next?: Callback<boolean>): Promise<boolean>;
  unlock(...input: unknown[]): Promise<boolean> {
    return this.run(input, 1, async ([key]) => {
      assertKey(key);
      return this.calls.unlock(key, this.owner, null);
    });
  }

  /**
   * Sets the TTL of a lock this server holds to `expireTimeMS` from now (default lockDuration). Resolves true
   * while this server holds the lock, false (and nothing changes) when it is free or another owner's.
   */
  extendLock(key: string, next?: Callback<boolean>): Promise<boolean>;
  extendLock(key: string, expireTimeMS?: number | null, next?: Callback<boolean>): Promise<boolean>;
  extendLock(...input: unknown[]): Promise<boolean> {
    return this.run(
      input,
      1,
      async ([key, expireTimeMS]) => {
        assertKey(key);
        const ttl = optionalDuration(expireTimeMS, "expireTimeMS") ?? this.lockDuration;
        return this.calls.extend(key, this.owner, ttl, null);
      },
      "extendLock",
    );
  }

  /**
   * Resolves true when no other owner holds the lock (it is free, or this server's), false when another owner
   * does: whether this server may read and write the key. With `retry` ms, keeps waiting that long for the lock to
   * clear before answering false; `false`, like null, means no retry, as actionhero's signature allows.
   */
  checkLock(key: string, next?: Callback<boolean>): Promise<boolean>;
  checkLock(key: string, retry?: number | null | false, next?: Callback<boolean>): Promise<boolean>;
  checkLock(...input: unknown[]): Promise<boolean> {
    return this.run(
      input,
      1,
      async ([key, retry]) => {
        assertKey(key);
        const budget = retryBudget(retry === false ? null : retry, "retry");
        return this.whileLocked(
          key,
          budget,
          () => this.calls.checkLock(key, this.owner),
          (free) => !free,
        );
      },
      "checkLock",
    );
  }

  /**
   * The user keys currently locked in this namespace, by any owner, optionally only those starting with
   * `scopePrefix`. With `{ details: true }`, resolves `{ key, owner, ttl }` for each lock instead, `ttl` being the
   * remaining ms.
   */
  locks(next?: Callback<string[]>): Promise<string[]>;
  locks(options: { details: true }, next?: Callback<LockDetails[]>): Promise<LockDetails[]>;
  locks(options?: { details?: false } | null, next?: Callback<string[]>): Promise<string[]>;
  locks(scopePrefix: string | null, next?: Callback<string[]>): Promise<string[]>;
  locks(scopePrefix: string | null, options: { details: true }, next?: Callback<LockDetails[]>): Promise<LockDetails[]>;
  locks(
    scopePrefix?: string | null,
    options?: { details?: false } | null,
    next?: Callback<string[]>,
  ): Promise<string[]>;
  locks(...input: unknown[]): Promise<string[] | LockDetails[]> {
    return this.run<string[] | LockDetails[]>(input, 0, async ([first, second]) => {
      const { scope, options } = scopeAndOptions(first, second, LOCKS_OPTIONS, "locks");
      return flag(options, "details") ? this.calls.lockDetails(scope) : this.calls.locks(scope);
    });
  }
}
