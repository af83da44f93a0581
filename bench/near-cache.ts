import { performance } from "perf_hooks";
import Redis from "ioredis";
import { Cache, RedisStore } from "../src/cache";
import { Contender, Measurement, measureInterleaved, pairedRatio } from "./measure";

/**
 * The near cache against its peers, reading hot keys: raw ioredis GET, the plugin's get without and with the near
 * cache, and bentocache with an in-memory L1 over Redis (L2) and its Redis bus, the way bentocache is deployed
 * across servers. Also: save with the near cache on against off (no publish per write), and the invalidation
 * delay between two caches on separate connections.
 */
const KEYS = 100;
const VALUE = { id: 42, name: "bench user", tags: ["a", "b", "c"], active: true, score: 12.5 };
/** Hits from process memory are far faster: more operations keep their runs long enough to time. */
const IN_MEMORY_FACTOR = 20;
const key = (index: number) => `near:${index % KEYS}`;

export interface NearCacheRow {
  name: string;
  inflight: number;
  result: Measurement;
}

export interface NearCacheResults {
  rows: NearCacheRow[];
  delay: { rounds: number; p50Ms: number; p99Ms: number; maxMs: number };
}

export const RAW_GET = "raw ioredis GET";
export const GET_OFF = "plugin get, near cache off";
export const GET_ON = "plugin get, near cache on (hits)";
export const BENTO = "bentocache get, L1 + L2 + bus (L1 hits)";
export const SAVE_OFF = "plugin save, near cache off";
export const SAVE_ON = "plugin save, near cache on";

interface Bento {
  get(options: { key: string }): Promise<unknown>;
  set(options: { key: string; value: unknown; ttl: string }): Promise<boolean>;
  disconnectAll(): Promise<void>;
}

async function openBentocache(url: string): Promise<Bento> {
  const { BentoCache, bentostore } = await import("bentocache");
  const { memoryDriver } = await import("bentocache/drivers/memory");
  const { redisDriver, redisBusDriver } = await import("bentocache/drivers/redis");
  const { hostname, port } = new URL(url);
  const connection = { host: hostname, port: Number(port) };
  return new BentoCache({
    default: "tiered",
    stores: {
      tiered: bentostore()
        .useL1Layer(memoryDriver({ maxSize: "64mb" }))
        .useL2Layer(redisDriver({ connection }))
        .useBus(redisBusDriver({ connection })),
    },
  });
}

function pluginCache(url: string, nearCache: boolean): { client: Redis; store: RedisStore; cache: Cache } {
  const client = new Redis(url);
  const store = new RedisStore({ client, prefix: "bench:near:obj:", lockPrefix: "bench:near:lock:" });
  return { client, store, cache: new Cache({ store, owner: `bench-${nearCache}`, nearCache }) };
}

async function untilLive(cache: Cache): Promise<void> {
  while (!cache.stats().nearCache.live) await new Promise((resolve) => setTimeout(resolve, 5));
}

export async function measureNearCache(
  url: string,
  admin: Redis,
  settings: { operations: Record<number, number>; repetitions: number },
): Promise<NearCacheResults> {
  const raw = new Redis(url);
  const off = pluginCache(url, false);
  const on = pluginCache(url, true);
  const bento = await openBentocache(url);
  await untilLive(on.cache);
  const json = JSON.stringify(VALUE);
  const prepareReads = async () => {
    for (let i = 0; i < KEYS; i++) {
      await off.cache.save(key(i), VALUE, 600_000);
      await raw.set(`raw:${key(i)}`, json);
      await bento.set({ key: key(i), value: VALUE, ttl: "10m" });
    }
    // Copies made after the writes' own reports have arrived, so the measured runs are hits.
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (let i = 0; i < KEYS; i++) {
      await on.cache.get(key(i));
      await bento.get({ key: key(i) });
    }
  };
  const contenders = (operations: number): Contender[] => [
    {
      name: RAW_GET,
      clients: [raw],
      operations,
      prepare: prepareReads,
      operation: async (i) => JSON.parse((await raw.get(`raw:${key(i)}`))!) as unknown,
    },
    { name: GET_OFF, clients: [off.client], operations, operation: (i) => off.cache.get(key(i)) },
    {
      name: GET_ON,
      clients: [on.client],
      operations: operations * IN_MEMORY_FACTOR,
      operation: (i) => on.cache.get(key(i)),
    },
    {
      name: BENTO,
      clients: [],
      operations: operations * IN_MEMORY_FACTOR,
      operation: (i) => bento.get({ key: key(i) }),
    },
    { name: SAVE_OFF, clients: [off.client], operations, operation: (i) => off.cache.save(`w:${key(i)}`, VALUE) },
    { name: SAVE_ON, clients: [on.client], operations, operation: (i) => on.cache.save(`w:${key(i)}`, VALUE) },
  ];
  const rows: NearCacheRow[] = [];
  try {
    for (const inflight of [1, 64]) {
      const results = await measureInterleaved(
        contenders(settings.operations[inflight]),
        { inflight, operations: settings.operations[inflight], repetitions: settings.repetitions },
        admin,
      );
      for (const [name, result] of results) rows.push({ name, inflight, result });
    }
    return { rows, delay: await invalidationDelay(url, on.cache) };
  } finally {
    await bento.disconnectAll();
    for (const { store, client } of [off, on]) {
      await store.close();
      client.disconnect();
    }
    raw.disconnect();
  }
}

