import { CacheError, CacheErrorCodes, DEFAULT_NEAR_CACHE_LIMITS } from "../cache";

/** The checks every value of config.cache goes through at start, so a bad one stops the server with its name. */

/** The longest delay Node's timers keep: a larger one fires after 1 ms (with a TimeoutOverflowWarning). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** How a refused value is shown: strings quoted, NaN and Infinity as themselves. */
function shown(value: unknown): string {
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (value === undefined) return "undefined";
  return JSON.stringify(value) ?? typeof value;
}

/**
 * Options are never converted: a string from an environment variable ("50", "false") would otherwise be taken
 * silently for what it looks like, or, for a flag, be truthy whatever it says. The message says how to convert.
 */
function refuse(name: string, expected: string, value: unknown, conversion: string): never {
  const hint = typeof value === "string" ? `; convert it where you read it, e.g. ${conversion}` : "";
  throw new CacheError(CacheErrorCodes.INVALID_OPTIONS, `${name} must be ${expected}, got ${shown(value)}${hint}`);
}

/** A whole number above 0, up to `max`; `name` is the option's full path, as the user wrote it. */
export function positiveInteger(value: unknown, name: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value === "number" && Number.isSafeInteger(value) && value > 0 && value <= max) return value;
  const expected = max < Number.MAX_SAFE_INTEGER ? `a positive integer no larger than ${max}` : "a positive integer";
  return refuse(name, expected, value, "Number(process.env.MY_SETTING)");
}

export function flag(value: unknown, name: string): boolean {
  if (typeof value === "boolean") return value;
  return refuse(name, "true or false", value, 'process.env.MY_SETTING === "true"');
}

/** Off (false), or the near cache's limits in effect. */
export type NearCacheSetting = false | { maxEntries: number; maxBytes: number };

/** config.cache.nearCache: a boolean, or limits of which each defaults; anything else is refused at start. */
export function nearCacheOption(option: unknown): NearCacheSetting {
  if (option === undefined || option === false) return false;
  if (option === true) return { ...DEFAULT_NEAR_CACHE_LIMITS };
  if (typeof option !== "object" || option === null || Array.isArray(option)) {
    throw new CacheError(
      CacheErrorCodes.INVALID_OPTIONS,
      `config.cache.nearCache must be false, true or { maxEntries, maxBytes }, got ${JSON.stringify(option)}`,
    );
  }
  const limits = { ...DEFAULT_NEAR_CACHE_LIMITS };
  for (const [name, value] of Object.entries(option)) {
    if (name !== "maxEntries" && name !== "maxBytes") {
      throw new CacheError(
        CacheErrorCodes.INVALID_OPTIONS,
        `config.cache.nearCache.${name} is not a near cache option; the options are maxEntries and maxBytes`,
      );
    }
    limits[name] = positiveInteger(value, `config.cache.nearCache.${name}`);
  }
  return limits;
}
