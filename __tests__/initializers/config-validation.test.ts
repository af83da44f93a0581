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
    actionsInProduction: false,
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

/** Every numeric option, the largest value it takes, and what it is for in the message. */
const NUMERIC_OPTIONS: Array<[string, number]> = [
  ["lockDuration", 100 * 365.25 * 24 * 60 * 60 * 1000],
  ["maxValueBytes", Number.MAX_SAFE_INTEGER],
  ["sweepIntervalMs", 2 ** 31 - 1],
  ["operationTimeoutMs", 2 ** 31 - 1],
  ["scanCount", Number.MAX_SAFE_INTEGER],
];

function expected(name: string, max: number): string {
  return max < Number.MAX_SAFE_INTEGER ? `a positive integer no larger than ${max}` : "a positive integer";
}

describe.each(NUMERIC_OPTIONS)("numeric option %s", (name, max) => {
  test("a numeric string (as from an environment variable) is refused, saying how to convert it", async () => {
    expect(await initializeWith({ [name]: "50" })).toMatchObject({
      code: "INVALID_OPTIONS",
      message:
        `config.cache.${name} must be ${expected(name, max)}, got the string "50"; ` +
        "convert it where you read it, e.g. Number(process.env.MY_SETTING)",
    });
  });

  test.each([
    [0, "0"],
    [-1, "-1"],
    [Number.NaN, "NaN"],
    [Number.POSITIVE_INFINITY, "Infinity"],
    [1.5, "1.5"],
    [true, "true"],
    [{}, "{}"],
  ])("%p is refused with INVALID_OPTIONS naming the option and the value", async (bad, shown) => {
    expect(await initializeWith({ [name]: bad })).toMatchObject({
      code: "INVALID_OPTIONS",
      message: `config.cache.${name} must be ${expected(name, max)}, got ${shown}`,
    });
  });

  test("the largest value it takes is accepted; one more is refused", async () => {
    expect((await initializeWith({ [name]: max })).message).toBe("started");
    if (max < Number.MAX_SAFE_INTEGER) {
      expect(await initializeWith({ [name]: max + 1 })).toMatchObject({
        code: "INVALID_OPTIONS",
        message: `config.cache.${name} must be ${expected(name, max)}, got ${max + 1}`,
      });
    }
  });
});

test.each([
  ["general", "lockDuration", "config.general.lockDuration", expected("lockDuration", NUMERIC_OPTIONS[0][1])],
  ["redis", "scanCount", "config.redis.scanCount", "a positive integer"],
])(
  "a bad config.%s.%s, which the option defaults to, is refused under its own name",
  async (namespace, key, name, what) => {
    const section = (config as Record<string, any>)[namespace];
    const before = section[key];
    section[key] = "1000";
    try {
      expect(await initializeWith({})).toMatchObject({
        code: "INVALID_OPTIONS",
        message: `${name} must be ${what}, got the string "1000"; convert it where you read it, e.g. Number(process.env.MY_SETTING)`,
      });
    } finally {
      section[key] = before;
    }
  },
);

test.each(["registerRoutes", "statusShowsOwner", "actionsInProduction"])(
  '%s must be a boolean: the string "false" is refused',
  async (name) => {
    expect(await initializeWith({ [name]: "false" })).toMatchObject({
      code: "INVALID_OPTIONS",
      message:
        `config.cache.${name} must be true or false, got the string "false"; ` +
        'convert it where you read it, e.g. process.env.MY_SETTING === "true"',
    });
    expect(await initializeWith({ [name]: 1 })).toMatchObject({
      code: "INVALID_OPTIONS",
      message: `config.cache.${name} must be true or false, got 1`,
    });
  },
);

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
