import * as fs from "fs";
import { DumpFile, ENTRY_OVERHEAD_BYTES } from "./dump-file";
import { CacheError, CacheErrorCodes } from "./errors";
import { serializeValue } from "./serialization";
import type { DumpEntry } from "./types/store";
import { assertKey } from "./validation";

/**
 * The dump format: JSON Lines, so dumps of any size stream in both directions.
 *   line 1      {"format":"ah-cache-plugin/dump","version":1}
 *   objects     {"key":…,"value":…,"createdAt":…,"readAt":…,"expireTimestamp":…}
 *   lists       {"list":…,"items":[…]}, then {"list":…,"items":[…],"append":true} while the list goes on
 *   last line   {"end":true,"entries":N}   (N counts objects and lists, not continuation lines)
 * The closing line with its count is what lets a reader tell a complete dump from a truncated one. Every line fits
 * in maxValueBytes plus ENTRY_OVERHEAD_BYTES, so a reader needs bounded memory: a long list is split.
 */
export const DUMP_FORMAT = "ah-cache-plugin/dump";
export const DUMP_VERSION = 1;
/** Timestamps are 13-digit ms fields in Redis (see includes/header.lua). */
const MAX_TIMESTAMP = 9_999_999_999_999;

export type DumpProgress = (entriesSoFar: number) => void;

/** A list's lines: as many items per line as fit in `maxLineBytes` (each item alone always fits). */
function listLines(key: string, items: string[], maxLineBytes: number): string {
  const head = `{"list":${JSON.stringify(key)},"items":[`;
  let text = "";
  let line: string[] = [];
  let bytes = 0;
  const flush = () => {
    text += `${head}${line.join(",")}]${text === "" ? "" : ',"append":true'}}\n`;
    line = [];
    bytes = 0;
  };
  for (const item of items) {
    const itemBytes = Buffer.byteLength(item) + 1;
    if (line.length > 0 && bytes + itemBytes > maxLineBytes - ENTRY_OVERHEAD_BYTES) flush();
    line.push(item);
    bytes += itemBytes;
  }
  if (line.length > 0 || text === "") flush();
  return text;
}

function entryLine(entry: DumpEntry, maxLineBytes: number): string {
  if (entry.type === "list") return listLines(entry.key, entry.items, maxLineBytes);
  // The stored JSON is spliced in as it is: it came from JSON.stringify, so it is one line of valid JSON.
  return `{"key":${JSON.stringify(entry.key)},"value":${entry.json},"createdAt":${entry.createdAt},"readAt":${entry.readAt},"expireTimestamp":${entry.expireTimestamp}}\n`;
}

/**
 * Streams the batches to `file` and resolves how many entries were written. It writes a temporary file next to
 * `file` and renames it at the end, so `file` is either the previous one or a complete dump, never half of one.
 */
