import { randomBytes } from "crypto";
import { Cluster } from "ioredis";
import type { ClusterNode, ClusterOptions, Redis } from "ioredis";
import { config, id, log } from "actionhero";
import {
  DEFAULT_LOCK_PREFIX,
  DEFAULT_MAX_VALUE_BYTES,
  DEFAULT_OPERATION_TIMEOUT_MS,
  DEFAULT_PREFIX,
  DEFAULT_SCAN_COUNT,
  DEFAULT_SWEEP_INTERVAL_MS,
  clusterFailFastOptions,
  failFastOptions,
} from "../cache";

/** `config.cache`, all optional: the plugin's own config folder is never loaded, so every default lives here. */
export interface CachePluginConfig {
  /** Prefix of object keys in Redis. */
  prefix?: string;
  /** Prefix of lock keys in Redis. */
  lockPrefix?: string;
  /** Who this server locks as; defaults to one name per server process. */
  owner?: string;
  /** Default lock TTL in ms; defaults to config.general.lockDuration. */
  lockDuration?: number;
  /** Largest value save() accepts, in bytes of JSON. */
  maxValueBytes?: number;
  /** How often the in-memory store sweeps out expired entries, in ms. */
  sweepIntervalMs?: number;
  /** Longest any operation waits for Redis before failing with UNAVAILABLE, in ms. */
  operationTimeoutMs?: number;
  /** Register GET /api/cacheTest and GET /api/cacheStatus for the plugin's actions. */
  registerRoutes?: boolean;
  /**
   * Put the cache on a Redis Cluster of its own choosing, whatever config.redis says: the startup nodes, and
   * ioredis ClusterOptions. Without it the cache connects the way config.redis.client says.
   */
  cluster?: { nodes: ClusterNode[]; options?: ClusterOptions };
  /** COUNT hint of each SCAN batch in keys/size/clear/locks/dump; defaults to config.redis.scanCount, then 1000. */
  scanCount?: number;
}

export interface ResolvedCachePluginConfig extends Required<Omit<CachePluginConfig, "owner" | "cluster">> {
  owner: string;
  cluster: CachePluginConfig["cluster"];
}

/**
 * actionhero's `id` comes from the host's IP unless ACTIONHERO_TITLE is set, so every process on a host shares it.
 * The pid separates processes on one host; the random part separates hosts that share an IP and pid (containers).
 */
export function defaultOwner(): string {
  return `${id}:${process.pid}:${randomBytes(4).toString("hex")}`;
}

/** The parts of actionhero's config this plugin reads. */
export interface ActionheroConfigSubset {
  general?: { lockDuration?: number };
  redis?: { fake?: boolean; scanCount?: number; client?: RedisConnectionConfig };
  cache?: CachePluginConfig;
}

export const actionheroConfig = (): ActionheroConfigSubset => config;

export function resolveCacheConfig(): ResolvedCachePluginConfig {
  const options = actionheroConfig().cache ?? {};
  return {
    prefix: options.prefix ?? DEFAULT_PREFIX,
    lockPrefix: options.lockPrefix ?? DEFAULT_LOCK_PREFIX,
    owner: options.owner ?? defaultOwner(),
    lockDuration: options.lockDuration ?? actionheroConfig().general?.lockDuration ?? 10_000,
    maxValueBytes: options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES,
    sweepIntervalMs: options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS,
    operationTimeoutMs: options.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS,
    registerRoutes: options.registerRoutes ?? true,
    cluster: options.cluster,
    scanCount: options.scanCount ?? actionheroConfig().redis?.scanCount ?? DEFAULT_SCAN_COUNT,
  };
}

export interface RedisConnectionConfig {
  konstructor: new (...args: unknown[]) => Redis | Cluster;
  args?: unknown[];
  buildNew?: boolean;
}

/**
 * A connection of our own, built from `config.cache.cluster` when set, else from the same `config.redis.client`
 * entry actionhero uses, so host, port, password, db, TLS and retry settings apply unchanged. Owning it means our
 * scripts and subscriber state never touch actionhero's connection, and stop() can close exactly what we opened.
 */
export function openRedisClient(
  operationTimeoutMs: number,
  cluster?: CachePluginConfig["cluster"],
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
  client.on("error", (error: Error) => log(`ah-cache-plugin: Redis connection error: ${error.message}`, "warning"));
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
