import { randomBytes } from "crypto";
import type { ClusterNode, ClusterOptions } from "ioredis";
import { config, env, id } from "actionhero";
import {
  CacheError,
  CacheErrorCodes,
  DEFAULT_LOCK_DURATION_MS,
  DEFAULT_LOCK_PREFIX,
  DEFAULT_MAX_VALUE_BYTES,
  DEFAULT_OPERATION_TIMEOUT_MS,
  DEFAULT_PREFIX,
  DEFAULT_SCAN_COUNT,
  DEFAULT_SWEEP_INTERVAL_MS,
  MAX_DURATION_MS,
} from "../cache";
import type { Cluster, Redis } from "ioredis";
import { closestName } from "./closest-name";
import { MAX_TIMER_MS, type NearCacheSetting, flag, nearCacheOption, positiveInteger } from "./option-values";

/**
 * `config.cache`, all optional: the plugin's own config folder is never loaded, so every default lives here.
 * A type alias, not an interface: actionhero's config interface has a string index signature, which only an
 * alias (with its implicit index signature) satisfies in a user's project compiled without skipLibCheck.
 */
export type CachePluginConfig = {
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
  /**
   * Register GET /api/cacheTest (it writes) and GET /api/cacheStatus for the plugin's actions.
   * Defaults to true, except when NODE_ENV is "production".
   */
  registerRoutes?: boolean;
  /** Include this server's owner name (it holds the host's address) in the cacheStatus action's answer. */
  statusShowsOwner?: boolean;
  /**
   * Let the cacheTest (it writes) and cacheStatus actions run when NODE_ENV is "production", through any transport.
   * Defaults to false: there they refuse before doing anything.
   */
  actionsInProduction?: boolean;
  /**
   * Put the cache on a Redis Cluster of its own choosing, whatever config.redis says: the startup nodes, and
   * ioredis ClusterOptions. Without it the cache connects the way config.redis.client says.
   */
  cluster?: { nodes: ClusterNode[]; options?: ClusterOptions };
  /** COUNT hint of each SCAN batch in keys/size/clear/locks/dump; defaults to config.redis.scanCount, then 1000. */
  scanCount?: number;
  /**
   * Answer get/has/fetch hits from process memory, kept coherent by Redis client tracking: false (default), true
   * (10,000 entries, 32 MiB), or { maxEntries, maxBytes }.
   */
  nearCache?: boolean | { maxEntries?: number; maxBytes?: number };
};

export interface ResolvedCachePluginConfig extends Required<
  Omit<CachePluginConfig, "owner" | "cluster" | "nearCache">
> {
  owner: string;
  cluster: CachePluginConfig["cluster"];
  /** Off (false), or the limits in effect. */
  nearCache: NearCacheSetting;
}

/** Every key config.cache may have; anything else is a typo, refused at start rather than silently ignored. */
export const CACHE_OPTION_NAMES: ReadonlyArray<keyof CachePluginConfig> = [
  "prefix",
  "lockPrefix",
  "owner",
  "lockDuration",
  "maxValueBytes",
  "sweepIntervalMs",
  "operationTimeoutMs",
  "registerRoutes",
  "statusShowsOwner",
  "actionsInProduction",
  "cluster",
  "scanCount",
  "nearCache",
];

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
  redis?: {
    fake?: boolean;
    scanCount?: number;
    client?: RedisConnectionConfig;
    subscriber?: RedisConnectionConfig;
    tasks?: RedisConnectionConfig;
  };
  cache?: CachePluginConfig;
}

export const actionheroConfig = (): ActionheroConfigSubset => config;

function refuseUnknownOptions(options: object): void {
  for (const name of Object.keys(options)) {
    if ((CACHE_OPTION_NAMES as readonly string[]).includes(name)) continue;
    const closest = closestName(name, CACHE_OPTION_NAMES);
    throw new CacheError(
      CacheErrorCodes.INVALID_OPTIONS,
      `config.cache.${name} is not an ah-cache-plugin option` +
        (closest ? `; did you mean ${closest}?` : ".") +
        ` The options are: ${CACHE_OPTION_NAMES.join(", ")}.`,
    );
  }
}

export function resolveCacheConfig(): ResolvedCachePluginConfig {
  const options = actionheroConfig().cache ?? {};
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new CacheError(CacheErrorCodes.INVALID_OPTIONS, "config.cache must be an object of ah-cache-plugin options");
  }
  refuseUnknownOptions(options);
  const general = actionheroConfig().general?.lockDuration;
  const redisScanCount = actionheroConfig().redis?.scanCount;
  return {
    prefix: options.prefix ?? DEFAULT_PREFIX,
    lockPrefix: options.lockPrefix ?? DEFAULT_LOCK_PREFIX,
    owner: options.owner ?? defaultOwner(),
    lockDuration: count(options, "lockDuration", MAX_DURATION_MS, ["config.general.lockDuration", general]),
    maxValueBytes: count(options, "maxValueBytes"),
    sweepIntervalMs: count(options, "sweepIntervalMs", MAX_TIMER_MS),
    operationTimeoutMs: count(options, "operationTimeoutMs", MAX_TIMER_MS),
    registerRoutes: onOff(options, "registerRoutes", env !== "production"),
    statusShowsOwner: onOff(options, "statusShowsOwner", false),
    actionsInProduction: onOff(options, "actionsInProduction", false),
    cluster: options.cluster,
    scanCount: count(options, "scanCount", undefined, ["config.redis.scanCount", redisScanCount]),
    nearCache: nearCacheOption(options.nearCache),
  };
}

type NumericOption = "lockDuration" | "maxValueBytes" | "sweepIntervalMs" | "operationTimeoutMs" | "scanCount";

const DEFAULTS: Record<NumericOption, number> = {
  lockDuration: DEFAULT_LOCK_DURATION_MS,
  maxValueBytes: DEFAULT_MAX_VALUE_BYTES,
  sweepIntervalMs: DEFAULT_SWEEP_INTERVAL_MS,
  operationTimeoutMs: DEFAULT_OPERATION_TIMEOUT_MS,
  scanCount: DEFAULT_SCAN_COUNT,
};

/**
 * config.cache[name] when set, else what it defaults to: another setting of the user's (named, so a bad value there
 * is reported under its own name), then the plugin's default.
 */
function count(
  options: CachePluginConfig,
  name: NumericOption,
  max?: number,
  [fallbackName, fallback]: [string, unknown] = ["", undefined],
): number {
  const own = options[name];
  if (own !== undefined && own !== null) return positiveInteger(own, `config.cache.${name}`, max);
  if (fallback !== undefined && fallback !== null) return positiveInteger(fallback, fallbackName, max);
  return DEFAULTS[name];
}

type FlagOption = "registerRoutes" | "statusShowsOwner" | "actionsInProduction";

function onOff(options: CachePluginConfig, name: FlagOption, fallback: boolean): boolean {
  const own = options[name];
  return own === undefined || own === null ? fallback : flag(own, `config.cache.${name}`);
}

/** One entry of config.redis (client, subscriber, tasks), as actionhero reads it. */
export interface RedisConnectionConfig {
  konstructor: new (...args: unknown[]) => Redis | Cluster;
  args?: unknown[];
  buildNew?: boolean;
}
