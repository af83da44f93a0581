import * as fs from "fs";
import * as path from "path";
import type { Cluster, Redis } from "ioredis";
import type { ScriptReply } from "./replies";

/**
 * Each Lua file is one atomic operation, named `<name>-<numberOfKeys>.lua`; `-n` marks a batch script whose caller
 * gives the number of keys as its first argument.
 */
export interface CommandDefinition {
  /** The name the command is registered under on the ioredis client. */
  name: string;
  /** null for a batch script: the caller passes the number of keys first. */
  numberOfKeys: number | null;
  lua: string;
}

const COMMANDS_DIR = __dirname;
const INCLUDE_PATTERN = /^--- @include "([\w/-]+)"\s*$/gm;
const FILE_PATTERN = /^([a-z-]+?)-(\d+|n)\.lua$/;

/** Prefixed so the commands never clash with other defineCommand users on a shared client. */
export const COMMAND_PREFIX = "ahCache";

function commandName(fileBase: string): string {
  return COMMAND_PREFIX + fileBase.replace(/(^|-)([a-z])/g, (_, __, letter: string) => letter.toUpperCase());
}

function resolveIncludes(lua: string, included: Set<string>): string {
  return lua.replace(INCLUDE_PATTERN, (_, includePath: string) => {
    if (included.has(includePath)) return "";
    included.add(includePath);
    const source = fs.readFileSync(path.join(COMMANDS_DIR, `${includePath}.lua`), "utf8");
    return resolveIncludes(source, included);
  });
}

let cached: CommandDefinition[] | undefined;

export function loadCommands(): CommandDefinition[] {
  if (cached) return cached;
  cached = fs
    .readdirSync(COMMANDS_DIR)
    .map((file) => FILE_PATTERN.exec(file))
    .filter((match): match is RegExpExecArray => match !== null)
    .map(([file, base, keys]) => ({
      name: commandName(base),
      numberOfKeys: keys === "n" ? null : Number(keys),
      lua: resolveIncludes(fs.readFileSync(path.join(COMMANDS_DIR, file), "utf8"), new Set()),
    }));
  const names = cached.map((command) => command.name);
  const repeated = names.find((name, index) => names.indexOf(name) !== index);
  if (repeated)
    throw new Error(`two Lua files define the command ${repeated} in ${COMMANDS_DIR}; remove the stale one`);
  return cached;
}

/** Registers every command; ioredis then sends EVALSHA and falls back to EVAL after a NOSCRIPT. */
export function defineCommands(client: Redis | Cluster): void {
  for (const command of loadCommands()) {
    if (typeof (client as unknown as Record<string, unknown>)[command.name] === "function") continue;
    client.defineCommand(command.name, { numberOfKeys: command.numberOfKeys ?? undefined, lua: command.lua });
  }
}

/** The commands as typed methods; names follow the Lua file names. Every one answers `[status, ...]`. */
export interface CacheCommands {
  ahCacheSave(
    objectKey: string,
    lockKey: string,
    owner: string,
    json: string,
    ttl: string,
    guarded: string,
  ): Promise<ScriptReply>;
  ahCacheLoad(objectKey: string, lockKey: string, owner: string, ttl: string): Promise<ScriptReply>;
  /** Batch scripts (`-n`): the number of keys, the keys, then the arguments. */
  ahCacheLoadMany(numberOfKeys: number, ...keysThenArgs: string[]): Promise<ScriptReply>;
  ahCacheSaveMany(numberOfKeys: number, ...keysThenArgs: string[]): Promise<ScriptReply>;
  ahCacheDestroyMany(numberOfKeys: number, ...keysThenArgs: string[]): Promise<ScriptReply>;
  ahCacheDestroy(
    objectKey: string,
    listKey: string,
    lockKey: string,
    owner: string,
    guarded: string,
  ): Promise<ScriptReply>;
  ahCacheLock(lockKey: string, fenceKey: string, owner: string, ttl: string): Promise<ScriptReply>;
  ahCacheLoadReadOnly(objectKey: string, lockKey: string, owner: string): Promise<ScriptReply>;
  ahCacheHas(objectKey: string, lockKey: string, owner: string): Promise<ScriptReply>;
  ahCacheLoadOrLock(
    objectKey: string,
    lockKey: string,
    fenceKey: string,
    owner: string,
    lockTtl: string,
  ): Promise<ScriptReply>;
  ahCacheExtend(lockKey: string, fenceKey: string, owner: string, ttl: string, token: string): Promise<ScriptReply>;
  ahCacheUnlock(
    lockKey: string,
    fenceKey: string,
    waitingKey: string,
    owner: string,
    channel: string,
    token: string,
  ): Promise<ScriptReply>;
  ahCacheCheckLock(lockKey: string, owner: string): Promise<ScriptReply>;
  ahCachePush(listKey: string, lockKey: string, owner: string, json: string, guarded: string): Promise<ScriptReply>;
  ahCachePop(listKey: string, lockKey: string, owner: string, guarded: string): Promise<ScriptReply>;
  ahCacheListLength(listKey: string, lockKey: string, owner: string): Promise<ScriptReply>;
  ahCacheRestoreObject(
    objectKey: string,
    lockKey: string,
    owner: string,
    stored: string,
    expireTimestamp: string,
  ): Promise<ScriptReply>;
  ahCacheRestoreList(
    listKey: string,
    lockKey: string,
    owner: string,
    append: string,
    ...items: string[]
  ): Promise<ScriptReply>;
}
