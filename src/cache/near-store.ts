import type { NearCache, ReadTicket } from "./near-cache";
import { StoreDecorator } from "./store-decorator";
import type {
  BatchLoadOutcome,
  BatchSaveEntry,
  BatchWriteOutcome,
  CacheStore,
  DestroyOutcome,
  DumpEntry,
  HasOutcome,
  LoadOrLockOutcome,
  LoadOutcome,
  RestoreOutcome,
  SaveOutcome,
} from "./types/store";

/**
 * A store seen through a near cache: reads keep what they answer (unless the key changed while they were in
 * flight), and this process's own writes and lock acquisitions forget the key locally before they are sent and
 * after they settle, so they show at once, without waiting for Redis's invalidation. A settled write leaves what
 * it made the key (a value, or none); a write that failed leaves nothing, since it may or may not have happened.
 * Everything else passes through.
 *
 * With `adopt` false (grace copies, near cache off) only keys that already have a copy are updated: the calls that
 * pass `grace` go through another NearStore over the same copies, with `adopt` true.
 */
export class NearStore extends StoreDecorator {
  constructor(
    inner: CacheStore,
    private readonly near: NearCache,
    private readonly adopt = true,
  ) {
    super(inner);
  }

  /** Whether this store keeps a copy of `key` up to date: every key, or (grace copies) those that have one. */
  private keeps(key: string): boolean {
    return this.adopt || this.near.keeps(key);
  }

  /** Forgets `keys` locally, unless none is kept: the grace copies' store adds nothing to calls of other keys. */
  private forget(keys: string[]): void {
    if (this.adopt || keys.some((key) => this.near.keeps(key))) for (const key of keys) this.near.forget(key);
  }

  private async read<O>(
    key: string,
    owner: string,
    operation: () => Promise<O>,
    keep: (outcome: O) => Kept,
  ): Promise<O> {
    if (!this.keeps(key)) return operation();
    const ticket = this.near.beginRead(key);
    let outcome: O;
    try {
      outcome = await operation();
    } catch (error) {
      this.near.endRead(ticket);
      throw error;
    }
    this.keep(ticket, owner, keep(outcome));
    return outcome;
  }

  private keep(ticket: ReadTicket, owner: string, kept: Kept): void {
    if (kept === undefined || !this.keeps(ticket.key)) this.near.endRead(ticket);
    else this.near.fill(ticket, owner, kept.json, kept.expireTimestamp);
  }

  /** A lock taken: the value is unchanged, but other owners' copies must not read through the lock. */
  private async fenced<O>(key: string, operation: () => Promise<O>): Promise<O> {
    this.forget([key]);
    try {
      return await operation();
    } finally {
      this.forget([key]);
    }
  }

  /** A write of `keys`; `settled` records what it made of them. */
  private async write<O>(keys: string[], operation: () => Promise<O>, settled: (outcome: O) => void): Promise<O> {
    this.forget(keys);
    let outcome: O;
    try {
      outcome = await operation();
    } catch (error) {
      for (const key of keys) this.near.unknown(key);
      throw error;
    }
    this.forget(keys);
    settled(outcome);
    return outcome;
  }

  private removed(keys: string[], owner: string): void {
    for (const key of keys) if (this.keeps(key)) this.near.removed(key, owner);
  }

  private remember(key: string, owner: string, json: string, expireTimestamp: number | null): void {
    if (this.keeps(key)) this.near.remember(key, owner, json, expireTimestamp);
  }

  load(key: string, owner: string, ttlMs: number | null): Promise<LoadOutcome> {
    return this.read(key, owner, () => this.inner.load(key, owner, ttlMs), loaded);
  }

  peek(key: string, owner: string): Promise<LoadOutcome> {
    return this.read(key, owner, () => this.inner.peek(key, owner), loaded);
  }

  has(key: string, owner: string): Promise<HasOutcome> {
    const has = () => this.inner.has(key, owner);
    return this.read(key, owner, has, (found) => (found === "missing" ? NO_VALUE : undefined));
  }

  async loadOrLock(key: string, owner: string, lockTtlMs: number): Promise<LoadOrLockOutcome> {
    const outcome = await this.read(key, owner, () => this.inner.loadOrLock(key, owner, lockTtlMs), loaded);
    // A lock this owner took: other owners' copies must not read through it.
    if (outcome.status === "acquired") this.near.forget(key);
    return outcome;
  }

