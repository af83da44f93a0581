import type { Cache, CacheError, CacheStore } from "../../../src/cache";

/** What each store's test file provides: a fresh, empty namespace per test, and that store's clock. */
export interface ConformanceTarget {
  store: CacheStore;
  /** The clock the store stamps with (Redis TIME for Redis, Date.now for memory), in ms. */
  now(): Promise<number>;
  cleanup(): Promise<void>;
}

/**
 * What a behaviour file sees, refreshed before each test: the target, and two caches with different owners on the
 * same store, the way two actionhero servers share one Redis.
 */
export interface World {
  target: ConformanceTarget;
  alice: Cache;
  bob: Cache;
}

/** One behaviour of the conformance suite: registers its describe blocks, reading the world inside each test. */
export type Behaviour = (world: World) => void;

export async function rejectionOf(promise: Promise<unknown>): Promise<CacheError> {
  try {
    await promise;
  } catch (error) {
    return error as CacheError;
  }
  throw new Error("expected the promise to reject, but it resolved");
}

export function callbackResult(register: (next: (...args: unknown[]) => void) => unknown): Promise<unknown[]> {
  return new Promise((resolve) => {
    register((...args: unknown[]) => resolve(args));
  });
}

/** Resolves after the current microtasks and I/O callbacks, so concurrent calls get to interleave. */
export const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Keys that are glob patterns, hash tags, escapes, unicode or control characters in Redis terms. */
export const SPECIAL_KEYS = [
  "*",
  "?",
  "[a-z]",
  "a*b?c[d]",
  "{",
  "}",
  "}x",
  "{tag}",
  "a}b{c}",
  "%7D",
  "%25}",
  "back\\slash",
  "ключ-🔑-鍵",
  "line\nbreak\ttab",
  " leading and trailing ",
];
