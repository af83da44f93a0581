import type { Cluster, Redis } from "ioredis";
import { RedisStore } from "../../src/cache";
import { uniquePrefix } from "../helpers/redis";
import type { ConformanceTarget } from "./conformance";

/** Milliseconds from the clock the Redis store stamps with: the server's TIME. */
export async function serverTimeMs(client: Redis | Cluster): Promise<number> {
  const [seconds, micros] = await client.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

/**
 * A conformance target factory for any Redis deployment: each test gets a RedisStore under a fresh prefix, and its
 * keys are deleted afterwards with `deleteKeys`. `client` is read per test, so it may be connected in a beforeAll.
 */
export function redisTarget(
  label: string,
  client: () => Redis | Cluster,
  deleteKeys: (prefix: string) => Promise<void>,
): () => Promise<ConformanceTarget> {
  return async () => {
    const prefix = uniquePrefix(label);
    const store = new RedisStore({ client: client(), prefix: `${prefix}obj:`, lockPrefix: `${prefix}lock:` });
    return {
      store,
      now: () => serverTimeMs(client()),
      cleanup: async () => {
        await store.close();
        await deleteKeys(prefix);
      },
    };
  };
}
