import { api, config } from "actionhero";
import { compiledCacheInitializer } from "./compiled-initializer";

/**
 * Starts the running Process's plugin again with `cacheConfig` as config.cache, runs `body`, then puts back the
 * running api.cache and its options in effect (the compiled module's, which the server's actions read). `body`
 * gets the start-up notes the plugin would have logged, one per line.
 */
export async function withPluginConfig(
  cacheConfig: Record<string, unknown>,
  body: (startupNotes: string) => Promise<void>,
): Promise<void> {
  const CacheInitializer = await compiledCacheInitializer();
  // Paths in variables, as in compiled-initializer.ts: the modules the server loaded from dist/.
  const optionsModule = "../../dist/plugin/options-in-effect";
  const notesModule = "../../dist/plugin/startup-notes";
  const options = (await import(optionsModule)) as typeof import("../../src/plugin/options-in-effect");
  const notes = (await import(notesModule)) as typeof import("../../src/plugin/startup-notes");
  const running = { cache: api.cache, options: options.optionsInEffect() };
  const initializer = new CacheInitializer();
  config.cache = cacheConfig;
  try {
    await initializer.initialize();
    let printed = "";
    notes.printStartupNotes({ write: (text: string) => Boolean((printed += text)) });
    await body(printed);
  } finally {
    await initializer.stop();
    delete (config as Record<string, unknown>).cache;
    api.cache = running.cache;
    options.recordOptionsInEffect(running.options);
  }
}
