import type { Cluster, Redis } from "ioredis";

/**
 * Redis 7.0: scripts declare flags (`#!lua flags=no-writes,allow-oom`) so reads still work on a full Redis or a
 * replica; 6.2 would already be needed for SET … PXAT, which every save with a TTL uses.
 */
export const MINIMUM_REDIS_VERSION = "7.0.0";

/** The server's `redis_version` from INFO server (on a Cluster, of whichever node answers), or undefined. */
export async function redisServerVersion(client: Redis | Cluster): Promise<string | undefined> {
  const info = await client.info("server");
  return /^redis_version:([^\r\n]+)/m.exec(String(info))?.[1]?.trim();
}

/** Dotted versions compared part by part as numbers: "6.2.14" < "7.0.0" < "7.10.1". */
export function isVersionBelow(version: string, minimum: string): boolean {
  const have = version.split(".").map((part) => parseInt(part, 10) || 0);
  const need = minimum.split(".").map((part) => parseInt(part, 10) || 0);
  for (let index = 0; index < need.length; index++) {
    if ((have[index] ?? 0) !== need[index]) return (have[index] ?? 0) < need[index];
  }
  return false;
}

export function tooOldMessage(version: string, endpoint: string): string {
  return (
    `ah-cache-plugin needs Redis ${MINIMUM_REDIS_VERSION} or later, but the Redis at ${endpoint} is ${version}: ` +
    "upgrade it, or point config.redis (or config.cache.cluster) at a newer one"
  );
}
