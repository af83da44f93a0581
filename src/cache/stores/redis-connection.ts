import type { Cluster, ClusterOptions, Redis, RedisOptions } from "ioredis";

/** How long an operation may wait for Redis before it fails with UNAVAILABLE, unless configured otherwise. */
export const DEFAULT_OPERATION_TIMEOUT_MS = 5000;

/**
 * ioredis options under which every command settles within `timeoutMs`: nothing waits in an offline queue while
 * Redis is away (it fails at once), a command in flight when the connection drops fails instead of being replayed
 * later (which could apply a write the caller was told had failed), and a command Redis never answers times out.
 * Reconnection itself is untouched: after Redis returns, commands succeed again.
 *
 * `disconnectTimeout` is short because ioredis arms it on every disconnect() to destroy a socket that has not
 * closed, and a client between reconnect attempts has no socket left to close: the timer then only keeps a
 * stopping server's process alive (2 s by default).
 */
export function failFastOptions(timeoutMs: number = DEFAULT_OPERATION_TIMEOUT_MS): Partial<RedisOptions> {
  return {
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    commandTimeout: timeoutMs,
    disconnectTimeout: DISCONNECT_TIMEOUT_MS,
  };
}

const DISCONNECT_TIMEOUT_MS = 100;

/**
 * The same guarantees for an ioredis Cluster: the cluster-level offline queue is off (a call fails at once while
 * the cluster is not ready), and every node connection gets failFastOptions. Other cluster options (retries on
 * MOVED, CLUSTERDOWN and failover) are kept: they are what carries calls across a failover.
 */
export function clusterFailFastOptions(
  timeoutMs: number = DEFAULT_OPERATION_TIMEOUT_MS,
  options: ClusterOptions = {},
): ClusterOptions {
  return {
    ...options,
    enableOfflineQueue: false,
    redisOptions: { ...options.redisOptions, ...failFastOptions(timeoutMs) },
  };
}

/**
 * Resolves true once the client is ready, false if it is not within `timeoutMs`, if it ends first, or if `signal`
 * aborts (a disconnected client that was reconnecting never emits "end", so its owner says when to stop waiting).
 */
export function waitUntilReady(client: Redis | Cluster, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  if (client.status === "ready") return Promise.resolve(true);
  if (client.status === "end" || signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const finish = (ready: boolean) => {
      clearTimeout(timer);
      client.off("ready", onReady);
      client.off("end", onEnd);
      signal?.removeEventListener("abort", onEnd);
      resolve(ready);
    };
    const onReady = () => finish(true);
    const onEnd = () => finish(false);
    const timer = setTimeout(() => finish(false), timeoutMs);
    client.on("ready", onReady);
    client.on("end", onEnd);
    signal?.addEventListener("abort", onEnd);
  });
}

export { describeEndpoint } from "./redis-endpoint";

/** The longest quit() waits for QUIT's reply before it disconnects. */
const QUIT_TIMEOUT_MS = 1000;

/**
 * QUIT lets replies in flight arrive first. A client that is not connected (Redis away, reconnecting) is simply
 * disconnected, and nothing here waits longer than QUIT_TIMEOUT_MS: stopping a server must never hang on Redis.
 */
export async function quit(client: Redis | Cluster): Promise<void> {
  if (client.status === "end") return;
  if (client.status !== "ready") {
    client.disconnect();
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const ended = new Promise<void>((resolve) => {
    client.once("end", resolve);
    timer = setTimeout(() => {
      client.disconnect();
      resolve();
    }, QUIT_TIMEOUT_MS);
  });
  await client.quit().catch(() => client.disconnect());
  await ended;
  clearTimeout(timer);
}
