import { ScriptReply, ScriptStatus } from "../commands/replies";
import type {
  BatchLoadOutcome,
  BatchSaveEntry,
  BatchWriteOutcome,
  CacheStore,
  DestroyOutcome,
  HasOutcome,
  DumpEntry,
  ListLengthOutcome,
  LoadOrLockOutcome,
  LoadOutcome,
  PopOutcome,
  PushOutcome,
  RestoreOutcome,
  SaveOutcome,
} from "../types/store";
import {
  READ_STATUSES,
  WRITE_STATUSES,
  decodeReply,
  decodeStoredObject,
  flag,
  readOutcome,
  refusal,
  toCacheError,
  tokenArgument,
  ttlArgument,
  writesRefused,
} from "./redis-replies";
import { RedisBatches } from "./redis-batches";
import { RedisStoreBase, type RedisStoreOptions } from "./redis-store-base";

export { LOCK_FALLBACK_POLL_MS } from "./redis-releases";
export { toCacheError } from "./redis-replies";
export { DEFAULT_LOCK_PREFIX, DEFAULT_PREFIX, DEFAULT_SCAN_COUNT } from "./redis-store-base";
export type { RedisStoreOptions } from "./redis-store-base";

/** Redis (or Redis Cluster) through ioredis: every operation is one Lua script, so one round trip. */
export class RedisStore extends RedisStoreBase implements CacheStore {
  private readonly batches: RedisBatches;

  constructor(options: RedisStoreOptions) {
    super(options);
    this.batches = new RedisBatches({
      client: this.client,
      commands: () => this.commands(),
      layout: this.layout,
      endpoint: () => this.endpoint,
      lastConnectionError: () => this.lastConnectionError,
      call: (operation) => this.call(operation),
      loadReadOnly: (key, owner) => this.loadReadOnly(key, owner),
    });
  }

  loadMany(keys: string[], owner: string, ttlMs: number | null): Promise<BatchLoadOutcome[]> {
    return this.batches.loadMany(keys, owner, ttlMs);
  }

  saveMany(entries: BatchSaveEntry[], owner: string, requireLock: boolean): Promise<BatchWriteOutcome> {
    return this.batches.saveMany(entries, owner, requireLock);
  }

  destroyMany(keys: string[], owner: string, requireLock: boolean): Promise<BatchWriteOutcome> {
    return this.batches.destroyMany(keys, owner, requireLock);
  }

  async save(
    key: string,
    owner: string,
    json: string,
    ttlMs: number | null,
    requireLock: boolean,
  ): Promise<SaveOutcome> {
    const { layout } = this;
    const [status] = await this.script(
      key,
      this.commands().ahCacheSave(
        layout.objectKey(key),
        layout.lockKey(key),
        owner,
        json,
        ttlArgument(ttlMs),
        flag(requireLock),
      ),
      ...WRITE_STATUSES,
    );
    return refusal(status) ?? "saved";
  }

  /**
   * Reads and records the read. When Redis refuses writes (OOM, READONLY), the value is still answered by a
   * script that writes nothing: readAt is then not recorded and no sliding TTL is applied (`readOnly: true`).
   */
  async load(key: string, owner: string, ttlMs: number | null): Promise<LoadOutcome> {
    const { layout } = this;
    let reply: ScriptReply;
    try {
      reply = await this.commands().ahCacheLoad(layout.objectKey(key), layout.lockKey(key), owner, ttlArgument(ttlMs));
    } catch (error) {
      if (!writesRefused(error)) throw toCacheError(error, this.endpoint, this.lastConnectionError);
      return this.loadReadOnly(key, owner);
    }
    return readOutcome(decodeReply(this.layout, key, reply, ...READ_STATUSES));
  }

  peek(key: string, owner: string): Promise<LoadOutcome> {
    return this.loadReadOnly(key, owner, false);
  }

  async has(key: string, owner: string): Promise<HasOutcome> {
    const [status] = await this.script(
      key,
      this.commands().ahCacheHas(this.layout.objectKey(key), this.layout.lockKey(key), owner),
      ...READ_STATUSES,
    );
    if (status === ScriptStatus.LOCKED) return "locked";
    return status === ScriptStatus.OK ? "found" : "missing";
  }

  /** `fallback`: load's answer while Redis refuses writes, marked readOnly; otherwise get()'s plain read. */
  private async loadReadOnly(key: string, owner: string, fallback = true): Promise<LoadOutcome> {
    const reply = await this.script(
      key,
      this.commands().ahCacheLoadReadOnly(this.layout.objectKey(key), this.layout.lockKey(key), owner),
      ...READ_STATUSES,
    );
    const outcome = readOutcome(reply);
    return outcome.status === "ok" && fallback ? { ...outcome, readOnly: true } : outcome;
  }

