import type { StoreKind } from "../cache";
import type { ResolvedCachePluginConfig } from "./config";

/** The options a running server actually uses, after defaults: logged once at start, shown by cacheStatus. */
export interface CacheOptionsInEffect {
  store: StoreKind;
  /** The Redis the cache talks to, and its version when it answered at start (Redis store only). */
  redis?: { endpoint: string; version: string | null };
  prefix?: string;
  lockPrefix?: string;
  lockDuration: number;
  operationTimeoutMs: number;
  maxValueBytes: number;
  scanCount?: number;
  sweepIntervalMs?: number;
  registerRoutes: boolean;
  statusShowsOwner: boolean;
  actionsInProduction: boolean;
  nearCache: ResolvedCachePluginConfig["nearCache"];
}

let current: CacheOptionsInEffect | undefined;

export function describeOptionsInEffect(
  options: ResolvedCachePluginConfig,
  store: StoreKind,
  redis?: CacheOptionsInEffect["redis"],
): CacheOptionsInEffect {
  const common = {
    lockDuration: options.lockDuration,
    operationTimeoutMs: options.operationTimeoutMs,
    maxValueBytes: options.maxValueBytes,
    registerRoutes: options.registerRoutes,
    statusShowsOwner: options.statusShowsOwner,
    actionsInProduction: options.actionsInProduction,
    nearCache: options.nearCache,
  };
  if (store === "memory") return { store, ...common, sweepIntervalMs: options.sweepIntervalMs };
  return {
    store,
    redis,
    prefix: options.prefix,
    lockPrefix: options.lockPrefix,
    scanCount: options.scanCount,
    ...common,
  };
}

export function recordOptionsInEffect(options: CacheOptionsInEffect | undefined): void {
  current = options;
}

/** What this server started with, or undefined before the plugin's initializer has run. */
export function optionsInEffect(): CacheOptionsInEffect | undefined {
  return current;
}