/** A on its own connection saves; B (near cache on) reads until it gets the new value: 1,000 rounds. */
async function invalidationDelay(url: string, reader: Cache): Promise<NearCacheResults["delay"]> {
  const writer = pluginCache(url, true);
  const delays: number[] = [];
  try {
    await untilLive(writer.cache);
    for (let round = 0; round < 1000; round++) {
      await writer.cache.save("delay", round);
      const saved = performance.now();
      while ((await reader.get("delay")) !== round) await new Promise((resolve) => setImmediate(resolve));
      delays.push(performance.now() - saved);
    }
  } finally {
    await writer.store.close();
    writer.client.disconnect();
  }
  delays.sort((a, b) => a - b);
  const at = (fraction: number) => delays[Math.min(delays.length - 1, Math.floor(fraction * delays.length))];
  return { rounds: delays.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: delays[delays.length - 1] };
}

const format = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The near-cache table and its targets, as markdown lines. */
export function renderNearCache({ rows, delay }: NearCacheResults): string[] {
  const resultOf = (name: string, inflight: number) =>
    rows.find((row) => row.name === name && row.inflight === inflight)?.result;
  const lines = ["\n### Near cache: hot reads from process memory\n"];
  lines.push("| contender | in flight | ops/s median (min–max) | p50 µs | p99 µs | cmds/op client | × raw GET |");
  lines.push("|---|---|---|---|---|---|---|");
  for (const { name, inflight, result } of rows) {
    const raw = resultOf(RAW_GET, inflight);
    const { opsPerSecond: ops, latencyMicros } = result;
    lines.push(
      `| ${name} | ${inflight} | ${format(ops.median)} (${format(ops.min)}–${format(ops.max)}) | ` +
        `${format(latencyMicros.p50, 1)} | ${format(latencyMicros.p99, 1)} | ${format(result.clientCommandsPerOp, 2)} | ` +
        `${name.includes("get") && raw ? format(pairedRatio(result, raw), 2) : ""} |`,
    );
  }
  lines.push(
    `\nInvalidation delay (another connection's save resolved → this cache's get returns the new value), ` +
      `${format(delay.rounds)} rounds: p50 ${format(delay.p50Ms, 3)} ms, p99 ${format(delay.p99Ms, 3)} ms, ` +
      `max ${format(delay.maxMs, 3)} ms.\n`,
  );
  lines.push("| near-cache target | measured | goal | |");
  lines.push("|---|---|---|---|");
  const target = (label: string, measured: number | undefined, goal: number, below = false) => {
    const met = measured !== undefined && (below ? measured < goal : measured >= goal);
    const shown = measured === undefined ? "n/a" : format(measured, 2);
    lines.push(`| ${label} | ${shown} | ${below ? "<" : "≥"} ${goal} | ${met ? "met" : "missed"} |`);
  };
  const ratio = (ours: string, theirs: string, inflight: number) => {
    const [a, b] = [resultOf(ours, inflight), resultOf(theirs, inflight)];
    return a && b ? pairedRatio(a, b) : undefined;
  };
  for (const inflight of [1, 64]) {
    target(`near hits, ${inflight} in flight, × raw ioredis GET`, ratio(GET_ON, RAW_GET, inflight), 20);
    target(`near hits, ${inflight} in flight, × bentocache L1 hits`, ratio(GET_ON, BENTO, inflight), 3);
    target(`save, ${inflight} in flight, near cache on × off`, ratio(SAVE_ON, SAVE_OFF, inflight), 0.95);
  }
  target("invalidation delay p99 (ms)", delay.p99Ms, 5, true);
  return lines;
}
