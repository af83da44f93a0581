import Redis from "ioredis";
import { Cache, RedisStore } from "../src/cache";
import { Contender, Measurement, measureInterleaved, pairedRatio } from "./measure";

/** Keys per batch call, and how many distinct keys the batches cycle through. */
export const BATCH_SIZE = 10;
const KEYS = 1000;
const VALUE = { id: 42, name: "bench user", tags: ["a", "b", "c"], active: true, score: 12.5 };

export interface BatchRow {
  name: string;
  inflight: number;
  result: Measurement;
}

const keysOf = (index: number) =>
  Array.from({ length: BATCH_SIZE }, (_, j) => `batch:${(index * BATCH_SIZE + j) % KEYS}`);

/**
 * Reading and writing 10 keys per call: the plugin's loadMany/saveMany against 10 sequential load/save calls, and
 * raw ioredis MGET of the same 10 keys (which records no readAt and checks no lock) as the ceiling.
 */
export async function measureBatches(
  url: string,
  admin: Redis,
  settings: { operations: Record<number, number>; repetitions: number },
): Promise<BatchRow[]> {
  const client = new Redis(url);
  const raw = new Redis(url);
  const store = new RedisStore({ client, prefix: "bench:batch:obj:", lockPrefix: "bench:batch:lock:" });
  const cache = new Cache({ store, owner: "bench" });
  const json = JSON.stringify(VALUE);
  const everyKey = Array.from({ length: KEYS }, (_, i) => `batch:${i}`);
  const prepare = async () => {
    await cache.saveMany(everyKey.map((key) => ({ key, value: VALUE, expireTimeMS: 600_000 })));
    await raw.mset(...everyKey.flatMap((key) => [`raw:${key}`, json]));
  };
  const contenders = (operations: number): Contender[] => [
    {
      name: `load ×${BATCH_SIZE}, one after another`,
      clients: [client],
      operations,
      prepare,
      operation: async (i) => {
        for (const key of keysOf(i)) await cache.load(key);
      },
    },
    {
      name: `loadMany of ${BATCH_SIZE}`,
      clients: [client],
      operations,
      prepare,
      operation: (i) => cache.loadMany(keysOf(i)),
    },
    {
      name: `raw ioredis MGET of ${BATCH_SIZE}`,
      clients: [raw],
      operations,
      prepare,
      operation: async (i) =>
        (await raw.mget(...keysOf(i).map((key) => `raw:${key}`))).map((found) => JSON.parse(found!) as unknown),
    },
    {
      name: `save ×${BATCH_SIZE}, one after another`,
      clients: [client],
      operations,
      prepare,
      operation: async (i) => {
        for (const key of keysOf(i)) await cache.save(key, VALUE, 600_000);
      },
    },
    {
      name: `saveMany of ${BATCH_SIZE}`,
      clients: [client],
      operations,
      prepare,
      operation: (i) =>
        cache.saveMany(
          keysOf(i).map((key) => ({ key, value: VALUE })),
          { expireTimeMS: 600_000 },
        ),
    },
  ];
  const rows: BatchRow[] = [];
  try {
    for (const inflight of [1, 64]) {
      const operations = Math.max(200, Math.floor(settings.operations[inflight] / 5));
      const results = await measureInterleaved(
        contenders(operations),
        { inflight, operations, repetitions: settings.repetitions },
        admin,
      );
      for (const [name, result] of results) rows.push({ name, inflight, result });
    }
  } finally {
    await store.close();
    client.disconnect();
    raw.disconnect();
  }
  return rows;
}

const format = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The batch table and its two targets, as markdown lines. */
export function renderBatches(rows: BatchRow[]): string[] {
  const resultOf = (name: string, inflight: number) =>
    rows.find((each) => each.name === name && each.inflight === inflight)?.result;
  const lines = [`\n### Batches: ${BATCH_SIZE} keys per call\n`];
  lines.push(
    "| contender | in flight | keys/s median | p50 µs per call | cmds/call client | cmds/call server | Redis CPU µs per key | × one after another | × raw MGET |",
  );
  lines.push("|---|---|---|---|---|---|---|---|---|");
  for (const row of rows) {
    const keys = row.result.opsPerSecond.median * BATCH_SIZE;
    const kind = row.name.startsWith("save") ? "save" : "load";
    // Every contender's operation covers BATCH_SIZE keys, so ratios of operations are ratios of keys.
    const sequential = resultOf(`${kind} ×${BATCH_SIZE}, one after another`, row.inflight);
    const mget = resultOf(`raw ioredis MGET of ${BATCH_SIZE}`, row.inflight);
    const isBatch = row.name.includes("Many");
    lines.push(
      `| ${row.name} | ${row.inflight} | ${format(keys)} | ${format(row.result.latencyMicros.p50)} | ` +
        `${format(row.result.clientCommandsPerOp, 2)} | ${format(row.result.serverCommandsPerOp, 1)} | ` +
        `${format(row.result.serverCpuMicrosPerOp / BATCH_SIZE, 1)} | ` +
        `${isBatch && sequential ? format(pairedRatio(row.result, sequential), 2) : ""} | ` +
        `${isBatch && kind === "load" && mget ? format(pairedRatio(row.result, mget), 2) : ""} |`,
    );
  }
  return lines;
}

/** loadMany of 10 keys against 10 sequential loads, per in-flight level: the issue's ≥ 5× target. */
export function batchTargets(rows: BatchRow[]): Array<{ inflight: number; ratio: number | undefined }> {
  const resultOf = (name: string, inflight: number) =>
    rows.find((row) => row.name === name && row.inflight === inflight)?.result;
  return [1, 64].map((inflight) => {
    const batch = resultOf(`loadMany of ${BATCH_SIZE}`, inflight);
    const sequential = resultOf(`load ×${BATCH_SIZE}, one after another`, inflight);
    return { inflight, ratio: batch && sequential ? pairedRatio(batch, sequential) : undefined };
  });
}
