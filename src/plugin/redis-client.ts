import { Cluster } from "ioredis";
import type { Redis } from "ioredis";
import { clusterFailFastOptions, describeEndpoint, failFastOptions } from "../cache";
import { type ConnectionLogOptions, logConnectionState } from "./connection-log";
import { actionheroConfig, type CachePluginConfig, type RedisConnectionConfig } from "./config";

/**
 * A connection of our own, built from `config.cache.cluster` when set, else from the same `config.redis.client`
 * entry actionhero uses, so host, port, password, db, TLS and retry settings apply unchanged. Owning it means our
 * scripts and subscriber state never touch actionhero's connection, and stop() can close exactly what we opened.
 */
export function openRedisClient(
  operationTimeoutMs: number,
  cluster?: CachePluginConfig["cluster"],
  connectionLog?: ConnectionLogOptions,
): { client: Redis | Cluster; owned: boolean } {
  if (cluster && (!Array.isArray(cluster.nodes) || cluster.nodes.length === 0)) {
    throw new Error(
      'ah-cache-plugin: config.cache.cluster.nodes must list at least one startup node, like [{ host: "10.0.0.1", port: 7000 }]',
    );
  }
  // config.cache.cluster is the same thing as a Cluster konstructor in config.redis, for the cache alone.
  const connection: RedisConnectionConfig | undefined = cluster
    ? {
        konstructor: Cluster as unknown as RedisConnectionConfig["konstructor"],
        args: [cluster.nodes, cluster.options ?? {}],
      }
    : actionheroConfig().redis?.client;
  if (!connection?.konstructor)
    throw new Error(
      "ah-cache-plugin: config.redis.client.konstructor is not set; set config.redis.fake = true for the in-memory store",
    );
  if (connection.buildNew === false) {
    // actionhero's convention for shared clients: a factory called with the args array.
    const factory = connection.konstructor as unknown as (args: unknown[] | undefined) => Redis | Cluster;
    return { client: factory(connection.args), owned: false };
  }
  const client = new connection.konstructor(...withFailFastOptions(connection.args ?? [], operationTimeoutMs));
  logConnectionState(client, describeEndpoint(client), connectionLog);
  return { client, owned: true };
}

/**
 * The same constructor arguments, with failFastOptions merged into the options object (appended if there is none).
 * Cluster arguments (`[startupNodes, clusterOptions?]`: only a Cluster takes an array first) get
 * clusterFailFastOptions instead, which reach each node's connection through `redisOptions`.
 */
export function withFailFastOptions(args: unknown[], operationTimeoutMs: number): unknown[] {
  if (Array.isArray(args[0])) return [args[0], clusterFailFastOptions(operationTimeoutMs, args[1] ?? {})];
  const isOptions = (arg: unknown) => typeof arg === "object" && arg !== null && !Array.isArray(arg);
  const index = args.length > 0 && isOptions(args[args.length - 1]) ? args.length - 1 : -1;
  const merged = { ...(index >= 0 ? (args[index] as object) : {}), ...failFastOptions(operationTimeoutMs) };
  return index >= 0 ? [...args.slice(0, index), merged] : [...args, merged];
}
