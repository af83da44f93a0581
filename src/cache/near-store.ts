import type { NearCache, ReadTicket } from "./near-cache";
import type {
  BatchLoadOutcome,
  BatchSaveEntry,
  BatchWriteOutcome,
  CacheStore,
  ChangeListener,
  DestroyOutcome,
  DumpEntry,
  HasOutcome,
  ListLengthOutcome,
  LoadOrLockOutcome,
  LoadOutcome,
  LockDetails,
  PopOutcome,
  PushOutcome,
  RestoreOutcome,
  SaveOutcome,
  StoreKind,
  UnlockSignal,
} from "./types/store";

/**
 * A store seen through a near cache: reads keep what they answer (unless the key changed while they were in
 * flight), and this process's own writes and lock acquisitions forget the key locally before they are sent and
 * after they settle, so they show at once, without waiting for Redis's invalidation. Everything else passes through.
 */
export class NearStore implements CacheStore {
  readonly kind: StoreKind;

  constructor(
    private readonly inner: CacheStore,
    private readonly near: NearCache,
  ) {
    this.kind = inner.kind;
  }

  private async read<O>(
    key: string,
    owner: string,
    operation: () => Promise<O>,
    keep: (outcome: O) => Kept,
  ): Promise<O> {
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
    if (kept === undefined) this.near.endRead(ticket);
    else this.near.fill(ticket, owner, kept.json, kept.expireTimestamp);
  }

  private async write<O>(keys: string[], operation: () => Promise<O>): Promise<O> {
    for (const key of keys) this.near.forget(key);
    try {
      return await operation();
    } finally {
      for (const key of keys) this.near.forget(key);
    }
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
    const outcome = await this.write([key], () => this.inner.save(key, owner, json, ttlMs, requireLock));
    if (outcome === "saved") this.near.remember(key, owner, json, expireTimestamp);
    return outcome;
  }

  destroy(key: string, owner: string, requireLock: boolean): Promise<DestroyOutcome> {
    return this.write([key], () => this.inner.destroy(key, owner, requireLock));
  }

  saveMany(entries: BatchSaveEntry[], owner: string, requireLock: boolean): Promise<BatchWriteOutcome> {
    const keys = entries.map((entry) => entry.key);
    return this.write(keys, () => this.inner.saveMany(entries, owner, requireLock));
  }

  destroyMany(keys: string[], owner: string, requireLock: boolean): Promise<BatchWriteOutcome> {
    return this.write(keys, () => this.inner.destroyMany(keys, owner, requireLock));
  }

  lock(key: string, owner: string, ttlMs: number): Promise<number> {
    return this.write([key], () => this.inner.lock(key, owner, ttlMs));
  }

  restore(entries: DumpEntry[], owner: string): Promise<RestoreOutcome[]> {
    const keys = entries.map((entry) => entry.key);
    return this.write(keys, () => this.inner.restore(entries, owner));
  }

  async clear(scopePrefix: string, locks: boolean): Promise<number> {
    this.near.changedAll();
    try {
      return await this.inner.clear(scopePrefix, locks);
    } finally {
      this.near.changedAll();
    }
  }

  extend(key: string, owner: string, ttlMs: number, token: number | null): Promise<boolean> {
    return this.inner.extend(key, owner, ttlMs, token);
  }

  unlock(key: string, owner: string, token: number | null): Promise<boolean> {
    return this.inner.unlock(key, owner, token);
  }

  checkLock(key: string, owner: string): Promise<boolean> {
    return this.inner.checkLock(key, owner);
  }

  push(key: string, owner: string, json: string, requireLock: boolean): Promise<PushOutcome> {
    return this.inner.push(key, owner, json, requireLock);
  }

  pop(key: string, owner: string, requireLock: boolean): Promise<PopOutcome> {
    return this.inner.pop(key, owner, requireLock);
  }

  listLength(key: string, owner: string): Promise<ListLengthOutcome> {
    return this.inner.listLength(key, owner);
  }

  entries(): AsyncIterable<DumpEntry[]> {
    return this.inner.entries();
  }

  locks(scopePrefix: string): Promise<string[]> {
    return this.inner.locks(scopePrefix);
  }

  keys(scopePrefix: string): Promise<string[]> {
    return this.inner.keys(scopePrefix);
  }

  size(scopePrefix: string): Promise<number> {
    return this.inner.size(scopePrefix);
  }

  lockDetails(scopePrefix: string): Promise<LockDetails[]> {
    return this.inner.lockDetails(scopePrefix);
  }

  listenForUnlock(key: string): Promise<UnlockSignal> {
    return this.inner.listenForUnlock(key);
  }

  watchChanges(listener: ChangeListener): () => void {
    return this.inner.watchChanges(listener);
  }

  clock(): number {
    return this.inner.clock();
  }

  get connection(): string {
    return this.inner.connection;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** What a read leaves to keep: a value (json null: none), or undefined for nothing (locked, failed). */
type Kept = { json: string | null; expireTimestamp: number | null } | undefined;

const NO_VALUE: Kept = { json: null, expireTimestamp: null };

/** A read's value to keep: the object, or "no value" for a miss; nothing for a lock (LOCKED, or one just taken). */
function loaded(outcome: LoadOutcome | LoadOrLockOutcome): Kept {
  if (outcome.status === "ok") return { json: outcome.object.json, expireTimestamp: outcome.object.expireTimestamp };
  return outcome.status === "missing" ? NO_VALUE : undefined;
}
