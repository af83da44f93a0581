// One worker process of a history run (see ../README.md): `clients` concurrent clients run random cache operations
// over a few keys until the deadline, and every operation is written as one JSON line (the history format) to the
// output file, with times on the machine-wide monotonic clock. Runs the compiled library (dist/), as an app would.
const fs = require("fs");
const Redis = require("ioredis");
const { Cache, MemoryStore, RedisStore, failFastOptions, waitUntilReady } = require("../../../dist/cache");
const { classify } = require("./outcomes");
const { random } = require("./random");

const options = JSON.parse(process.argv[2]);
const now = () => Number(process.hrtime.bigint()) / 1e6;
const out = fs.createWriteStream(options.output);
let nextId = options.worker * 10_000_000;

function openStore() {
  if (options.store === "memory") {
    return { store: new MemoryStore({ sweepIntervalMs: 0 }), ready: async () => true, close: async () => {} };
  }
  const client = options.cluster
    ? new Redis.Cluster(options.cluster, {
        enableOfflineQueue: false,
        redisOptions: failFastOptions(options.timeoutMs),
      })
    : new Redis(options.redisUrl, { ...failFastOptions(options.timeoutMs), retryStrategy: () => 50 });
  client.on("error", () => undefined);
  const store = new RedisStore({
    client,
    prefix: `${options.prefix}obj:`,
    lockPrefix: `${options.prefix}lock:`,
    operationTimeoutMs: options.timeoutMs,
  });
  return {
    store,
    ready: () => waitUntilReady(client, 10_000),
    close: () => store.close().then(() => client.disconnect()),
  };
}

function record(fields) {
  out.write(JSON.stringify({ id: nextId++, ...fields }) + "\n");
}

/** Runs `call`, then records one op per key with the outcome its answer or error says. */
async function observe(who, method, keys, call, describe) {
  const invoke = now();
  let answer;
  let error;
  try {
    answer = await call();
  } catch (caught) {
    error = caught;
  }
  const complete = now();
  const outcome = classify(error);
  // While Redis is away calls fail at once: a short pause keeps a client from spinning through thousands of them.
  if (error && error.code === "UNAVAILABLE") await new Promise((resolve) => setTimeout(resolve, 10));
  for (const [index, key] of keys.entries()) {
    const meaning = describe(answer, error, index);
    if (meaning) record({ process: who, key, method, invoke, complete, ...outcome, ...meaning });
  }
}

const isNearHit = (value) => typeof value === "object" && value !== null && Object.isFrozen(value);

/**
 * Runs a read and says whether the near cache may have answered it: a frozen value is a copy; for null or a boolean,
 * any near hit this process counted meanwhile (a concurrent caller's too: it errs towards "may have").
 */
function nearAware(cache, call) {
  return async () => {
    const { hits, graceHits } = cache.stats().nearCache;
    const value = await call();
    const after = cache.stats().nearCache;
    return { value, near: isNearHit(value) || after.hits > hits, grace: after.graceHits > graceHits };
  };
}

/** How far back a grace read may reach, in ms: long enough to span the faults' windows. */
const GRACE_MS = 2_000;

const nearFlag = (answer) => (answer && answer.near ? { nearHit: true } : {});
// Like nearFlag, any grace hit of this process during the call counts: a read judged by the grace rule it did not
// need is judged more leniently, never wrongly.
const graceFlag = (answer) => (answer && answer.grace ? { graceMs: GRACE_MS, graceHit: true } : {});

