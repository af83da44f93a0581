import { config } from "actionhero";
import { closestName } from "../../src/plugin/closest-name";
import { CACHE_OPTION_NAMES } from "../../src/plugin/config";
import { compiledCacheInitializer } from "../helpers/compiled-initializer";

/** A typo in config.cache stops the server at start, naming the key and the option it most likely meant. */
async function initializeWith(cacheConfig: unknown): Promise<{ code?: string; message: string; stack?: string }> {
  (config as Record<string, unknown>).cache = cacheConfig;
  const CacheInitializer = await compiledCacheInitializer();
  const initializer = new CacheInitializer();
  try {
    return (await initializer.initialize().then(
      () => ({ message: "started" }),
      (error: unknown) => error,
    )) as { code?: string; message: string };
  } finally {
    await initializer.stop();
    delete (config as Record<string, unknown>).cache;
  }
}

test("an unknown key is refused with INVALID_OPTIONS, naming it and the closest valid one", async () => {
  const failure = await initializeWith({ lockDurationMs: 7500 });
  expect(failure.code).toBe("INVALID_OPTIONS");
  expect(failure.message).toBe(
    "config.cache.lockDurationMs is not an ah-cache-plugin option; did you mean lockDuration? " +
      `The options are: ${CACHE_OPTION_NAMES.join(", ")}.`,
  );
});

test("a key with no close match is refused without a guess", async () => {
  const failure = await initializeWith({ compression: "gzip" });
  expect(failure.code).toBe("INVALID_OPTIONS");
  expect(failure.message).toMatch(/^config\.cache\.compression is not an ah-cache-plugin option\. The options are: /);
});

test("config.cache that is not an object is refused", async () => {
  for (const bad of [["prefix"], "prefix", 42]) {
    const failure = await initializeWith(bad);
    expect(failure).toMatchObject({
      code: "INVALID_OPTIONS",
      message: "config.cache must be an object of ah-cache-plugin options",
    });
  }
});

test("every documented option is accepted", async () => {
  const failure = await initializeWith({
    prefix: "config-validation:obj:",
    lockPrefix: "config-validation:lock:",
    owner: "o",
    lockDuration: 1000,
    maxValueBytes: 1000,
    sweepIntervalMs: 1000,
    operationTimeoutMs: 1000,
    registerRoutes: false,
    statusShowsOwner: false,
    cluster: undefined,
    nearCache: { maxEntries: 100, maxBytes: 1_000_000 },
    scanCount: 10,
  });
  expect(failure.message).toBe("started");
});

test.each([
  ["yes", 'config.cache.nearCache must be false, true or { maxEntries, maxBytes }, got "yes"'],
  [{ maxEntries: 0 }, "config.cache.nearCache.maxEntries must be a positive integer, got 0"],
  [{ maxBytes: 1.5 }, "config.cache.nearCache.maxBytes must be a positive integer, got 1.5"],
  [
    { maxEntry: 10 },
    "config.cache.nearCache.maxEntry is not a near cache option; the options are maxEntries and maxBytes",
  ],
])("nearCache %j is refused at start: %s", async (nearCache, message) => {
  expect(await initializeWith({ nearCache })).toMatchObject({ code: "INVALID_OPTIONS", message });
});

test.each([
  ["lockDurationMs", "lockDuration"],
  ["lockduration", "lockDuration"],
  ["prefx", "prefix"],
  ["lock_prefix", "lockPrefix"],
  ["timeout", "operationTimeoutMs"],
  ["operationTimeout", "operationTimeoutMs"],
  ["maxValueSize", "maxValueBytes"],
  ["routes", "registerRoutes"],
  ["clusters", "cluster"],
  ["nearcache", "nearCache"],
  ["nearCaching", "nearCache"],
  ["ms", undefined],
])("closestName(%j) is %j", (typo, expected) => {
  expect(closestName(typo, CACHE_OPTION_NAMES)).toBe(expected);
});
