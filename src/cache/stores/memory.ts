import type {
  BatchLoadOutcome,
  BatchSaveEntry,
  BatchWriteOutcome,
  CacheStore,
  DestroyOutcome,
  HasOutcome,
  ListLengthOutcome,
  LoadOrLockOutcome,
  LoadOutcome,
  PopOutcome,
  PushOutcome,
  SaveOutcome,
} from "../types/store";
import { ItemQueue } from "./memory-list";
import { MemoryStoreBase } from "./memory-store-base";

export { DEFAULT_SWEEP_INTERVAL_MS } from "./memory-store-base";
export type { MemoryStoreOptions } from "./memory-store-base";

/**
 * Keeps everything in this process: for development and single-process servers.
 * Values are kept as JSON text, so callers can never mutate what is cached.
 */
export class MemoryStore extends MemoryStoreBase implements CacheStore {
  async save(
    key: string,
    owner: string,
    json: string,
    ttlMs: number | null,
    requireLock: boolean,
  ): Promise<SaveOutcome> {
    const now = this.now();
    const refusal = this.writeRefusal(key, owner, requireLock, now);
    if (refusal) return refusal;
    this.put(key, json, ttlMs, now);
    return "saved";
  }

  /** A fresh object made at `now`: readAt cleared, and the expiry `ttlMs` from now (null: never). */
  private put(key: string, json: string, ttlMs: number | null, now: number): void {
    this.objects.set(key, { json, createdAt: now, readAt: null, expireTimestamp: ttlMs === null ? null : now + ttlMs });
  }

  /** Removes the key's object and list; true if either existed. */
  private remove(key: string, now: number): boolean {
    const hadObject = this.liveObject(key, now) !== undefined && this.objects.delete(key);
    const hadList = this.lists.delete(key);
    return hadObject || hadList;
  }

  /** The live object `owner` may read under the lock rules: "locked", the object, or undefined when missing. */
  private readable(key: string, owner: string, now: number) {
    if (this.lockTable.lockedByOther(key, owner, now)) return "locked" as const;
    return this.liveObject(key, now);
  }

  async load(key: string, owner: string, ttlMs: number | null): Promise<LoadOutcome> {
    return this.loadNow(key, owner, ttlMs, this.now());
  }

  async loadOrLock(key: string, owner: string, lockTtlMs: number): Promise<LoadOrLockOutcome> {
    // Both halves run synchronously, so nothing can happen between the miss and the lock, as in the Redis script.
    const now = this.now();
    const found = this.loadNow(key, owner, null, now);
    if (found.status !== "missing") return found;
    // No value, and this owner's own lock is held: another acquisition of this server is producing it, so wait.
    const token = this.lockTable.take(key, owner, lockTtlMs, now);
    return token === 0 ? { status: "locked" } : { status: "acquired", token };
  }

  private loadNow(key: string, owner: string, ttlMs: number | null, now: number): LoadOutcome {
    const object = this.readable(key, owner, now);
    if (object === "locked") return { status: "locked" };
    if (!object) return { status: "missing" };
    const previousReadAt = object.readAt;
    object.readAt = now;
    if (ttlMs !== null) {
      object.expireTimestamp = now + ttlMs;
      // A new expiry is a change of the object, as it is to Redis: copies elsewhere in the process must not outlive it.
      this.objects.set(key, object);
    }
    return {
      status: "ok",
      object: {
        json: object.json,
        createdAt: object.createdAt,
        readAt: previousReadAt,
        expireTimestamp: object.expireTimestamp,
      },
    };
  }

  async destroy(key: string, owner: string, requireLock: boolean): Promise<DestroyOutcome> {
    const now = this.now();
    const refusal = this.writeRefusal(key, owner, requireLock, now);
    if (refusal) return refusal;
    return this.remove(key, now) ? "destroyed" : "missing";
  }

  async peek(key: string, owner: string): Promise<LoadOutcome> {
    const object = this.readable(key, owner, this.now());
    if (object === "locked") return { status: "locked" };
    return object ? { status: "ok", object: { ...object } } : { status: "missing" };
  }

  async has(key: string, owner: string): Promise<HasOutcome> {
    const found = await this.peek(key, owner);
    return found.status === "ok" ? "found" : found.status;
  }

  async loadMany(keys: string[], owner: string, ttlMs: number | null): Promise<BatchLoadOutcome[]> {
    const now = this.now();
    return keys.map((key) => this.loadNow(key, owner, ttlMs, now));
  }

  /** All or nothing, like the Redis script: every lock is checked before anything is written. */
  async saveMany(entries: BatchSaveEntry[], owner: string, requireLock: boolean): Promise<BatchWriteOutcome> {
    const now = this.now();
    const refused = this.firstRefusal(
      entries.map((entry) => entry.key),
      owner,
      requireLock,
      now,
    );
    if (refused) return refused;
    for (const { key, json, ttlMs } of entries) this.put(key, json, ttlMs, now);
    return { status: "done", existed: 0 };
  }

  async destroyMany(keys: string[], owner: string, requireLock: boolean): Promise<BatchWriteOutcome> {
    const now = this.now();
    const refused = this.firstRefusal(keys, owner, requireLock, now);
    if (refused) return refused;
    let existed = 0;
    for (const key of keys) if (this.remove(key, now)) existed += 1;
    return { status: "done", existed };
  }

  private firstRefusal(keys: string[], owner: string, requireLock: boolean, now: number) {
    for (const key of keys) {
      const refusal = this.writeRefusal(key, owner, requireLock, now);
      if (refusal) return { status: refusal, key, writtenKeys: 0 } as const;
    }
    return undefined;
  }

  async lock(key: string, owner: string, ttlMs: number): Promise<number> {
    return this.lockTable.take(key, owner, ttlMs, this.now());
  }

  async extend(key: string, owner: string, ttlMs: number, token: number | null): Promise<boolean> {
    return this.lockTable.extend(key, owner, ttlMs, token, this.now());
  }

  async unlock(key: string, owner: string, token: number | null): Promise<boolean> {
    return this.lockTable.release(key, owner, token, this.now());
  }

  async checkLock(key: string, owner: string): Promise<boolean> {
    return !this.lockTable.lockedByOther(key, owner, this.now());
  }

  async push(key: string, owner: string, json: string, requireLock: boolean): Promise<PushOutcome> {
    const refusal = this.writeRefusal(key, owner, requireLock, this.now());
    if (refusal) return { status: refusal };
    let list = this.lists.get(key);
    if (!list) this.lists.set(key, (list = new ItemQueue()));
    return { status: "pushed", length: list.push(json) };
  }

  async pop(key: string, owner: string, requireLock: boolean): Promise<PopOutcome> {
    const refusal = this.writeRefusal(key, owner, requireLock, this.now());
    if (refusal) return { status: refusal };
    const list = this.lists.get(key);
    const item = list?.shift();
    // Like Redis, a list that becomes empty no longer exists.
    if (list && list.length === 0) this.lists.delete(key);
    return item === undefined ? { status: "empty" } : { status: "popped", json: item };
  }

  async listLength(key: string, owner: string): Promise<ListLengthOutcome> {
    if (this.lockTable.lockedByOther(key, owner, this.now())) return { status: "locked" };
    return { status: "ok", length: this.lists.get(key)?.length ?? 0 };
  }
}
