export { Cache, DEFAULT_LOCK_DURATION_MS, DEFAULT_MAX_VALUE_BYTES } from "./cache";
export type {
  CacheOptions,
  CacheStats,
  CacheStatus,
  FetchOptions,
  ListWriteOptions,
  DumpReadOptions,
  DumpReadResult,
  DumpWriteOptions,
  LoadOptions,
  LoadResult,
  GetOptions,
  LoadManyOptions,
  LoadManyResult,
  SaveManyEntry,
  SaveManyOptions,
  SaveOptions,
  DestroyOptions,
  ClearOptions,
  LockOptions,
  WithLockOptions,
  LockContext,
  Callback,
  LoadCallback,
} from "./cache";
export { MAX_BATCH_BYTES, MAX_BATCH_KEYS } from "./batch-arguments";
export { DEFAULT_NEAR_CACHE_LIMITS } from "./near-cache";
export type { NearCacheLimits, NearCacheStats } from "./near-cache";
export { CacheError, CacheErrorCodes, isCacheError, NOT_FOUND_MESSAGE, LOCKED_MESSAGE } from "./errors";
export type { CacheErrorCode } from "./errors";
export { MemoryStore, DEFAULT_SWEEP_INTERVAL_MS } from "./stores/memory";
export type { MemoryStoreOptions } from "./stores/memory";
export { RedisStore, DEFAULT_PREFIX, DEFAULT_LOCK_PREFIX, DEFAULT_SCAN_COUNT } from "./stores/redis";
export type { RedisStoreOptions } from "./stores/redis";
export { RedisKeyLayout } from "./stores/redis-keys";
export type {
  CacheStore,
  StoreKind,
  StoredObject,
  LoadOutcome,
  SaveOutcome,
  DestroyOutcome,
  PushOutcome,
  PopOutcome,
  ListLengthOutcome,
  DumpEntry,
  RestoreOutcome,
  LockDetails,
  UnlockSignal,
  ChangeListener,
} from "./types/store";
export { DUMP_FORMAT, DUMP_VERSION } from "./dump";
export { MAX_KEY_LENGTH, MAX_DURATION_MS } from "./validation";
export { MAX_VALUE_DEPTH } from "./serialization";
export {
  failFastOptions,
  clusterFailFastOptions,
  waitUntilReady,
  describeEndpoint,
  DEFAULT_OPERATION_TIMEOUT_MS,
} from "./stores/redis-connection";
