import { runFixture } from "../helpers/fixture-process";
import { connectRedis, deleteByPrefix, redisUrl, testDatabase, uniquePrefix } from "../helpers/redis";

/**
 * Single-flight across OS processes: 8 processes, each with its own connection and owner, call fetch() 50 times
 * at once on one cold key. Runs against the compiled library in dist/ (npm test builds first).
 */
jest.setTimeout(120_000);

const WORKERS = 8;
const CALLS = 50;
const redis = connectRedis();

interface WorkerOutput {
  results: Array<{ producedBy: string }>;
  stats: { lockWaits: number; hits: number; misses: number };
}

function runWorker(options: Record<string, unknown>): Promise<WorkerOutput> {
  return runFixture<WorkerOutput>("fetch-worker.js", options);
}

afterAll(async () => {
  await redis.quit();
});

test(`${WORKERS} processes x ${CALLS} concurrent fetch() calls on a cold key run the producer exactly once`, async () => {
  const prefix = uniquePrefix("single-flight");
  try {
    const outputs = await Promise.all(
      Array.from({ length: WORKERS }, (_, worker) =>
        runWorker({
          redisUrl: redisUrl(),
          db: testDatabase(),
          prefix,
          key: "expensive",
          calls: CALLS,
          workers: WORKERS,
          worker,
          produceMs: 300,
        }),
      ),
    );
    expect(Number(await redis.get(`${prefix}producer-runs`))).toBe(1);
    const results = outputs.flatMap((output) => output.results);
    expect(results).toHaveLength(WORKERS * CALLS);
    expect(new Set(results.map((result) => result.producedBy)).size).toBe(1);
    // Only the producing process missed; the other seven waited for its value and then read it.
    expect(outputs.filter((output) => output.stats.misses > 0)).toHaveLength(1);
    expect(outputs.filter((output) => output.stats.lockWaits > 0).length).toBeGreaterThanOrEqual(WORKERS - 1);
  } finally {
    await deleteByPrefix(redis, prefix);
  }
});
