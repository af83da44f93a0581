import calculateSlot from "cluster-key-slot";
import type { Cluster } from "ioredis";
import { ScriptReply, ScriptStatus } from "../commands/replies";
import type {
  BatchLoadOutcome,
  BatchSaveEntry,
  BatchWriteOutcome,
  DumpEntry,
  LoadOutcome,
  RestoreOutcome,
} from "../types/store";
import type { CommandClient } from "./redis-store-base";
import type { RedisKeyLayout } from "./redis-keys";
import {
  decodeReply,
  readOutcome,
  encodeStoredObject,
  flag,
  foreignValue,
  toCacheError,
  ttlArgument,
  writesRefused,
} from "./redis-replies";

export interface RedisBatchesContext {
  client: CommandClient;
  /** The client, for sending one command now (the store's commands(): it joins this tick's socket write). */
  commands: () => CommandClient;
  layout: RedisKeyLayout;
  endpoint: () => string;
  lastConnectionError: () => string | undefined;
  /** The store's own call(): awaits an operation, turning Redis errors into CacheErrors. */
  call: <T>(operation: Promise<T>) => Promise<T>;
  /** The single-key read that writes nothing, for a group whose batch read Redis refused (full, or a replica). */
  loadReadOnly: (key: string, owner: string) => Promise<LoadOutcome>;
}

/** The positions of the keys that share one hash slot, so one script can serve them all. */
type Group = number[];

/**
 * The Redis store's multi-key operations. loadMany, saveMany and destroyMany: one script per hash slot. On one Redis every key is in one group; on a
 * Cluster (every user key is its own hash tag) the keys are grouped by slot and the groups run in parallel. restore: a dump's batch of entries, one script each, sent at once.
 */
export class RedisBatches {
  constructor(private readonly context: RedisBatchesContext) {}

  private groups(keys: string[]): Group[] {
    const positions = keys.map((_, index) => index);
    if (!(this.context.client as Cluster).isCluster) return keys.length === 0 ? [] : [positions];
    const bySlot = new Map<number, Group>();
    for (const index of positions) {
      const slot = calculateSlot(this.context.layout.objectKey(keys[index]));
      bySlot.set(slot, [...(bySlot.get(slot) ?? []), index]);
    }
    return [...bySlot.values()];
  }

  async loadMany(keys: string[], owner: string, ttlMs: number | null): Promise<BatchLoadOutcome[]> {
    const outcomes: BatchLoadOutcome[] = new Array<BatchLoadOutcome>(keys.length);
    await Promise.all(
      this.groups(keys).map(async (group) => {
        const found = await this.loadGroup(
          group.map((index) => keys[index]),
          owner,
          ttlMs,
        );
        group.forEach((index, position) => (outcomes[index] = found[position]));
      }),
    );
    return outcomes;
  }

  private async loadGroup(keys: string[], owner: string, ttlMs: number | null): Promise<BatchLoadOutcome[]> {
    const { commands, layout } = this.context;
    const keyArgs: string[] = [];
    for (const key of keys) keyArgs.push(layout.objectKey(key), layout.lockKey(key));
    let reply: ScriptReply;
    try {
      reply = await commands().ahCacheLoadMany(keyArgs.length, ...keyArgs, owner, ttlArgument(ttlMs));
    } catch (error) {
      if (!writesRefused(error)) throw toCacheError(error, this.context.endpoint(), this.context.lastConnectionError());
      return Promise.all(keys.map((key) => this.context.loadReadOnly(key, owner)));
    }
    decodeReply(layout, keys[0], reply, ScriptStatus.OK);
    return keys.map((key, index) => {
      const at = 1 + 3 * index;
      if (reply[at] === ScriptStatus.FOREIGN) return { status: "error", error: foreignValue(layout, key) };
      return readOutcome(reply, at);
    });
  }

  async saveMany(entries: BatchSaveEntry[], owner: string, requireLock: boolean): Promise<BatchWriteOutcome> {
    const { layout } = this.context;
    return this.writeGroups(
      entries.map((entry) => entry.key),
      (group) => {
        const keyArgs = group.flatMap((index) => [
          layout.objectKey(entries[index].key),
          layout.lockKey(entries[index].key),
        ]);
        const valueArgs = group.flatMap((index) => {
          const { json, ttlMs } = entries[index];
          return [json, ttlArgument(ttlMs)];
        });
        return this.context
          .commands()
          .ahCacheSaveMany(keyArgs.length, ...keyArgs, owner, flag(requireLock), ...valueArgs);
      },
    );
  }

  async destroyMany(keys: string[], owner: string, requireLock: boolean): Promise<BatchWriteOutcome> {
    const { layout } = this.context;
    return this.writeGroups(keys, (group) => {
      const keyArgs = group.flatMap((index) => [
        layout.objectKey(keys[index]),
        layout.listKey(keys[index]),
        layout.lockKey(keys[index]),
      ]);
      return this.context.commands().ahCacheDestroyMany(keyArgs.length, ...keyArgs, owner, flag(requireLock));
    });
  }

  /** Runs one write script per group; reports the first refused key, and how many keys the other groups wrote. */
  private async writeGroups(
    keys: string[],
    script: (group: Group) => Promise<ScriptReply>,
  ): Promise<BatchWriteOutcome> {
    let existed = 0;
    let writtenKeys = 0;
    let refused: { status: "locked" | "not-holder"; key: string } | undefined;
    await Promise.all(
      this.groups(keys).map(async (group) => {
        const reply = await this.context.call(script(group));
        const [status, detail] = decodeReply(
          this.context.layout,
          keys[group[0]],
          reply,
          ScriptStatus.OK,
          ScriptStatus.LOCKED,
          ScriptStatus.NOT_HOLDER,
        );
        if (status === ScriptStatus.OK) {
          existed += Number(detail ?? 0);
          writtenKeys += group.length;
          return;
        }
        const key = keys[group[Number(detail) - 1]];
        refused ??= { status: status === ScriptStatus.LOCKED ? "locked" : "not-holder", key };
      }),
    );
    return refused ? { ...refused, writtenKeys } : { status: "done", existed };
  }

  /**
   * Sends the batch's restore scripts all at once (the Cache bounds the batch). ioredis writes them back to back
   * on the connection (or to each key's node on a cluster), so this is pipelined without a pipeline object that
   * would have to stay within one slot.
   */
  async restore(entries: DumpEntry[], owner: string): Promise<RestoreOutcome[]> {
    const replies = await this.context.call(Promise.all(entries.map((entry) => this.restoreOne(entry, owner))));
    return replies.map((reply, index) => {
      const [status] = decodeReply(
        this.context.layout,
        entries[index].key,
        reply,
        ScriptStatus.OK,
        ScriptStatus.EXPIRED,
        ScriptStatus.LOCKED,
      );
      return status === ScriptStatus.OK ? "restored" : status === ScriptStatus.EXPIRED ? "expired" : "locked";
    });
  }

  private restoreOne(entry: DumpEntry, owner: string): Promise<ScriptReply> {
    const lockKey = this.context.layout.lockKey(entry.key);
    if (entry.type === "list")
      return this.context
        .commands()
        .ahCacheRestoreList(
          this.context.layout.listKey(entry.key),
          lockKey,
          owner,
          entry.append ? "1" : "",
          ...entry.items,
        );
    const expire = entry.expireTimestamp === null ? "" : String(entry.expireTimestamp);
    return this.context
      .commands()
      .ahCacheRestoreObject(
        this.context.layout.objectKey(entry.key),
        lockKey,
        owner,
        encodeStoredObject(entry),
        expire,
      );
  }
}
