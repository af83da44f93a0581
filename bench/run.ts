import * as fs from "fs";
import * as path from "path";
import Redis from "ioredis";
import { startRedisCluster } from "../test-support/redis-cluster";
import { startRedisServer, StartedRedis } from "../test-support/redis-server";
import { DumpRoundTrip, measureDumpRoundTrip } from "./dump-roundtrip";
import { heapSoak, redisMemoryPer10k, withKeyspace } from "./footprint";
import { measureHandoff } from "./handoff";
import { measureHerd } from "./herd";
import { BATCH_SIZE, measureBatches } from "./batches";
import { measureNearCache, renderNearCache } from "./near-cache";
import { cpuPerOperation } from "./cpu";
import { measureInterleaved } from "./measure";
import { performanceDoc } from "./performance-doc";
import { Row, render, renderCluster, renderCore } from "./report";
import {
  OPERATION_NAMES,
  OperationName,
  Subject,
  actionheroSubject,
  pluginClusterSubject,
  pluginMemorySubject,
  rawClusterSubject,
  pluginRedisSubject,
  rawSubject,
  redlockSubject,
  readOnlyLoadClusterSubject,
  scriptCeilingClusterSubject,
  scriptCeilingSubject,
} from "./subjects";

/**
 * npm run bench [-- --json results.json] [-- --markdown docs/performance.md] [-- --quick] [-- --near-cache-only]
 *   [-- --core-only] [-- --cluster-only]
 *
 * Starts its own redis-server on a free port (or uses BENCH_REDIS_URL, a database it may empty) and measures,
 * in one run: this plugin's Redis and in-memory stores, raw ioredis, actionhero's built-in cache and redlock.
 */
const argv = process.argv.slice(2);
const jsonPath = argv.includes("--json") ? argv[argv.indexOf("--json") + 1] : undefined;
const markdownPath = argv.includes("--markdown") ? argv[argv.indexOf("--markdown") + 1] : undefined;
const quick = argv.includes("--quick");
/** Only the near-cache section, printed: for working on the near cache. */
const nearCacheOnly = argv.includes("--near-cache-only");
/** Only the plugin, its own scripts, raw ioredis and redlock on the single-key operations: for working on throughput. */
const coreOnly = argv.includes("--core-only");
/** Only the Redis Cluster section, printed: for working on the cluster path. */
const clusterOnly = argv.includes("--cluster-only");
const CORE_OPERATIONS: OperationName[] = ["save", "load", "load+expireTimeMS", "lock+unlock"];

const REPETITIONS = quick ? 3 : 7;
const OPERATIONS: Record<number, number> = { 1: quick ? 2_000 : 5_000, 64: quick ? 10_000 : 30_000 };
const SOAK_OPERATIONS = quick ? 100_000 : 1_000_000;
const SCALING_KEYS = quick ? [1_000, 100_000] : [1_000, 1_000_000];
const DUMP_OBJECTS = quick ? [100_000] : [100_000, 1_000_000];

const format = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main() {
  // The actionhero module builds its config on import; point it at this repo's compiled config.
  process.env.ACTIONHERO_CONFIG ??= path.join(__dirname, "..", "src", "config");
  let server: StartedRedis | undefined;
  let url = process.env.BENCH_REDIS_URL;
  if (!url) {
    server = await startRedisServer(["--enable-debug-command", "yes"]);
    url = server.url;
  }
  const admin = new Redis(url);
  const rows: Row[] = [];
  try {
    if (nearCacheOnly) {
      const results = await measureNearCache(url, admin, { operations: OPERATIONS, repetitions: REPETITIONS });
      process.stdout.write(renderNearCache(results).join("\n") + "\n");
      return;
    }
    if (clusterOnly) {
      process.stdout.write(renderCluster(await measureOnCluster(), []).join("\n") + "\n");
      return;
    }
    const subjects: Subject[] = coreOnly
      ? [rawSubject(url), scriptCeilingSubject(url), pluginRedisSubject(url), redlockSubject(url)]
      : [
          rawSubject(url),
          scriptCeilingSubject(url),
          pluginRedisSubject(url),
          pluginMemorySubject(),
          await actionheroSubject(url),
          redlockSubject(url),
        ];
    rows.push(...(await measureSubjects(subjects, coreOnly ? CORE_OPERATIONS : [...OPERATION_NAMES], admin)));
    for (const subject of subjects) await subject.close();
    if (coreOnly) {
      process.stdout.write(renderCore(rows).join("\n") + "\n");
      return;
    }

    process.stderr.write(`batches of ${BATCH_SIZE} keys...\n`);
    const batchRows = await measureBatches(url, admin, { operations: OPERATIONS, repetitions: REPETITIONS });
    process.stderr.write("near cache...\n");
    const nearCache = await measureNearCache(url, admin, { operations: OPERATIONS, repetitions: REPETITIONS });
    process.stderr.write("Redis Cluster (3 primaries, 3 replicas)...\n");
    const clusterRows = await measureOnCluster();

    process.stderr.write("hand-off latency...\n");
    const handoff = [
      await measureHandoff(url, "plugin", 8, quick ? 20 : 50),
      await measureHandoff(url, "actionhero-polling", 8, quick ? 5 : 10),
    ];
    process.stderr.write("thundering herd: 2,000 waiters in one process...\n");
    const herd = await measureHerd(url, 2_000);
    process.stderr.write("memory footprint...\n");
    const memory = await redisMemoryPer10k(url);
    process.stderr.write(`heap soak over ${SOAK_OPERATIONS} operations...\n`);
    const soak = await heapSoak(url, SOAK_OPERATIONS);
    process.stderr.write("key scaling...\n");
    const scaling = [];
    for (const keys of SCALING_KEYS) scaling.push(await withKeyspace(url, keys, server !== undefined));

    const dumps: DumpRoundTrip[] = [];
    for (const objects of DUMP_OBJECTS) {
      process.stderr.write(`dump round trip of ${objects} objects...\n`);
      dumps.push(await measureDumpRoundTrip(url, objects));
    }

    const report = render(rows, handoff, herd, memory, soak, scaling, dumps, clusterRows, batchRows, nearCache);
    process.stdout.write(report);
    if (markdownPath) {
      const redisVersion = /redis_version:(\S+)/.exec(await admin.info("server"))?.[1] ?? "unknown";
      fs.writeFileSync(markdownPath, performanceDoc(report, redisVersion, quick));
    }
    if (jsonPath) {
      fs.mkdirSync(path.dirname(path.resolve(jsonPath)), { recursive: true });
      fs.writeFileSync(
        jsonPath,
        JSON.stringify(
          {
            date: new Date().toISOString(),
            node: process.version,
            rows,
            handoff,
            herd,
            memory,
            soak,
            scaling,
            dumps,
            clusterRows,
            batchRows,
            nearCache,
          },
          null,
          2,
        ),
      );
    }
  } finally {
    admin.disconnect();
    await server?.stop();
  }
}