  async loadMany(keys: string[], owner: string, ttlMs: number | null): Promise<BatchLoadOutcome[]> {
    if (!this.adopt && !keys.some((key) => this.near.keeps(key))) return this.inner.loadMany(keys, owner, ttlMs);
    const tickets = keys.map((key) => this.near.beginRead(key));
    let outcomes: BatchLoadOutcome[];
    try {
      outcomes = await this.inner.loadMany(keys, owner, ttlMs);
    } catch (error) {
      for (const ticket of tickets) this.near.endRead(ticket);
      throw error;
    }
    outcomes.forEach((outcome, index) => {
      this.keep(tickets[index], owner, outcome.status === "error" ? undefined : loaded(outcome));
    });
    return outcomes;
  }

  async save(
    key: string,
    owner: string,
    json: string,
    ttlMs: number | null,
    requireLock: boolean,
  ): Promise<SaveOutcome> {
    const expireTimestamp = ttlMs === null ? null : this.inner.clock() + ttlMs;
    return this.write(
      [key],
      () => this.inner.save(key, owner, json, ttlMs, requireLock),
      (outcome) => outcome === "saved" && this.remember(key, owner, json, expireTimestamp),
    );
  }

  destroy(key: string, owner: string, requireLock: boolean): Promise<DestroyOutcome> {
    return this.write(
      [key],
      () => this.inner.destroy(key, owner, requireLock),
      (outcome) => (outcome === "destroyed" || outcome === "missing") && this.removed([key], owner),
    );
  }

  saveMany(entries: BatchSaveEntry[], owner: string, requireLock: boolean): Promise<BatchWriteOutcome> {
    const keys = entries.map((entry) => entry.key);
    const now = this.inner.clock();
    return this.write(
      keys,
      () => this.inner.saveMany(entries, owner, requireLock),
      (outcome) => {
        // A refused batch may still have written other slot groups (a Cluster): nothing is known of its keys.
        if (outcome.status !== "done") for (const key of keys) this.near.unknown(key);
        else
          for (const { key, json, ttlMs } of entries)
            this.remember(key, owner, json, ttlMs === null ? null : now + ttlMs);
      },
    );
  }

  destroyMany(keys: string[], owner: string, requireLock: boolean): Promise<BatchWriteOutcome> {
    return this.write(
      keys,
      () => this.inner.destroyMany(keys, owner, requireLock),
      (outcome) => {
        if (outcome.status === "done") this.removed(keys, owner);
        else for (const key of keys) this.near.unknown(key);
      },
    );
  }

  lock(key: string, owner: string, ttlMs: number): Promise<number> {
    return this.fenced(key, () => this.inner.lock(key, owner, ttlMs));
  }

  /** Restored entries carry their own metadata: their copies go, and the next read brings them. */
  restore(entries: DumpEntry[], owner: string): Promise<RestoreOutcome[]> {
    const keys = entries.map((entry) => entry.key);
    return this.write(
      keys,
      () => this.inner.restore(entries, owner),
      () => keys.forEach((key) => this.near.unknown(key)),
    );
  }

  async clear(scopePrefix: string, locks: boolean): Promise<number> {
    this.near.changedAll();
    let succeeded = false;
    try {
      const removed = await this.inner.clear(scopePrefix, locks);
      succeeded = true;
      return removed;
    } finally {
      // A failed clear may have removed some keys: then nothing is known of the scope's keys, not even for grace.
      this.near.cleared(scopePrefix, succeeded);
    }
  }
}

/** What a read leaves to keep: a value (json null: none), or undefined for nothing (locked, failed). */
type Kept = { json: string | null; expireTimestamp: number | null } | undefined;

const NO_VALUE: Kept = { json: null, expireTimestamp: null };

/**
 * A read's value to keep: the object, or "no value" for a miss or a lock taken because there was none (fetch);
 * nothing for LOCKED, which says nothing of the value.
 */
function loaded(outcome: LoadOutcome | LoadOrLockOutcome): Kept {
  if (outcome.status === "ok") return { json: outcome.object.json, expireTimestamp: outcome.object.expireTimestamp };
  return outcome.status === "locked" ? undefined : NO_VALUE;
}
