import { isDeepStrictEqual } from "util";
import fc from "fast-check";
import { Cache, CacheError, CacheErrorCodes, CacheStore, MemoryStore, RedisStore } from "../../src/cache";
import { connectRedis, deleteByPrefix, uniquePrefix } from "../helpers/redis";

/**
 * Property tests over generated arguments, valid and not: every call settles without throwing synchronously, either
 * round-trips exactly or fails with a documented code, never touches another key, never pollutes Object.prototype.
 */
jest.setTimeout(120_000);

/** With Redis up, a call may only fail for what the caller did; UNAVAILABLE and STORE_ERROR would be our bug. */
const EXPECTED_CODES = new Set<string>(
  Object.values(CacheErrorCodes).filter(
    (code) => code !== CacheErrorCodes.UNAVAILABLE && code !== CacheErrorCodes.STORE_ERROR,
  ),
);
const redis = connectRedis();
const prefix = uniquePrefix("fuzz");

afterAll(async () => {
  await deleteByPrefix(redis, prefix);
  await redis.quit();
});

const loneSurrogate = fc.constantFrom("\uD800", "a\uDC00b", "\uDBFF");
const keyArbitrary = fc.oneof(
  { weight: 6, arbitrary: fc.string({ minLength: 1, maxLength: 40, unit: "grapheme" }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "*",
      "?",
      "[a-z]",
      "\\",
      "{",
      "}",
      "{x}",
      "a}b",
      "%7D",
      "__proto__",
      "constructor",
      "prototype",
      "line\nbreak",
    ),
  },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.constant(""),
      fc.constant("k".repeat(5000)),
      loneSurrogate,
      fc.integer(),
      fc.constant(null),
      fc.constant(undefined),
      fc.object(),
      fc.constant(Symbol("key")),
    ),
  },
);

const pollutingValue = fc.constantFrom(
  JSON.parse('{"__proto__": {"polluted": "yes"}}'),
  JSON.parse('{"constructor": {"prototype": {"polluted": "yes"}}}'),
  { nested: JSON.parse('{"__proto__": {"polluted": "yes"}}') },
);
const deepValue = fc
  .integer({ min: 1, max: 400 })
  .map((depth) => JSON.parse("[".repeat(depth) + "1" + "]".repeat(depth)));
const valueArbitrary = fc.oneof(
  { weight: 5, arbitrary: fc.jsonValue() },
  {
    weight: 2,
    arbitrary: fc.anything({
      withBigInt: true,
      withMap: true,
      withSet: true,
      withDate: true,
      withTypedArray: true,
      withSparseArray: true,
      withNullPrototype: true,
    }),
  },
  { weight: 1, arbitrary: pollutingValue },
  { weight: 1, arbitrary: deepValue },
  { weight: 1, arbitrary: fc.constantFrom(undefined, NaN, Infinity, () => 1, Symbol("v"), "x".repeat(200_000)) },
);
const ttlArbitrary = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.integer({ min: 1, max: 10_000_000 }),
  fc.double(),
  fc.constantFrom(0, -1, NaN, Infinity, "1000", true, [], {}),
  fc.record(
    { expireTimeMS: fc.oneof(fc.integer({ min: 1, max: 100_000 }), fc.constant(0)), requireLock: fc.boolean() },
    { requiredKeys: [] },
  ),
);
const optionsArbitrary = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.record(
    {
      expireTimeMS: ttlArbitrary,
      retry: fc.constantFrom(undefined, 0, 5, -1, "5"),
      grace: fc.constantFrom(undefined, null, 0, 5, -1, "5", 60_000),
    },
    { requiredKeys: [] },
  ),
  fc.dictionary(fc.string(), fc.anything()),
  fc.anything(),
);

const keysArbitrary = fc.oneof(
  { weight: 5, arbitrary: fc.array(keyArbitrary, { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.anything() },
);
const entriesArbitrary = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.array(
      fc.record({ key: keyArbitrary, value: valueArbitrary, expireTimeMS: ttlArbitrary }, { requiredKeys: ["key"] }),
      { maxLength: 5 },
    ),
  },
  { weight: 1, arbitrary: fc.anything() },
);

const callArbitrary = fc.record({
  method: fc.constantFrom(
    "save",
    "load",
    "destroy",
    "lock",
    "unlock",
    "checkLock",
    "locks",
    "acquireLock",
    "push",
    "pop",
    "listLength",
    "fetch",
    "keys",
    "extendLock",
    "size",
    "loadMany",
    "saveMany",
    "destroyMany",
    "get",
    "has",
  ),
  key: keyArbitrary,
  keys: keysArbitrary,
  entries: entriesArbitrary,
  value: valueArbitrary,
  ttl: ttlArbitrary,
  options: optionsArbitrary,
  withCallback: fc.boolean(),
});

