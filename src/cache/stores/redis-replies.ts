import { ScriptReply, ScriptStatus } from "../commands/replies";
import { CacheError, CacheErrorCodes } from "../errors";
import type { LoadOutcome, StoredObject } from "../types/store";
import type { RedisKeyLayout } from "./redis-keys";

/** What the Redis store makes of Redis's replies and errors: script statuses, stored objects, CacheErrors. */

/** Server replies that mean "not now" rather than "wrong". READONLY: a replica, as during a failover. */
const TRANSIENT_REPLY = /^(LOADING|CLUSTERDOWN|TRYAGAIN|MASTERDOWN|BUSY|READONLY)\b/;
/** Replies refusing a write while reads would still be answered: a full Redis (noeviction), a read-only replica. */
const WRITES_REFUSED = /^(OOM|READONLY)\b/;

/** What a reading script (load, load-read-only) may answer; FOREIGN is handled for every script by decode(). */
export const READ_STATUSES = [ScriptStatus.OK, ScriptStatus.MISSING, ScriptStatus.LOCKED];
/** What a write under the lock rules may answer. */
export const WRITE_STATUSES = [ScriptStatus.OK, ScriptStatus.LOCKED, ScriptStatus.NOT_HOLDER];

/** A refused write's outcome, or undefined when the status is not a refusal. */
export function refusal(status: ScriptStatus): "locked" | "not-holder" | undefined {
  return status === ScriptStatus.LOCKED ? "locked" : status === ScriptStatus.NOT_HOLDER ? "not-holder" : undefined;
}

/** A script's "1 or empty" flag argument. */
export function flag(on: boolean): string {
  return on ? "1" : "";
}

export function writesRefused(error: unknown): boolean {
  return (error as Error)?.name === "ReplyError" && WRITES_REFUSED.test((error as Error).message);
}

/**
 * Turns whatever ioredis threw into a CacheError that tells the caller what to do next. `lastConnectionError`
 * explains failures that ioredis itself reports vaguely ("Stream isn't writeable") while Redis is away.
 */
export function toCacheError(error: unknown, endpoint?: string, lastConnectionError?: string): CacheError {
  if (error instanceof CacheError) return error;
  const failure = error as Error & { name?: string };
  const message = failure?.message ?? String(error);
  const isServerReply = failure?.name === "ReplyError";
  if (isServerReply && !TRANSIENT_REPLY.test(message)) {
    return new CacheError(CacheErrorCodes.STORE_ERROR, `Redis refused the command: ${message}`, { cause: error });
  }
  const where = endpoint ? ` at ${endpoint}` : "";
  const why =
    lastConnectionError && lastConnectionError !== message ? ` (last connection error: ${lastConnectionError})` : "";
  return new CacheError(CacheErrorCodes.UNAVAILABLE, `Redis${where} is unavailable: ${message}${why}`, {
    cause: error,
  });
}

/** Objects are `createdAt readAt expireTimestamp` as 13-digit ms fields (0 = none), then the JSON: see includes/header.lua. */
const HEADER_LENGTH = 39;
const FIELD_LENGTH = 13;

/** Our header: 39 digits (see includes/read-object.lua, hasHeader). */
export function hasHeader(stored: string): boolean {
  return stored.length >= HEADER_LENGTH && /^\d+$/.test(stored.slice(0, HEADER_LENGTH));
}

export function decodeStoredObject(stored: string): StoredObject {
  return {
    json: stored.slice(HEADER_LENGTH),
    createdAt: Number(stored.slice(0, FIELD_LENGTH)),
    readAt: Number(stored.slice(FIELD_LENGTH, 2 * FIELD_LENGTH)) || null,
    expireTimestamp: Number(stored.slice(2 * FIELD_LENGTH, HEADER_LENGTH)) || null,
  };
}

export function encodeStoredObject(object: StoredObject): string {
  const field = (ms: number | null) => String(ms ?? 0).padStart(FIELD_LENGTH, "0");
  return field(object.createdAt) + field(object.readAt) + field(object.expireTimestamp) + object.json;
}

export function ttlArgument(ttlMs: number | null): string {
  return ttlMs === null ? "" : String(ttlMs);
}

/** Tokens are integers below 2^53, so String() writes every digit, as the scripts' '%.0f' does. */
export function tokenArgument(token: number | null): string {
  return token === null ? "" : String(token);
}

/** The error for a value under our object prefix that this cache did not write. */
export function foreignValue(layout: RedisKeyLayout, key: string): CacheError {
  return new CacheError(
    CacheErrorCodes.STORE_ERROR,
    `${layout.objectKey(key)} holds a value this cache did not write (another type, or no header); it was left as it is`,
    { key },
  );
}

/**
 * The one place script replies are checked: FOREIGN (the key holds something this cache did not write) becomes
 * STORE_ERROR, and so does any status the script may not answer.
 */
export function decodeReply(
  layout: RedisKeyLayout,
  key: string,
  reply: ScriptReply,
  ...expected: ScriptStatus[]
): ScriptReply {
  const [status] = reply;
  if (status === ScriptStatus.FOREIGN) throw foreignValue(layout, key);
  if (!expected.includes(status)) {
    throw new CacheError(
      CacheErrorCodes.STORE_ERROR,
      `unexpected script reply ${JSON.stringify(reply)} for ${JSON.stringify(key)}`,
      {
        key,
      },
    );
  }
  return reply;
}

/**
 * A reading script's `[OK, stored, newExpireTimestamp or ""]`, `[MISSING]` or `[LOCKED]` (load-2, load-read-only-2,
 * and each key's triple of load-many-n, which starts at `at`) as the store's outcome.
 */
export function readOutcome(reply: ScriptReply, at = 0): LoadOutcome {
  const status = reply[at];
  const stored = reply[at + 1];
  const expireTimestamp = reply[at + 2];
  if (status === ScriptStatus.LOCKED) return { status: "locked" };
  if (status === ScriptStatus.MISSING) return { status: "missing" };
  const object = decodeStoredObject(stored as string);
  if (expireTimestamp !== undefined && expireTimestamp !== "") object.expireTimestamp = Number(expireTimestamp);
  return { status: "ok", object };
}
