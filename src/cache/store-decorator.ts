import type { CacheError } from "./errors";
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
 * A store in front of another that passes every call through: a decorator (NearStore) extends it and overrides
 * only the calls it changes.
 */
export class StoreDecorator implements CacheStore {
  readonly kind: StoreKind;

  constructor(protected readonly inner: CacheStore) {
    this.kind = inner.kind;
  }

  watchConnection(lost: (error: CacheError) => void): () => void {
    return this.inner.watchConnection(lost);
  }

  save(key: string, owner: string, json: string, ttlMs: number | null, requireLock: boolean): Promise<SaveOutcome> {
    return this.inner.save(key, owner, json, ttlMs, requireLock);
  }

  load(key: string, owner: string, ttlMs: number | null): Promise<LoadOutcome> {
    return this.inner.load(key, owner, ttlMs);
  }

  loadOrLock(key: string, owner: string, lockTtlMs: number): Promise<LoadOrLockOutcome> {
    return this.inner.loadOrLock(key, owner, lockTtlMs);
  }

  destroy(key: string, owner: string, requireLock: boolean): Promise<DestroyOutcome> {
    return this.inner.destroy(key, owner, requireLock);
  }

  peek(key: string, owner: string): Promise<LoadOutcome> {
    return this.inner.peek(key, owner);
  }

  has(key: string, owner: string): Promise<HasOutcome> {
    return this.inner.has(key, owner);
  }

  loadMany(keys: string[], owner: string, ttlMs: number | null): Promise<BatchLoadOutcome[]> {
    return this.inner.loadMany(keys, owner, ttlMs);
  }

  saveMany(entries: BatchSaveEntry[], owner: string, requireLock: boolean): Promise<BatchWriteOutcome> {
    return this.inner.saveMany(entries, owner, requireLock);
  }

  destroyMany(keys: string[], owner: string, requireLock: boolean): Promise<BatchWriteOutcome> {
    return this.inner.destroyMany(keys, owner, requireLock);
  }

  lock(key: string, owner: string, ttlMs: number): Promise<number> {
    return this.inner.lock(key, owner, ttlMs);
  }

  restore(entries: DumpEntry[], owner: string): Promise<RestoreOutcome[]> {
    return this.inner.restore(entries, owner);
  }

  clear(scopePrefix: string, locks: boolean): Promise<number> {
    return this.inner.clear(scopePrefix, locks);
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
