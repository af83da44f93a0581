// The package entry: the framework-free cache library, plus the plugin's initializers and actions. The initializer's
// module augmentation types `api.cache` and `config.cache` in any project that references or imports this package.
export * from "./cache";
export type { CachePluginConfig } from "./plugin/config";
export type { CacheOptionsInEffect } from "./plugin/options-in-effect";
export { CacheInitializer } from "./initializers/cache";
export { CacheInMemoryRedisInitializer } from "./initializers/in-memory-redis";
export { CacheTestAction } from "./actions/cacheTest";
export { CacheStatusAction } from "./actions/cacheStatus";
