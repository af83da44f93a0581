import { CacheError, CacheErrorCodes } from "./errors";

/** Long enough for URLs used as keys; keys are repeated in every Redis key and command. */
export const MAX_KEY_LENGTH = 4096;
/** 100 years: beyond that a TTL is a mistake, and the expiry instant would stop being a safe integer in Lua. */
export const MAX_DURATION_MS = 100 * 365.25 * 24 * 60 * 60 * 1000;

type WellFormedString = string & { isWellFormed(): boolean };

export function assertKey(key: unknown): asserts key is string {
  if (typeof key !== "string") {
    throw new CacheError(CacheErrorCodes.INVALID_KEY, `key must be a string, got ${describe(key)}`);
  }
  if (key.length === 0) throw new CacheError(CacheErrorCodes.INVALID_KEY, "key must not be empty");
  if (key.length > MAX_KEY_LENGTH) {
    throw new CacheError(
      CacheErrorCodes.INVALID_KEY,
      `key is ${key.length} characters long; the limit is ${MAX_KEY_LENGTH}`,
    );
  }
  // A lone surrogate becomes U+FFFD in UTF-8, so two different keys would name the same Redis key.
  if (!(key as WellFormedString).isWellFormed()) {
    throw new CacheError(
      CacheErrorCodes.INVALID_KEY,
      "key contains a lone UTF-16 surrogate and cannot be stored faithfully",
    );
  }
}

/** The scope argument of keys(), size(), locks() and clear(): null or undefined mean every key. */
export function scopePrefix(value: unknown, method: string): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  throw new CacheError(
    CacheErrorCodes.INVALID_KEY,
    `the scope prefix of ${method}() must be a string, got ${describe(value)}`,
  );
}

/**
 * A duration in ms: a positive finite number, rounded up to a whole millisecond.
 * `what` names the argument in the error message.
 */
export function positiveDuration(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > MAX_DURATION_MS) {
    throw new CacheError(
      CacheErrorCodes.INVALID_TTL,
      `${what} must be a positive number of milliseconds no larger than ${MAX_DURATION_MS}, got ${describe(value)}`,
    );
  }
  return Math.ceil(value);
}

/** null or undefined means "none"; anything else must be a positive duration. */
export function optionalDuration(value: unknown, what: string): number | null {
  return value === null || value === undefined ? null : positiveDuration(value, what);
}

/** How long to keep retrying: null, undefined or 0 mean "answer at once". */
export function retryBudget(value: unknown, what: string): number {
  if (value === null || value === undefined || value === 0) return 0;
  return positiveDuration(value, what);
}

/** Options must be a plain object with only known fields, so a misspelt option fails loudly instead of being ignored. */
export function plainOptions(value: unknown, allowed: readonly string[], what: string): Record<string, unknown> {
  if (value === null || value === undefined) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new CacheError(CacheErrorCodes.INVALID_OPTIONS, `${what} must be an object, got ${describe(value)}`);
  }
  const unknown = Object.keys(value).filter((name) => !allowed.includes(name));
  if (unknown.length > 0) {
    throw new CacheError(
      CacheErrorCodes.INVALID_OPTIONS,
      `${what} has unknown field(s) ${unknown.map((name) => JSON.stringify(name)).join(", ")}; allowed: ${allowed.join(", ")}`,
    );
  }
  return value as Record<string, unknown>;
}

export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "string":
      return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
    case "number":
    case "boolean":
      return String(value);
    case "bigint":
      return `${value}n`;
    case "undefined":
      return "undefined";
    default:
      return `a ${typeof value}`;
  }
}
