import type { CacheInitializer } from "../../src/initializers/cache";

/**
 * The plugin's compiled initializer, the one a server loads from dist/ (so module state it shares with the
 * compiled actions, such as the options in effect, is the server's), typed from its source. The path is a variable
 * so that neither lint nor the compiler depends on dist/ being built, or compares its declarations with the source's.
 */
export async function compiledCacheInitializer(): Promise<typeof CacheInitializer> {
  const compiled = "../../dist/initializers/cache";
  return ((await import(compiled)) as typeof import("../../src/initializers/cache")).CacheInitializer;
}
