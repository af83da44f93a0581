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
 * A flight, and whether a new caller may still share its answer: only while the store command that decides the
 * answer (the read, or the producer's save) has not been sent. A caller that came later could otherwise get a value
 * that a write, completed before it called, had already replaced (the history checker found this: a fetch joined
 * a flight whose saved value another client of the same process had just overwritten).
 */
interface Flight {
  promise: Promise<unknown>;
  joinable: boolean;
}

/**
 * fetch()'s single flight. Across servers, the one caller that finds no value takes the key's lock in the same
 * step (load-or-lock), produces and saves; the others wait for the release and read. In one process, callers with
 * the same owner and key share one flight while it is joinable (kept here rather than in module state); a caller
 * that finds it past that point starts its own, which waits for the lock like any other.
 */
export class SingleFlight {
  private readonly flights = new Map<string, Flight>();

  constructor(private readonly lostHolds: LostHolds) {}

  run<T>(request: FetchRequest<T>): Promise<T> {
    const flightKey = `${request.owner}\u0000${request.key}`;
    const current = this.flights.get(flightKey);
    if (current?.joinable) return current.promise as Promise<T>;
    const flight: Flight = { promise: Promise.resolve(), joinable: true };
    flight.promise = fetchAcrossServers(request, this.lostHolds, flight).finally(() => {
      if (this.flights.get(flightKey) === flight) this.flights.delete(flightKey);
    });
    this.flights.set(flightKey, flight);
    return flight.promise as Promise<T>;
  }
}

/**
 * Sends a store command that may decide the flight's answer: callers still join in this turn of the event loop
 * (the command is written to the socket at its end at the earliest), not after.
 */
function deciding<O>(flight: Flight, command: () => Promise<O>): Promise<O> {
  const sent = command();
  queueMicrotask(() => (flight.joinable = false));
  return sent;
}

async function fetchAcrossServers<T>(request: FetchRequest<T>, lostHolds: LostHolds, flight: Flight): Promise<T> {
  const { store, owner, counters, key, lockTtl } = request;
  const found = await whileLocked(
    store,
    key,
    lockTtl,
    async () => {
      const outcome = await deciding(flight, () => store.loadOrLock(key, owner, lockTtl));
      // Locked: the next read comes after the wait, and acquired: the producer's save comes later; joiners until then.
      if (outcome.status !== "ok") flight.joinable = true;
      return outcome;
    },
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
    return holdLock(lock, ({ signal }) => produce(request, signal, flight));
  }
  throw new CacheError(
    CacheErrorCodes.LOCK_TIMEOUT,
    `no value for ${JSON.stringify(key)} appeared within ${lockTtl} ms (options.lockTimeoutMS)`,
    { key },
  );
}

/** Runs under the key's lock, taken by the same step that found no value: produces, then saves. */
async function produce<T>(request: FetchRequest<T>, signal: AbortSignal, flight: Flight): Promise<T> {
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
  if (signal.aborted) return deserializeValue(json) as T;
  const saved = await deciding(flight, () => store.save(key, owner, json, ttl, true));
  if (saved === "saved") counters.save();
  return deserializeValue(json) as T;
}
