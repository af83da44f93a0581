import { isOptionsObject } from "./arguments";
import { CacheError, CacheErrorCodes, inCall } from "./errors";
import { serializeValue } from "./serialization";
import type { BatchSaveEntry } from "./types/store";
import { assertKey, describe, optionalDuration } from "./validation";

/** The most keys one loadMany, saveMany or destroyMany takes: one Redis script runs them all without yielding. */
export const MAX_BATCH_KEYS = 1000;
/** The most JSON one saveMany sends, summed over its values (each also within maxValueBytes). */
export const MAX_BATCH_BYTES = 16 * 1024 * 1024;

const ENTRY_FIELDS = ["key", "value", "expireTimeMS"];

/**
 * The batch's items, each read once, into a dense array: a hole is refused (map and forEach would skip it, and a
 * store could then write the entries around it), and a getter at an index cannot answer twice.
 */
function batchOf(value: unknown, method: string, what: string): unknown[] {
  if (!Array.isArray(value)) {
    throw new CacheError(
      CacheErrorCodes.INVALID_OPTIONS,
      `${method} takes an array of ${what}, got ${describe(value)}`,
    );
  }
  if (value.length > MAX_BATCH_KEYS) {
    throw new CacheError(
      CacheErrorCodes.INVALID_OPTIONS,
      `${method} takes at most ${MAX_BATCH_KEYS} ${what}, got ${value.length}; split the batch`,
    );
  }
  const items: unknown[] = [];
  for (let index = 0; index < value.length; index++) {
    if (!(index in value)) {
      throw new CacheError(
        CacheErrorCodes.INVALID_ARGUMENTS,
        `${method}'s ${what} have a hole at [${index}]: every index must hold one; nothing was sent`,
      );
    }
    items.push(atPosition(index, (): unknown => (value as unknown[])[index]));
  }
  return items;
}

/** Names the position of a refused key, keeping the single-key message and code. */
function atPosition<T>(index: number, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof CacheError) {
      throw new CacheError(error.code, `[${index}]: ${error.message}`, { key: error.key });
    }
    // A getter of the caller's (an index or an entry field) threw while it was read.
    throw new CacheError(CacheErrorCodes.INVALID_ARGUMENTS, `[${index}]: reading it threw: ${String(error)}`, {
      cause: error,
    });
  }
}

/** Every key valid, checked before anything is sent. */
export function batchKeys(value: unknown, method: string): string[] {
  return batchOf(value, method, "keys").map((key, index) =>
    atPosition(index, () => {
      assertKey(key);
      return key;
    }),
  );
}

/**
 * Every entry `{ key, value, expireTimeMS? }` valid and serialized before anything is sent; an entry's own
 * expireTimeMS wins over the batch's.
 */
export function batchEntries(value: unknown, defaultTtl: number | null, maxValueBytes: number): BatchSaveEntry[] {
  let bytes = 0;
  const entries = batchOf(value, "saveMany", "entries").map((raw, index) =>
    atPosition(index, () => {
      if (!isOptionsObject(raw) || !("key" in (raw as object))) {
        throw new CacheError(
          CacheErrorCodes.INVALID_OPTIONS,
          "an entry must be an object { key, value, expireTimeMS? }",
        );
      }
      const fields = raw as Record<string, unknown>;
      const unknown = Object.keys(fields).find((name) => !ENTRY_FIELDS.includes(name));
      if (unknown) throw new CacheError(CacheErrorCodes.INVALID_OPTIONS, `an entry has an unknown field ${unknown}`);
      // Each field read once: a getter could answer validation one thing and the write another.
      const { key, value: item, expireTimeMS } = fields;
      const own = Object.hasOwn(fields, "expireTimeMS");
      assertKey(key);
      let entry: BatchSaveEntry;
      try {
        const json = serializeValue(item, maxValueBytes);
        entry = { key, json, ttlMs: own ? optionalDuration(expireTimeMS, "expireTimeMS") : defaultTtl };
      } catch (error) {
        throw inCall(error, "saveMany", key);
      }
      bytes += Buffer.byteLength(entry.json, "utf8");
      return entry;
    }),
  );
  if (bytes > MAX_BATCH_BYTES) {
    throw new CacheError(
      CacheErrorCodes.TOO_LARGE,
      `saveMany's values are ${bytes} bytes of JSON together; the limit is ${MAX_BATCH_BYTES}; split the batch`,
    );
  }
  return entries;
}