  async loadOrLock(key: string, owner: string, lockTtlMs: number): Promise<LoadOrLockOutcome> {
    const { layout } = this;
    let reply: ScriptReply;
    try {
      reply = await this.commands().ahCacheLoadOrLock(
        layout.objectKey(key),
        layout.lockKey(key),
        layout.fenceKey(key),
        owner,
        String(lockTtlMs),
      );
    } catch (error) {
      if (!writesRefused(error)) throw toCacheError(error, this.endpoint, this.lastConnectionError);
      // A hit is still answered; a miss cannot take the lock while writes are refused, so it fails as it did.
      const found = await this.loadReadOnly(key, owner);
      if (found.status === "missing") throw toCacheError(error, this.endpoint, this.lastConnectionError);
      return found;
    }
    const [status, payload] = decodeReply(
      this.layout,
      key,
      reply,
      ScriptStatus.OK,
      ScriptStatus.ACQUIRED,
      ScriptStatus.LOCKED,
    );
    if (status === ScriptStatus.ACQUIRED) return { status: "acquired", token: payload as number };
    return status === ScriptStatus.LOCKED
      ? { status: "locked" }
      : { status: "ok", object: decodeStoredObject(payload as string) };
  }

  async destroy(key: string, owner: string, requireLock: boolean): Promise<DestroyOutcome> {
    const { layout } = this;
    const [status] = await this.script(
      key,
      this.commands().ahCacheDestroy(
        layout.objectKey(key),
        layout.listKey(key),
        layout.lockKey(key),
        owner,
        flag(requireLock),
      ),
      ...WRITE_STATUSES,
      ScriptStatus.MISSING,
    );
    return refusal(status) ?? (status === ScriptStatus.OK ? "destroyed" : "missing");
  }

  async lock(key: string, owner: string, ttlMs: number): Promise<number> {
    const [status, token] = await this.script(
      key,
      this.commands().ahCacheLock(this.layout.lockKey(key), this.layout.fenceKey(key), owner, String(ttlMs)),
      ScriptStatus.ACQUIRED,
      ScriptStatus.LOCKED,
    );
    return status === ScriptStatus.ACQUIRED ? (token as number) : 0;
  }

  async extend(key: string, owner: string, ttlMs: number, token: number | null): Promise<boolean> {
    const { layout } = this;
    const [status] = await this.script(
      key,
      this.commands().ahCacheExtend(
        layout.lockKey(key),
        layout.fenceKey(key),
        owner,
        String(ttlMs),
        tokenArgument(token),
      ),
      ScriptStatus.OK,
      ScriptStatus.NOT_HOLDER,
    );
    return status === ScriptStatus.OK;
  }

  async unlock(key: string, owner: string, token: number | null): Promise<boolean> {
    const { layout } = this;
    const lockKey = layout.lockKey(key);
    const [status] = await this.script(
      key,
      this.commands().ahCacheUnlock(
        lockKey,
        layout.fenceKey(key),
        layout.waitingKey(key),
        owner,
        layout.releaseChannel(),
        tokenArgument(token),
      ),
      ScriptStatus.OK,
      ScriptStatus.NOT_HOLDER,
    );
    // Waiters in this process wake now, without the pub/sub round trip; other servers wake on the published message.
    if (status === ScriptStatus.OK) this.listener.released(lockKey);
    return status === ScriptStatus.OK;
  }

  async checkLock(key: string, owner: string): Promise<boolean> {
    const [status] = await this.script(
      key,
      this.commands().ahCacheCheckLock(this.layout.lockKey(key), owner),
      ScriptStatus.OK,
      ScriptStatus.LOCKED,
    );
    return status === ScriptStatus.OK;
  }

  async push(key: string, owner: string, json: string, requireLock: boolean): Promise<PushOutcome> {
    const [status, length] = await this.script(
      key,
      this.commands().ahCachePush(this.layout.listKey(key), this.layout.lockKey(key), owner, json, flag(requireLock)),
      ...WRITE_STATUSES,
    );
    const refused = refusal(status);
    return refused ? { status: refused } : { status: "pushed", length: length as number };
  }

  async pop(key: string, owner: string, requireLock: boolean): Promise<PopOutcome> {
    const [status, item] = await this.script(
      key,
      this.commands().ahCachePop(this.layout.listKey(key), this.layout.lockKey(key), owner, flag(requireLock)),
      ...WRITE_STATUSES,
      ScriptStatus.MISSING,
    );
    const refused = refusal(status);
    if (refused) return { status: refused };
    return status === ScriptStatus.OK ? { status: "popped", json: item as string } : { status: "empty" };
  }

  async listLength(key: string, owner: string): Promise<ListLengthOutcome> {
    const [status, length] = await this.script(
      key,
      this.commands().ahCacheListLength(this.layout.listKey(key), this.layout.lockKey(key), owner),
      ScriptStatus.OK,
      ScriptStatus.LOCKED,
    );
    return status === ScriptStatus.LOCKED ? { status: "locked" } : { status: "ok", length: length as number };
  }

  /** A dump's batch of entries, each restored by its own script, all sent at once (see RedisBatches). */
  restore(entries: DumpEntry[], owner: string): Promise<RestoreOutcome[]> {
    return this.batches.restore(entries, owner);
  }
}
