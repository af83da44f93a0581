import asCallback from "standard-as-callback";
import { CacheError, CacheErrorCodes } from "./errors";

/** The promise-plus-callback calling convention of every public Cache method. */

export type AnyFunction = (...args: never[]) => unknown;

/**
 * A producer's own error, carried through the cache's error handling unchanged: fetch() rejects with exactly what
 * the producer threw, not a CacheError wrapping it.
 */
export class ProducerFailure extends Error {
  constructor(readonly error: unknown) {
    super("the producer failed");
  }
}

/**
 * Splits off a trailing node-style callback. Only arguments past the required ones can be the callback,
 * so `save("k", someFunction)` is refused as an unserializable value instead of losing the value.
 */
export function splitCallback(args: unknown[], required: number): [unknown[], AnyFunction | undefined] {
  if (args.length > required && typeof args[args.length - 1] === "function") {
    return [args.slice(0, -1), args[args.length - 1] as AnyFunction];
  }
  return [args, undefined];
}

/** What a failed operation rejects with: a CacheError as it is, anything unexpected as a STORE_ERROR. */
export function asFailure(error: unknown): CacheError | ProducerFailure {
  if (error instanceof CacheError || error instanceof ProducerFailure) return error;
  return new CacheError(CacheErrorCodes.STORE_ERROR, `unexpected failure: ${(error as Error)?.message ?? error}`, {
    cause: error,
  });
}

/** Resolves the promise, and also calls `next(error, result)` when a callback was given. */
export function withCallback<T>(promise: Promise<T>, next: AnyFunction | undefined): Promise<T> {
  if (next) void asCallback(promise, next as unknown as (error: Error | null, result?: T) => void);
  return promise;
}

/** load()'s callback form, as actionhero's docs give it: `next(error, value, expireTimestamp, createdAt, readAt)`. */
export function withLoadCallback<
  R extends { value: unknown; expireTimestamp: unknown; createdAt: unknown; readAt: unknown },
>(promise: Promise<R>, next: AnyFunction | undefined): Promise<R> {
  if (next) {
    void asCallback(
      promise.then((result) => [result.value, result.expireTimestamp, result.createdAt, result.readAt]),
      (error: Error | null, ...values: unknown[]) =>
        error ? next(...([error, null, null, null, null] as never[])) : next(...([null, ...values] as never[])),
      { spread: true },
    );
  }
  return promise;
}