/** Every subject on every operation it has, at 1 and 64 in flight, interleaved per operation. */
async function measureSubjects(subjects: Subject[], operations: OperationName[], admin: Redis): Promise<Row[]> {
  const rows: Row[] = [];
  for (const inflight of [1, 64]) {
    for (const operation of operations) {
      const contenders = subjects
        .filter((subject) => subject.operations[operation])
        .map((subject) => {
          // The in-memory store is far faster; more operations keep its runs long enough to time.
          const operations = OPERATIONS[inflight] * (subject.clients.length === 0 ? 5 : 1);
          return {
            name: subject.name,
            operation: subject.operations[operation]!,
            clients: subject.clients,
            operations,
            prepare: () => subject.prepare(operation, operations),
          };
        });
      const results = await measureInterleaved(
        contenders,
        { inflight, operations: OPERATIONS[inflight], repetitions: REPETITIONS },
        admin,
      );
      for (const [subject, result] of results) {
        rows.push({ subject, operation, inflight, result });
        process.stderr.write(`${subject} ${operation} x${inflight}: ${format(result.opsPerSecond.median)} ops/s\n`);
      }
    }
  }
  return rows;
}

const CLUSTER_OPERATIONS: OperationName[] = ["save", "load", "lock+unlock", "mixed"];

/** The plugin on a local 6-node cluster, 64 in flight over KEY_SPACE keys (so over every primary). */
async function measureOnCluster(): Promise<Row[]> {
  const cluster = await startRedisCluster();
  const clusterRows: Row[] = [];
  try {
    const subjects = [
      await rawClusterSubject(cluster.startupNodes),
      await scriptCeilingClusterSubject(cluster.startupNodes),
      await readOnlyLoadClusterSubject(cluster.startupNodes),
      await pluginClusterSubject(cluster.startupNodes),
    ];
    const redisUrls = cluster.servers.map((server) => server.url);
    for (const operation of CLUSTER_OPERATIONS) {
      const contenders = subjects
        .filter((subject) => subject.operations[operation])
        .map((subject) => ({
          name: subject.name,
          operation: subject.operations[operation]!,
          clients: subject.clients,
          operations: OPERATIONS[64],
          prepare: () => subject.prepare(operation, OPERATIONS[64]),
        }));
      const results = await measureInterleaved(
        contenders,
        { inflight: 64, operations: OPERATIONS[64], repetitions: REPETITIONS },
        undefined,
      );
      for (const contender of contenders) {
        const result = results.get(contender.name)!;
        await contender.prepare();
        const cpu = await cpuPerOperation(contender.operation, OPERATIONS[64], 64, redisUrls);
        clusterRows.push({ subject: contender.name, operation, inflight: 64, result, cpu });
        process.stderr.write(`${contender.name} ${operation} x64: ${format(result.opsPerSecond.median)} ops/s\n`);
      }
    }
    for (const subject of subjects) await subject.close();
  } finally {
    await cluster.stop();
  }
  return clusterRows;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
