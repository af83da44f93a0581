import { ProducerFailure } from "./call-style";
import { CacheError, CacheErrorCodes } from "./errors";
import { LostHolds, holdLock } from "./lock-holder";
import { deserializeValue, serializeValue } from "./serialization";
import type { CacheCounters } from "./stats";
import type { CacheStore } from "./types/store";
import { whileLocked } from "./waiting";

export interface FetchRequest<T> {
  store: CacheStore;
  owner: string;
  maxValueBytes: number;
  counters: CacheCounters;
  key: string;
  producer: () => T | Promise<T>;
  /** TTL of the produced value, or null for none. */
  ttl: number | null;
  /** TTL of the key's lock while the producer runs, and how long other callers wait. */
  lockTtl: number;
}

/**
 * fetch()'s single flight. Across servers, the one caller that finds no value takes the key's lock in the same
 * step (load-or-lock), produces and saves; the others wait for the release and read. In one process, callers with
 * the same owner and key share one flight, kept here rather than in module state.
 */
export class SingleFlight {
  private readonly flights = new Map<string, Promise<unknown>>();

  constructor(private readonly lostHolds: LostHolds) {}

  run<T>(request: FetchRequest<T>): Promise<T> {
    const flightKey = `${request.owner}\u0000${request.key}`;
    const joined = this.flights.get(flightKey);
    if (joined) return joined as Promise<T>;
    const flight = fetchAcrossServers(request, this.lostHolds).finally(() => this.flights.delete(flightKey));
    this.flights.set(flightKey, flight);
    return flight;
  }
}

async function fetchAcrossServers<T>(request: FetchRequest<T>, lostHolds: LostHolds): Promise<T> {
  const { store, owner, counters, key, lockTtl } = request;
  const found = await whileLocked(
    store,
    key,
    lockTtl,
    () => store.loadOrLock(key, owner, lockTtl),
    (outcome) => outcome.status === "locked",
    () => counters.lockWait(),
  );
  if (found.status === "ok") {
    counters.load(true, found.readOnly === true);
    return deserializeValue(found.object.json) as T;
  }
  if (found.status === "acquired") {
    counters.load(false);
    const lock = { store, lostHolds, key, owner, ttl: lockTtl, token: found.token };
    return holdLock(lock, ({ signal }) => produce(request, signal));
  }
  throw new CacheError(
    CacheErrorCodes.LOCK_TIMEOUT,
    `no value for ${JSON.stringify(key)} appeared within ${lockTtl} ms (options.lockTimeoutMS)`,
    { key },
  );
}

/** Runs under the key's lock, taken by the same step that found no value: produces, then saves. */
async function produce<T>(request: FetchRequest<T>, signal: AbortSignal): Promise<T> {
  const { store, owner, maxValueBytes, counters, key, producer, ttl } = request;
  let value: T;
  try {
    value = await producer();
  } catch (error) {
    throw new ProducerFailure(error);
  }
  if (value === undefined) {
    throw new CacheError(
      CacheErrorCodes.UNSERIALIZABLE_VALUE,
      `fetch(${JSON.stringify(key)}): the producer returned undefined, which cannot be cached; return null for "no value"`,
      { key },
    );
  }
  const json = serializeValue(value, maxValueBytes);
  // Guarded: if the lock was lost meanwhile, whoever holds it now decides what is stored. A hold told it may have
  // lost the lock (its signal aborted) does not write at all: the connection may be back while the lock still is.
  if (!signal.aborted && (await store.save(key, owner, json, ttl, true)) === "saved") counters.save();
  return deserializeValue(json) as T;
}