type Call = typeof callArbitrary extends fc.Arbitrary<infer T> ? T : never;

function invoke(cache: Cache, call: Call): { promise: Promise<unknown>; callbackResult?: Promise<unknown[]> } {
  const args: unknown[] = [call.key];
  if (call.method === "save") args.push(call.value, call.ttl);
  if (call.method === "load" || call.method === "destroy" || call.method === "acquireLock") args.push(call.options);
  if (call.method === "lock" || call.method === "checkLock" || call.method === "extendLock") args.push(call.ttl);
  if (call.method === "push") args.push(call.value, call.options);
  if (call.method === "pop" || call.method === "get") args.push(call.options);
  if (call.method === "fetch") args.push(() => call.value, call.options);
  if (call.method === "locks") args.length = 0;
  if (call.method === "loadMany" || call.method === "destroyMany") args.splice(0, 1, call.keys, call.options);
  if (call.method === "saveMany") args.splice(0, 1, call.entries, call.options);
  let callbackResult: Promise<unknown[]> | undefined;
  if (call.withCallback) {
    callbackResult = new Promise((resolve) => args.push((...results: unknown[]) => resolve(results)));
  }
  const method = (cache as unknown as Record<string, (...input: unknown[]) => Promise<unknown>>)[call.method];
  return { promise: method.apply(cache, args), callbackResult };
}

/** True when the call stores its value with a TTL short enough to expire before the fuzz check reads it back. */
function isShortLived(call: Call): boolean {
  const ttlOf = (source: unknown): unknown =>
    typeof source === "object" && source !== null ? (source as { expireTimeMS?: unknown }).expireTimeMS : source;
  const ttl = ttlOf(call.method === "fetch" ? call.options : call.ttl);
  return typeof ttl === "number" && ttl < 1000;
}

/**
 * What a stored value must come back as, worked out independently of the implementation: toJSON applied (the
 * documented Date rule), -0 as 0, objects as plain objects without their undefined properties. Everything else (undefined, holes, functions,
 * BigInt…) is kept as is, so if such a value were ever accepted, the strict comparison (util.isDeepStrictEqual,
 * which also tells holes from undefined and an own "constructor" key from a prototype) would fail.
 */
