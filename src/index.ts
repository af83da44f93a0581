// The package entry: the framework-free cache library, plus the initializer whose module augmentation
// types `api.cache` in any project that imports this package.
export * from "./cache";
export type { CachePluginConfig } from "./plugin/config";
export { CacheInitializer } from "./initializers/cache";
