/** The near cache's limits and the counts stats() reports of it. */
export interface NearCacheLimits {
  /** At most this many copies; the least recently used goes first. */
  maxEntries: number;
  /** At most this many bytes of keys and JSON text; the least recently used goes first. */
  maxBytes: number;
}

export const DEFAULT_NEAR_CACHE_LIMITS: NearCacheLimits = { maxEntries: 10_000, maxBytes: 32 * 1024 * 1024 };

/** What stats() reports of the near cache. */
export interface NearCacheStats {
  /** Whether reads are answered from process memory (config.cache.nearCache on). */
  enabled: boolean;
  /** Whether the store's change feed is live, so copies can be trusted right now. */
  live: boolean;
  entries: number;
  bytes: number;
  /** Reads answered from process memory. */
  hits: number;
  /** Reads that had to ask the store. */
  misses: number;
  /** Copies dropped because their key changed (or everything may have). */
  invalidations: number;
  /** Copies dropped to stay under maxEntries/maxBytes. */
  evictions: number;
  /** Reads answered with a stale copy within their grace period, because the store or the producer failed. */
  graceHits: number;
}
