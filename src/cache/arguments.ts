import type { DumpProgress } from "./dump";
import { CacheError, CacheErrorCodes, lockNotHeld, locked } from "./errors";
import type { DestroyOutcome, SaveOutcome } from "./types/store";
import { optionalDuration, plainOptions, scopePrefix } from "./validation";

/** Reading the public methods' arguments: which options each accepts, and the shapes several methods share. */

export const LOAD_OPTIONS = ["expireTimeMS", "retry"] as const;
export const SAVE_OPTIONS = ["expireTimeMS", "requireLock"] as const;
export const DESTROY_OPTIONS = ["requireLock"] as const;
export const LOCK_OPTIONS = ["expireTimeMS", "retry"] as const;
export const LOCKS_OPTIONS = ["details"] as const;
export const CLEAR_OPTIONS = ["locks"] as const;
export const LIST_WRITE_OPTIONS = ["requireLock"] as const;
export const FETCH_OPTIONS = ["expireTimeMS", "lockTimeoutMS", "grace"] as const;
export const GET_OPTIONS = ["grace", "retry"] as const;
export const HAS_OPTIONS = ["retry"] as const;
export const DUMP_WRITE_OPTIONS = ["onProgress"] as const;
export const DUMP_READ_OPTIONS = ["mode", "onProgress"] as const;

export function progressOption(options: Record<string, unknown>): DumpProgress | undefined {
  const onProgress = ownField(options, "onProgress");
  if (onProgress === undefined || typeof onProgress === "function") return onProgress as DumpProgress | undefined;
  throw new CacheError(CacheErrorCodes.INVALID_OPTIONS, "options.onProgress must be a function");
}

export function fileArgument(file: unknown): string {
  if (typeof file === "string" && file.length > 0) return file;
  throw new CacheError(CacheErrorCodes.INVALID_OPTIONS, "the dump file must be a non-empty path string");
}

/** The `(scopePrefix?, options?)` or `(options?)` arguments of locks() and clear(). */
export function scopeAndOptions(
  first: unknown,
  second: unknown,
  allowed: readonly string[],
  method: string,
): { scope: string; options: Record<string, unknown> } {
  if (isOptionsObject(first) && second === undefined)
    return { scope: "", options: plainOptions(first, allowed, `${method} options`) };
  return { scope: scopePrefix(first, method), options: plainOptions(second, allowed, `${method} options`) };
}

export function isOptionsObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function flag(options: Record<string, unknown>, name: string): boolean {
  const value = ownField(options, name);
  if (value === undefined || typeof value === "boolean") return value === true;
  throw new CacheError(CacheErrorCodes.INVALID_OPTIONS, `options.${name} must be a boolean`);
}

/**
 * Reads the "TTL, or an options object" argument that save() and lock() accept: an object is the options, with
 * the TTL in `expireTimeMS`; otherwise it is the TTL (null: none given) and `extraOptions` holds the options,
 * whose `expireTimeMS` applies when no TTL was given.
 */
export function ttlAndOptions(
  ttlOrOptions: unknown,
  extraOptions: unknown,
  allowed: readonly string[],
  what: string,
): { ttl: number | null; options: Record<string, unknown> } {
  if (isOptionsObject(ttlOrOptions)) {
    const options = plainOptions(ttlOrOptions, allowed, what);
    return { ttl: optionalDuration(ownField(options, "expireTimeMS"), "options.expireTimeMS"), options };
  }
  const options = plainOptions(extraOptions, allowed, what);
  const ttl =
    optionalDuration(ttlOrOptions, "expireTimeMS") ??
    optionalDuration(ownField(options, "expireTimeMS"), "options.expireTimeMS");
  return { ttl, options };
}

/** Turns a refused write into its error. */
export function assertWritten(outcome: SaveOutcome | DestroyOutcome, key: string): void {
  if (outcome === "locked") throw locked(key);
  if (outcome === "not-holder") throw lockNotHeld(key);
}

export function ownField(options: Record<string, unknown>, name: string): unknown {
  return Object.prototype.hasOwnProperty.call(options, name) ? options[name] : undefined;
}