export async function writeDump(
  batches: AsyncIterable<DumpEntry[]>,
  file: string,
  maxValueBytes: number,
  onProgress?: DumpProgress,
): Promise<number> {
  const maxLineBytes = maxValueBytes + ENTRY_OVERHEAD_BYTES;
  const partial = `${file}.${process.pid}.partial`;
  let out: fs.WriteStream;
  try {
    out = fs.createWriteStream(partial, { flags: "w" });
    await new Promise<void>((resolve, reject) => out.once("open", () => resolve()).once("error", reject));
  } catch (error) {
    throw new CacheError(
      CacheErrorCodes.INVALID_OPTIONS,
      `cannot write the dump file ${file}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const failure = new Promise<never>((_, reject) => out.on("error", reject));
  failure.catch(() => undefined);
  const write = async (text: string) => {
    if (!out.write(text))
      await Promise.race([new Promise<void>((resolve) => out.once("drain", () => resolve())), failure]);
  };
  let count = 0;
  try {
    await write(`{"format":"${DUMP_FORMAT}","version":${DUMP_VERSION}}\n`);
    for await (const batch of batches) {
      let chunk = "";
      for (const entry of batch) chunk += entryLine(entry, maxLineBytes);
      await write(chunk);
      count += batch.length;
      onProgress?.(count);
    }
    await write(`{"end":true,"entries":${count}}\n`);
    await Promise.race([new Promise<void>((resolve) => out.end(() => resolve())), failure]);
    await fs.promises.rename(partial, file);
    return count;
  } catch (error) {
    out.destroy();
    await fs.promises.rm(partial, { force: true });
    if (error instanceof CacheError) throw error;
    throw new CacheError(
      CacheErrorCodes.STORE_ERROR,
      `writing the dump file ${file} failed: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/** What kind of JSON value this is, for messages that must not repeat what a file holds. */
function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function corrupt(file: string, line: number, reason: string): CacheError {
  return new CacheError(CacheErrorCodes.INVALID_DUMP, `${file} line ${line}: ${reason}`);
}

function timestamp(value: unknown, nullable: boolean): boolean {
  if (value === null) return nullable;
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0 && value <= MAX_TIMESTAMP;
}

function hasExactly(record: Record<string, unknown>, fields: string[]): boolean {
  const names = Object.keys(record);
  return names.length === fields.length && fields.every((field) => names.includes(field));
}

/** Checks one entry line; throws a message (not yet naming the line) when it is not a valid entry. */
function parseEntry(record: Record<string, unknown>, maxValueBytes: number): DumpEntry {
  const checkedKey = (key: unknown) => {
    if (typeof key !== "string") throw new Error(`the key must be a string, got ${kindOf(key)}`);
    try {
      assertKey(key);
      return key;
    } catch (error) {
      throw new Error((error as Error).message, { cause: error });
    }
  };
  const checkedJson = (value: unknown, what: string) => {
    try {
      return serializeValue(value, maxValueBytes);
    } catch (error) {
      // TOO_LARGE's message holds sizes only; others name a path inside the value, which is the file's content.
      const failure = error as CacheError;
      throw new Error(
        failure.code === CacheErrorCodes.TOO_LARGE
          ? `${what}: ${failure.message}`
          : `${what} cannot be stored (${failure.code})`,
        { cause: error },
      );
    }
  };
  if ("list" in record) {
    const append = record.append === true;
    const fields = append ? ["list", "items", "append"] : ["list", "items"];
    if (!hasExactly(record, fields) || !Array.isArray(record.items))
      throw new Error('a list entry is {"list": key, "items": [...]}, with "append": true on its continuation lines');
    const key = checkedKey(record.list);
    return { type: "list", key, items: record.items.map((item, index) => checkedJson(item, `item ${index}`)), append };
  }
  if (!hasExactly(record, ["key", "value", "createdAt", "readAt", "expireTimestamp"])) {
    throw new Error("an object entry has exactly the fields key, value, createdAt, readAt and expireTimestamp");
  }
  const key = checkedKey(record.key);
  if (!timestamp(record.createdAt, false))
    throw new Error(`createdAt must be a timestamp in ms, got ${kindOf(record.createdAt)} outside that range`);
  if (!timestamp(record.readAt, true))
    throw new Error(`readAt must be a timestamp in ms or null, got ${kindOf(record.readAt)} outside that range`);
  if (!timestamp(record.expireTimestamp, true)) {
    throw new Error(
      `expireTimestamp must be a timestamp in ms or null, got ${kindOf(record.expireTimestamp)} outside that range`,
    );
  }
  return {
    type: "object",
    key,
    json: checkedJson(record.value, "value"),
    createdAt: record.createdAt as number,
    readAt: record.readAt as number | null,
    expireTimestamp: record.expireTimestamp as number | null,
  };
}

/**
 * Reads a dump entry by entry, checking every line: the opening line, each entry, and the closing line with the
 * right count. Throws INVALID_DUMP naming the file and line at the first problem; `digest` gets the hash of what
 * was read once the whole file has been.
 */
export async function* readDump(
  dump: DumpFile,
  maxValueBytes: number,
  digest: (hex: string) => void,
): AsyncIterable<DumpEntry> {
  const file = dump.path;
  let lineNumber = 0;
  let entries = 0;
  let ended = false;
  let previous: DumpEntry | undefined;
  for await (const line of dump.lines(maxValueBytes + ENTRY_OVERHEAD_BYTES, digest)) {
    lineNumber = line.number;
    if (ended) throw corrupt(file, lineNumber, "text after the closing line");
    let record: unknown;
    try {
      record = JSON.parse(line.text);
    } catch {
      // The parser's message quotes the line: it is left out, so no message repeats what the file holds.
      throw corrupt(file, lineNumber, "not valid JSON; the file may be truncated or damaged");
    }
    if (typeof record !== "object" || record === null || Array.isArray(record))
      throw corrupt(file, lineNumber, "not a JSON object");
    const fields = record as Record<string, unknown>;
    if (lineNumber === 1) {
      if (fields.format !== DUMP_FORMAT)
        throw corrupt(file, 1, `not an ah-cache-plugin dump (expected "format": "${DUMP_FORMAT}")`);
      if (fields.version !== DUMP_VERSION)
        throw corrupt(file, 1, `this dump version is not supported (expected ${DUMP_VERSION})`);
      continue;
    }
    if ("end" in fields) {
      if (fields.entries !== entries)
        throw corrupt(
          file,
          lineNumber,
          `the closing line's count does not match the ${entries} entries the file holds`,
        );
      ended = true;
      continue;
    }
    let entry: DumpEntry;
    try {
      entry = parseEntry(fields, maxValueBytes);
    } catch (error) {
      if (error instanceof CacheError) throw error;
      throw corrupt(file, lineNumber, (error as Error).message);
    }
    if (entry.type === "list" && entry.append) {
      if (previous?.type !== "list" || previous.key !== entry.key)
        throw corrupt(file, lineNumber, "a list continuation line that does not follow its list");
    } else {
      entries += 1;
    }
    previous = entry;
    yield entry;
  }
  if (lineNumber === 0) throw corrupt(file, 1, "the file is empty");
  if (!ended)
    throw corrupt(file, lineNumber, `the file ends without its closing line after ${entries} entries: it is truncated`);
}
