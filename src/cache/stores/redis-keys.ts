import { CacheError, CacheErrorCodes } from "../errors";

/**
 * How user keys map to Redis keys.
 *
 * A user key becomes `<prefix>{<tag>}` for the object, `<prefix>list:{<tag>}` for the list that push() builds, and
 * `<lockPrefix>{<tag>}` for the lock guarding both. The braces make the
 * tag the Redis Cluster hash tag, so an object and its lock always live in the same slot and one script can touch
 * both. The tag is the user key with `%` and `}` percent-encoded: an unescaped `}` inside it would end the hash tag
 * early (or leave it empty), and the two keys could land in different slots.
 */
export class RedisKeyLayout {
  constructor(
    readonly prefix: string,
    readonly lockPrefix: string,
  ) {
    for (const [name, value] of [
      ["prefix", prefix],
      ["lockPrefix", lockPrefix],
    ]) {
      if (typeof value !== "string" || value.length === 0 || /[{}]/.test(value)) {
        throw new CacheError(
          CacheErrorCodes.INVALID_OPTIONS,
          `${name} must be a non-empty string without "{" or "}" (got ${JSON.stringify(value)})`,
        );
      }
    }
    if (prefix === lockPrefix) {
      throw new CacheError(
        CacheErrorCodes.INVALID_OPTIONS,
        `prefix and lockPrefix must differ (both are ${JSON.stringify(prefix)})`,
      );
    }
    assertFamiliesApart(prefix, lockPrefix);
  }

  objectKey(key: string): string {
    return `${this.prefix}{${encodeTag(key)}}`;
  }

  /** The list of a key: `<prefix>list:{tag}`, which the object pattern `<prefix>{*` never matches. */
  listKey(key: string): string {
    return `${this.prefix}list:{${encodeTag(key)}}`;
  }

  lockKey(key: string): string {
    return `${this.lockPrefix}{${encodeTag(key)}}`;
  }

  /**
   * The fencing counter of a key: same hash tag as its lock. It sits under `<lockPrefix>fence:`, which the lock
   * pattern `<lockPrefix>{*` never matches, and it outlives the lock by FENCE_MARGIN_MS (commands/fence.ts).
   */
  fenceKey(key: string): string {
    return `${this.lockPrefix}fence:{${encodeTag(key)}}`;
  }

  /**
   * The mark a waiter sets before it checks the lock: unlock publishes the release only when it finds one. Same hash
   * tag as the lock, under `<lockPrefix>waiting:`, which the lock pattern `<lockPrefix>{*` never matches.
   */
  waitingKey(key: string): string {
    return `${this.lockPrefix}waiting:{${encodeTag(key)}}`;
  }

  /** The pub/sub channel on which unlock announces released lock keys. */
  releaseChannel(): string {
    return `${this.lockPrefix}released`;
  }

  /**
   * A SCAN MATCH pattern for the locks whose user keys start with `scopePrefix`; the prefix's own glob characters
   * are escaped.
   */
  lockPattern(scopePrefix = ""): string {
    return `${escapeGlob(this.lockPrefix)}{${escapeGlob(encodeTag(scopePrefix))}*`;
  }

  /** SCAN MATCH patterns for the fencing counters and waiting marks of the locks that lockPattern matches. */
  lockBookkeepingPatterns(scopePrefix = ""): string[] {
    const tag = `{${escapeGlob(encodeTag(scopePrefix))}*`;
    return [`${escapeGlob(this.lockPrefix)}fence:${tag}`, `${escapeGlob(this.lockPrefix)}waiting:${tag}`];
  }

  /** A SCAN MATCH pattern for the objects whose user keys start with `scopePrefix`. */
  objectPattern(scopePrefix = ""): string {
    return `${escapeGlob(this.prefix)}{${escapeGlob(encodeTag(scopePrefix))}*`;
  }

  /** A SCAN MATCH pattern for the lists whose user keys start with `scopePrefix`. */
  listPattern(scopePrefix = ""): string {
    return `${escapeGlob(this.prefix)}list:{${escapeGlob(encodeTag(scopePrefix))}*`;
  }

  /** The user key behind a list's Redis key, or undefined if the Redis key is not one of ours. */
  keyFromListKey(redisKey: string): string | undefined {
    return decodeKey(redisKey, `${this.prefix}list:{`);
  }

  /** The user key behind an object's Redis key, or undefined if the Redis key is not one of ours. */
  keyFromObjectKey(redisKey: string): string | undefined {
    return decodeKey(redisKey, `${this.prefix}{`);
  }

  /** The user key behind a lock's Redis key, or undefined if the Redis key is not one of ours. */
  keyFromLockKey(redisKey: string): string | undefined {
    return decodeKey(redisKey, `${this.lockPrefix}{`);
  }
}

/**
 * Every Redis key is `<head>{<tag>}`, and a head has no brace, so its first `{` ends it: two families of keys can
 * share a key only when their heads are equal, as `prefix: "z:"` with `lockPrefix: "z:list:"` makes a list and a
 * lock one key. Refused at start.
 */
function assertFamiliesApart(prefix: string, lockPrefix: string): void {
  const heads: Array<[string, string]> = [
    [prefix, "objects"],
    [`${prefix}list:`, "lists"],
    [lockPrefix, "locks"],
    [`${lockPrefix}fence:`, "fencing counters"],
    [`${lockPrefix}waiting:`, "waiting marks"],
  ];
  for (const [index, [head, family]] of heads.entries()) {
    const clash = heads.slice(index + 1).find(([other]) => other === head);
    if (clash) {
      throw new CacheError(
        CacheErrorCodes.INVALID_OPTIONS,
        `prefix ${JSON.stringify(prefix)} and lockPrefix ${JSON.stringify(lockPrefix)} put ${family} and ${clash[1]} ` +
          `under the same keys (${JSON.stringify(`${head}{…}`)}); choose prefixes that differ by more than "list:", ` +
          `"fence:" or "waiting:"`,
      );
    }
  }
}

function decodeKey(redisKey: string, head: string): string | undefined {
  if (!redisKey.startsWith(head) || !redisKey.endsWith("}")) return undefined;
  return decodeTag(redisKey.slice(head.length, -1));
}

function encodeTag(key: string): string {
  // Most keys need no escaping; skipping the regexes keeps them off every operation's path.
  if (key.indexOf("%") < 0 && key.indexOf("}") < 0) return key;
  return key.replace(/%/g, "%25").replace(/}/g, "%7D");
}

function decodeTag(tag: string): string {
  return tag.replace(/%(25|7D)/g, (_, code: string) => (code === "25" ? "%" : "}"));
}

export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}