function documentedForm(value: unknown): unknown {
  if (typeof value === "number" && Object.is(value, -0)) return 0;
  if (typeof value !== "object" || value === null) return value;
  const withToJSON = value as { toJSON?: () => unknown };
  if (typeof withToJSON.toJSON === "function") return documentedForm(withToJSON.toJSON());
  if (Array.isArray(value)) return value.map(documentedForm);
  const plain: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    // Documented: a property whose value is undefined is dropped, as JSON.stringify drops it.
    if ((value as Record<string, unknown>)[key] === undefined) continue;
    Object.defineProperty(plain, key, {
      value: documentedForm((value as Record<string, unknown>)[key]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return plain;
}

function describeStoreFuzz(name: string, makeStore: () => CacheStore, nearCache = false) {
  describe(`fuzzed calls: ${name}`, () => {
    let store: CacheStore;
    let cache: Cache;
    let neighbour: Cache;

    beforeAll(() => {
      store = makeStore();
      cache = new Cache({ store, owner: "fuzzer", maxValueBytes: 64 * 1024, nearCache });
      neighbour = cache.withOwner("neighbour");
    });

    afterAll(() => store.close());

    test("every call settles, with a value or a documented code, and leaves other keys alone", async () => {
      const sentinelValue = { untouched: ["yes", 1, null] };
      await fc.assert(
        fc.asyncProperty(callArbitrary, async (call) => {
          await neighbour.save("sentinel", sentinelValue);
          await neighbour.lock("sentinel-lock", 60_000);
          const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).join(",");

          let invoked!: ReturnType<typeof invoke>;
          expect(() => {
            invoked = invoke(cache, call);
          }).not.toThrow();
          let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
          try {
            outcome = { ok: true, value: await invoked.promise };
          } catch (error) {
            outcome = { ok: false, error };
          }
          if (invoked.callbackResult) {
            const [callbackError] = await invoked.callbackResult;
            if (outcome.ok) expect(callbackError).toBeNull();
            else expect((callbackError as CacheError).code).toBe((outcome.error as CacheError).code);
          }

          if (!outcome.ok) {
            expect(outcome.error).toBeInstanceOf(CacheError);
            expect(EXPECTED_CODES.has((outcome.error as CacheError).code)).toBe(true);
            expect((outcome.error as CacheError).message.length).toBeGreaterThan(5);
          } else if (call.method === "save" || call.method === "fetch") {
            // A TTL of a few ms (fc.double() gives 1e-84, rounded up to 1 ms) may run out before the check reads it
            // back: then the only right answer is NOT_FOUND. Otherwise the value comes back as documented.
            const loaded = await cache.load(call.key as string).catch((error: CacheError) => error);
            if (loaded instanceof CacheError) {
              expect([loaded.code, isShortLived(call)]).toEqual(["NOT_FOUND", true]);
            } else {
              expect(loaded.value).toEqual(documentedForm(call.value));
              expect(isDeepStrictEqual(loaded.value, documentedForm(call.value))).toBe(true);
            }
          } else if (call.method === "saveMany") {
            // Every entry is stored as documented; a key given twice keeps its last value. An entry with a TTL of a
            // few ms may be gone by the time it is read back.
            const entries = call.entries as Array<{ key: string; value: unknown; expireTimeMS?: unknown }>;
            const batchTtl = (call.options as { expireTimeMS?: unknown } | null | undefined)?.expireTimeMS;
            const expected = new Map(
              entries.map((entry) => {
                const ttl = Object.hasOwn(entry, "expireTimeMS") ? entry.expireTimeMS : batchTtl;
                return [
                  entry.key,
                  { value: documentedForm(entry.value), shortLived: typeof ttl === "number" && ttl < 1000 },
                ];
              }),
            );
            const loaded = await cache.loadMany([...expected.keys()]);
            for (const result of loaded) {
              const { value, shortLived } = expected.get(result.key)!;
              if (result.found) expect(isDeepStrictEqual(result.value, value)).toBe(true);
              else expect([result.error.code, shortLived]).toEqual(["NOT_FOUND", true]);
            }
          } else if (call.method === "loadMany") {
            expect((outcome.value as unknown[]).length).toBe((call.keys as unknown[]).length);
          } else if (call.method === "push") {
            expect(isDeepStrictEqual(await cache.pop(call.key as string), documentedForm(call.value))).toBe(true);
          }

          // Nothing else changed: the neighbour's object and lock are intact, Object.prototype is clean.
          expect((await neighbour.load("sentinel")).value).toEqual(sentinelValue);
          expect(await cache.checkLock("sentinel-lock")).toBe(false);
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
          expect(Object.getOwnPropertyNames(Object.prototype).join(",")).toBe(prototypeBefore);

          // Each run starts from an empty namespace, locks included; the sentinels are written again.
          await cache.clear({ locks: true });
        }),
        { numRuns: 300 },
      );
    });

    test("valid JSON values round-trip exactly, with TTLs and through callbacks", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc
            .string({ minLength: 1, maxLength: 30 })
            .filter((key) => (key as string & { isWellFormed(): boolean }).isWellFormed()),
          fc.jsonValue(),
          fc.option(fc.integer({ min: 1000, max: 1_000_000 }), { nil: undefined }),
          async (key, value, ttl) => {
            const saved = await new Promise((resolve, reject) => {
              void cache.save(key, value, ttl, (error, result) => (error ? reject(error) : resolve(result)));
            });
            expect(saved).toBe(true);
            const [error, loaded, expireTimestamp, createdAt] = await new Promise<unknown[]>((resolve) => {
              void cache.load(key, (...args) => resolve(args));
            });
            expect(error).toBeNull();
            expect(isDeepStrictEqual(loaded, documentedForm(value))).toBe(true);
            expect(expireTimestamp).toBe(ttl === undefined ? null : (createdAt as number) + ttl);
            await cache.destroy(key);
          },
        ),
        { numRuns: 200 },
      );
    });
  });
}

describeStoreFuzz("memory store", () => new MemoryStore());
describeStoreFuzz(
  "redis store",
  () => new RedisStore({ client: redis, prefix: `${prefix}obj:`, lockPrefix: `${prefix}lock:` }),
);
describeStoreFuzz(
  "redis store, near cache on",
  () => new RedisStore({ client: redis, prefix: `${prefix}near:obj:`, lockPrefix: `${prefix}near:lock:` }),
  true,
);
