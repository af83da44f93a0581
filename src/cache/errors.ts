/**
 * Every failure the cache reports is a CacheError with one of these codes.
 * Codes are part of the public contract: callers branch on them, so they never change meaning.
 */
export const CacheErrorCodes = {
  /** The key is not a non-empty, well-formed string within the length limit. */
  INVALID_KEY: "INVALID_KEY",
  /** A TTL, lock duration or retry budget is not a positive finite number of milliseconds. */
  INVALID_TTL: "INVALID_TTL",
  /** An options argument has the wrong shape or an unknown field. */
  INVALID_OPTIONS: "INVALID_OPTIONS",
  /** A batch's array has a hole (a missing index, as in `[a, , b]`); the message names the index. */
  INVALID_ARGUMENTS: "INVALID_ARGUMENTS",
  /** The value would not come back equal after a JSON round trip (undefined, function, BigInt, cycle, NaN…). */
  UNSERIALIZABLE_VALUE: "UNSERIALIZABLE_VALUE",
  /** The value's JSON is larger than the configured maximum. */
  TOO_LARGE: "TOO_LARGE",
  /** No object is stored under the key, or it has expired. */
  NOT_FOUND: "NOT_FOUND",
  /** Another owner holds the lock on the key. */
  LOCKED: "LOCKED",
  /** A guarded write (`requireLock`) was refused: this owner does not hold the key's lock right now. */
  LOCK_NOT_HELD: "LOCK_NOT_HELD",
  /** `withLock` could not take the lock within its retry budget. */
  LOCK_TIMEOUT: "LOCK_TIMEOUT",
  /** `withLock` lost its lock while the function ran (an extend failed); the AbortSignal's reason. */
  LOCK_LOST: "LOCK_LOST",
  /** A dump file is not a complete, valid dump; the message names the file and line. Nothing was changed. */
  INVALID_DUMP: "INVALID_DUMP",
  /** The store could not be reached or did not answer (connection refused, closed, timed out). */
  UNAVAILABLE: "UNAVAILABLE",
  /** The store answered with an error the cache did not expect. */
  STORE_ERROR: "STORE_ERROR",
} as const;

export type CacheErrorCode = (typeof CacheErrorCodes)[keyof typeof CacheErrorCodes];

/** Messages shared with actionhero's built-in cache, so code matching on them keeps working. */
export const NOT_FOUND_MESSAGE = "Object not found";
export const LOCKED_MESSAGE = "Object locked";

export class CacheError extends Error {
  readonly code: CacheErrorCode;
  readonly key?: string;

  constructor(code: CacheErrorCode, message: string, options: { key?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "CacheError";
    this.code = code;
    if (options.key !== undefined) this.key = options.key;
  }
}

/** Errors about a call's value, size or TTL: they name the method and the key they were met in. */
const VALUE_ERRORS: ReadonlySet<string> = new Set([
  CacheErrorCodes.UNSERIALIZABLE_VALUE,
  CacheErrorCodes.TOO_LARGE,
  CacheErrorCodes.INVALID_TTL,
]);

/**
 * A value, size or TTL error met in `method`'s call on `key`, naming both and carrying the key; a batch's (no one
 * key) names the method.
 */
export function inCall(error: unknown, method: string | undefined, key: unknown): unknown {
  if (!(error instanceof CacheError) || !VALUE_ERRORS.has(error.code) || error.key !== undefined) return error;
  if (method === undefined) return error;
  if (typeof key !== "string") return new CacheError(error.code, `${method}: ${error.message}`, { cause: error.cause });
  return new CacheError(error.code, `${method}(${JSON.stringify(key)}): ${error.message}`, { key, cause: error.cause });
}

export function isCacheError(error: unknown): error is CacheError {
  return error instanceof CacheError;
}

export function notFound(key: string): CacheError {
  return new CacheError(CacheErrorCodes.NOT_FOUND, NOT_FOUND_MESSAGE, { key });
}

export function locked(key: string): CacheError {
  return new CacheError(CacheErrorCodes.LOCKED, LOCKED_MESSAGE, { key });
}

export function lockNotHeld(key: string): CacheError {
  return new CacheError(CacheErrorCodes.LOCK_NOT_HELD, "Lock not held by this owner", { key });
}