function client(cache, name, draw) {
  let serial = 0;
  const fresh = () => ({ v: `${name}-${serial++}` });
  const key = () => options.keys[Math.floor(draw() * options.keys.length)];
  const twoKeys = () => [...new Set([key(), key()])];
  const read = (value, error) =>
    error?.code === "NOT_FOUND" ? { kind: "read", value: null } : { kind: "read", value: value ?? null };
  // get, or get with grace: the near cache and grace may answer either (a concurrent caller's grace hit marks a
  // plain get too, which only judges it more leniently). No options keeps get on its fast path.
  const get = (options) => () => {
    const k = key();
    return observe(
      name,
      "get",
      [k],
      nearAware(cache, () => (options ? cache.get(k, options) : cache.get(k))),
      (answer, error) => ({ ...read(answer?.value, error), ...nearFlag(answer), ...graceFlag(answer) }),
    );
  };
  const operations = [
    () => {
      const k = key();
      const value = fresh();
      return observe(
        name,
        "save",
        [k],
        () => cache.save(k, value),
        () => ({ kind: "write", value }),
      );
    },
    () => {
      const k = key();
      return observe(name, "load", [k], () => cache.load(k).then((found) => found.value), read);
    },
    get(undefined),
    () => {
      const k = key();
      return observe(
        name,
        "has",
        [k],
        nearAware(cache, () => cache.has(k)),
        (answer) => ({ kind: "exists", value: answer?.value === true, ...nearFlag(answer) }),
      );
    },
    () => {
      const k = key();
      return observe(
        name,
        "destroy",
        [k],
        () => cache.destroy(k),
        () => ({ kind: "delete" }),
      );
    },
    () => {
      const keys = twoKeys();
      const values = keys.map(fresh);
      const entries = keys.map((k, i) => ({ key: k, value: values[i] }));
      return observe(
        name,
        "saveMany",
        keys,
        () => cache.saveMany(entries),
        (_, __, i) => ({
          kind: "write",
          value: values[i],
        }),
      );
    },
    () => {
      const keys = twoKeys();
      return observe(
        name,
        "loadMany",
        keys,
        () => cache.loadMany(keys),
        (results, error, i) => {
          const result = results?.[i];
          if (result && !result.found && result.error?.code !== "NOT_FOUND") return undefined;
          return { kind: "read", value: result?.found ? result.value : null };
        },
      );
    },
    () => {
      const k = key();
      const mine = fresh();
      // Its own value back: it produced and tried a guarded save, which a lost lock refuses, and a same-owner save
      // may come between its miss and its save (locks are per owner): a write that may or may not have happened.
      // An error whose outcome is unknown: its save may have been sent (a stalled Redis runs it when it wakes), so
      // the same. Another value back: a read of it.
      return observe(
        name,
        "fetch",
        [k],
        () => cache.fetch(k, () => mine),
        (value, error) => {
          if (error) return classify(error).outcome === "unknown" ? { kind: "write", value: mine } : undefined;
          if (value.v === mine.v) return { kind: "write", value: mine, outcome: "unknown", effectBy: now() };
          return { kind: "read", value, ...(isNearHit(value) ? { nearHit: true } : {}) };
        },
      );
    },
    get({ grace: GRACE_MS }),
  ];
  // A reader (options.readers) only gets and has: nothing of its own (a load, a write) refreshes its near-cache
  // copies, only Redis's invalidations can, which is what the broken build's test needs to see.
  return options.readers.includes(options.worker) ? [operations[2], operations[3]] : operations;
}

/** A withLock body: records its token and the interval in which it believed it held the lock. */
async function lockOnce(cache, name, draw, locks) {
  const k = `lock:${Math.floor(draw() * 2)}`;
  const acquireInvoke = now();
  try {
    await cache.withLock(
      k,
      async ({ signal, token }) => {
        const bodyStart = now();
        let abortedAt;
        signal.addEventListener("abort", () => (abortedAt = now()));
        await new Promise((resolve) => setTimeout(resolve, Math.floor(draw() * options.lockBodyMs)));
        const bodyEnd = now();
        locks.write(
          JSON.stringify({ key: k, process: name, token, acquireInvoke, bodyStart, bodyEnd, abortedAt }) + "\n",
        );
      },
      { expireTimeMS: options.lockTtlMs, retry: options.lockTtlMs },
    );
  } catch {
    // LOCK_TIMEOUT or UNAVAILABLE: no body ran, nothing to check.
  }
}

/**
 * A deliberately broken build, for the checkers' own test: a near cache that ignores every invalidation (and a lost
 * tracking connection), or a lock that is granted whoever holds it. The checkers must flag the run.
 */
function breakBuild(kind) {
  if (kind === "near-ignores-invalidations") {
    const { NearCache } = require("../../../dist/cache/near-cache");
    NearCache.prototype.changed = () => undefined;
    NearCache.prototype.changedAll = () => undefined;
    NearCache.prototype.lost = () => undefined;
  } else if (kind === "lock-skips-owner-check") {
    let granted = 0;
    RedisStore.prototype.lock = async () => Date.now() * 1000 + granted++;
  }
}

async function main() {
  breakBuild(options.breakBuild);
  const { store, ready, close } = openStore();
  if (!(await ready())) throw new Error("Redis did not become ready");
  const cache = new Cache({ store, owner: `w${options.worker}`, nearCache: options.nearCache });
  if (options.nearCache) {
    const armed = now() + 10_000;
    while (!cache.stats().nearCache.live && now() < armed) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const locks = fs.createWriteStream(options.locksOutput);
  const deadline = now() + options.durationMs;
  const draw = random(options.seed);
  await Promise.all(
    Array.from({ length: options.clients }, async (_, c) => {
      const name = `w${options.worker}c${c}`;
      const operations = client(cache, name, draw);
      // A reader starts once the writers have given the keys values, so its first copies hold values (a copy of
      // "absent" can only be judged leniently: any recent delete could explain it).
      if (options.readers.includes(options.worker)) await new Promise((resolve) => setTimeout(resolve, 500));
      while (now() < deadline) {
        if (draw() < options.lockShare) await lockOnce(cache, name, draw, locks);
        else await operations[Math.floor(draw() * operations.length)]();
      }
    }),
  );
  await close();
  await new Promise((resolve) => out.end(resolve));
  await new Promise((resolve) => locks.end(resolve));
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(String(error && error.stack ? error.stack : error));
    process.exit(1);
  },
);
