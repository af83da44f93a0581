import * as os from "os";
import { BatchRow, batchTargets, renderBatches } from "./batches";
import { NearCacheResults, renderNearCache } from "./near-cache";
import type { DumpRoundTrip } from "./dump-roundtrip";
import type { heapSoak, redisMemoryPer10k, withKeyspace } from "./footprint";
import type { measureHandoff } from "./handoff";
import type { HerdResult } from "./herd";
import type { Measurement } from "./measure";
import type { OperationName } from "./subjects";

/** One measured contender at one operation and in-flight level. */
/** The subject that runs the plugin's own scripts with precomputed arguments: its design's ceiling. */
const CEILING = "same scripts, raw ioredis";

export interface Row {
  subject: string;
  operation: OperationName;
  inflight: number;
  result: Measurement;
}

const format = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** docs/performance.md: what the bench measures and how, then this run's tables. Written by the bench, never by hand. */
export function performanceDoc(report: string, redisVersion: string, quick: boolean): string {
  const machine = `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, Redis ${redisVersion}`;
  return `# Performance

<!-- Written by \`npm run bench -- --markdown docs/performance.md\`; do not edit by hand. -->

\`npm run bench\` starts its own \`redis-server\` on a free port (or uses \`BENCH_REDIS_URL\`, a database it may empty:
it runs FLUSHDB there) and measures, in one process, this plugin's Redis and in-memory stores, raw ioredis
(\`SET PX\`/\`GET\`/\`GETEX\`/\`DEL\`, \`SET NX PX\` + \`DEL\` for a lock), actionhero 29's built-in cache module and
redlock, interleaving the contenders run by run so that machine noise hits them alike. Ratios are computed within
the run; compare ratios, not absolute figures. "cmds/op client" counts the commands the client sent per operation,
"cmds/op server" what Redis executed (INFO commandstats), calls made inside Lua scripts included.

What bounds each operation: every plugin operation is one Lua script, so with 1 in flight it costs one round trip
plus the script's run, and with 64 in flight it is bounded by Redis's single thread running the script or, when
Redis keeps up, by this process's own JavaScript. On a 2-core machine that is this process: writing each command
to the socket with its own system call was about 40% of its CPU per operation, so commands sent while others are in
flight share one socket write, three at a time (a lone command is written at once). The "same scripts, raw ioredis" rows run the plugin's very scripts
with every argument computed beforehand: the gap between them and the plugin is the plugin's own work (validation,
key building, serialization, the promise/callback wrapper, counters), and "× same scripts" is its ratio to that
ceiling. The raw ioredis rows are plain commands (\`SET PX\`, \`GET\`) with neither the script's work nor its
guarantees (lock check, readAt, server-clock timestamps). Locks cost more than \`SET NX\` + \`DEL\` because they
also keep a fencing counter floored by the server clock and publish the release. Batches do each key's work in one
script, so they save round trips and per-script overhead, not the per-key reads and writes (a recorded read is a
write). Near-cache hits never reach Redis: a Map lookup and an already resolved promise in this process, so they are
bounded by this process's CPU alone; bentocache's L1 hits, measured beside them, also stay in process but go through
more of its own machinery before they answer. Save with the near cache on costs the same as off: Redis reports changes through client tracking, so a write publishes nothing.

This run: ${new Date().toISOString().slice(0, 10)}, ${quick ? "quick (--quick)" : "full"}, ${machine}.
${report.replace(/^### /gm, "## ")}`;
}

export function render(
  rows: Row[],
  handoff: Awaited<ReturnType<typeof measureHandoff>>[],
  herd: HerdResult,
  memory: Awaited<ReturnType<typeof redisMemoryPer10k>>,
  soak: Awaited<ReturnType<typeof heapSoak>>,
  scaling: Awaited<ReturnType<typeof withKeyspace>>[],
  dumps: DumpRoundTrip[],
  clusterRows: Row[],
  batchRows: BatchRow[],
  nearCache: NearCacheResults,
): string {
  const find = (subject: string, operation: OperationName, inflight: number) =>
    rows.find((row) => row.subject === subject && row.operation === operation && row.inflight === inflight)?.result
      .opsPerSecond.median;
  const redisStore = "ah-cache-plugin (Redis)";
  const lines: string[] = [];
  for (const inflight of [1, 64]) {
    lines.push(`\n### ${inflight} in flight\n`);
    lines.push(
      "| subject | operation | ops/s median (min–max) | p50 µs | p99 µs | cmds/op client | cmds/op server | × raw | × same scripts | × actionhero | × redlock |",
    );
    lines.push("|---|---|---|---|---|---|---|---|---|---|---|");
    for (const row of rows.filter((each) => each.inflight === inflight)) {
      const { opsPerSecond, latencyMicros, clientCommandsPerOp, serverCommandsPerOp } = row.result;
      const ratio = (peer: string) => {
        const base = find(peer, row.operation, inflight);
        return base && peer !== row.subject ? `${format(opsPerSecond.median / base, 2)}` : "";
      };
      lines.push(
        `| ${row.subject} | ${row.operation} | ${format(opsPerSecond.median)} (${format(opsPerSecond.min)}–${format(opsPerSecond.max)}) | ` +
          `${format(latencyMicros.p50)} | ${format(latencyMicros.p99)} | ${format(clientCommandsPerOp, 2)} | ${format(serverCommandsPerOp, 2)} | ` +
          `${ratio("raw ioredis")} | ${row.subject === redisStore ? ratio(CEILING) : ""} | ${ratio("actionhero built-in cache")} | ${row.operation === "lock+unlock" ? ratio("redlock") : ""} |`,
      );
    }
  }
  const target = (label: string, measured: number | undefined, goal: number) =>
    lines.push(
      `| ${label} | ${measured === undefined ? "n/a" : format(measured, 2)} | ≥ ${goal} | ${measured !== undefined && measured >= goal ? "met" : "missed"} |`,
    );
  const ratio = (subject: string, peer: string, operation: OperationName, inflight: number) => {
    const ours = find(subject, operation, inflight);
    const theirs = find(peer, operation, inflight);
    return ours && theirs ? ours / theirs : undefined;
  };
  lines.push("\n### Targets (ratios from this run)\n");
  lines.push("| target | measured | goal | |");
  lines.push("|---|---|---|---|");
  for (const operation of ["save", "load", "load+expireTimeMS"] as const) {
    target(`${operation}, 1 in flight, × raw ioredis`, ratio(redisStore, "raw ioredis", operation, 1), 0.85);
    target(`${operation}, 64 in flight, × raw ioredis`, ratio(redisStore, "raw ioredis", operation, 64), 0.75);
    target(
      `${operation}, 1 in flight, × actionhero`,
      ratio(redisStore, "actionhero built-in cache", operation, 1),
      2.5,
    );
  }
  for (const operation of ["save", "load", "load+expireTimeMS", "lock+unlock"] as const) {
    for (const inflight of [1, 64]) {
      target(
        `${operation}, ${inflight} in flight, × same scripts through raw ioredis`,
        ratio(redisStore, CEILING, operation, inflight),
        0.95,
      );
    }
  }
  for (const inflight of [1, 64]) {
    // The throughput issue's lock targets: 1.1× redlock with one in flight, 1.5× with 64.
    target(
      `lock+unlock, ${inflight} in flight, × redlock`,
      ratio(redisStore, "redlock", "lock+unlock", inflight),
      inflight === 1 ? 1.1 : 1.5,
    );
    target(
      `lock+unlock, ${inflight} in flight, × actionhero`,
      ratio(redisStore, "actionhero built-in cache", "lock+unlock", inflight),
      3,
    );
  }
  const memoryLoad = find("ah-cache-plugin (memory)", "load", 1);
  lines.push(
    `| in-memory load ops/s, 1 in flight | ${memoryLoad === undefined ? "n/a" : format(memoryLoad)} | ≥ 300,000 | ${memoryLoad !== undefined && memoryLoad >= 300_000 ? "met" : "missed"} |`,
  );
  lines.push(
    `| hand-off p50, 8 waiting processes | ${format(handoff[0].p50Ms, 2)} ms | < 2 ms | ${handoff[0].p50Ms < 2 ? "met" : "missed"} |`,
  );

  for (const { inflight, ratio: measured } of batchTargets(batchRows)) {
    target(`loadMany of 10 keys, ${inflight} in flight, × 10 sequential loads (keys/s)`, measured, 5);
  }
  lines.push(
    `| herd: Redis commands per acquisition, ${format(herd.waiters)} waiters in one process | ${format(herd.commandsPerAcquisition, 2)} | < 10 | ${herd.commandsPerAcquisition < 10 ? "met" : "missed"} |`,
  );
  lines.push(
    `| herd: unrelated save p99 while it runs | ${format(herd.unrelatedSave.p99, 2)} ms | < 5 ms | ${herd.unrelatedSave.p99 < 5 ? "met" : "missed"} |`,
  );

  lines.push(...renderBatches(batchRows));
  lines.push(...renderNearCache(nearCache));

  lines.push(`\n### Thundering herd: ${format(herd.waiters)} concurrent withLock calls on one key in one process\n`);
  lines.push(
    "| waiters | all acquired in | Redis commands per acquisition | unrelated saves meanwhile | their p50 ms | p99 ms | max ms |",
  );
  lines.push("|---|---|---|---|---|---|---|");
  lines.push(
    `| ${format(herd.waiters)} | ${format(herd.seconds, 2)} s | ${format(herd.commandsPerAcquisition, 2)} | ${format(herd.unrelatedSave.count)} | ` +
      `${format(herd.unrelatedSave.p50, 2)} | ${format(herd.unrelatedSave.p99, 2)} | ${format(herd.unrelatedSave.max, 2)} |`,
  );

  lines.push("\n### Lock hand-off, 8 waiting processes (release → next process holds the lock)\n");
  lines.push("| waiting by | hand-offs | p50 ms | p99 ms |");
  lines.push("|---|---|---|---|");
  for (const result of handoff)
    lines.push(`| ${result.mode} | ${result.handoffs} | ${format(result.p50Ms, 2)} | ${format(result.p99Ms, 2)} |`);
  lines.push("\n### Redis memory per 10k cached objects\n");
  lines.push(
    `| ah-cache-plugin | actionhero built-in |\n|---|---|\n| ${format(memory.plugin / 1024)} KiB | ${format(memory.actionhero / 1024)} KiB |`,
  );
  lines.push(`\n### Node heap over a ${format(soak.operations)}-operation soak (after GC, MB)\n`);
  lines.push(
    `${soak.samplesMB.map((mb) => format(mb, 1)).join(" → ")}; growth after warm-up ${format(soak.growthMB, 1)} MB`,
  );
  lines.push("\n### Save/load with many other keys in the database (64 in flight)\n");
  lines.push("| keys | save ops/s | load ops/s | cmds/op server (save, load) |");
  lines.push("|---|---|---|---|");
  for (const row of scaling) {
    lines.push(
      `| ${format(row.keys)} | ${format(row.save.opsPerSecond.median)} | ${format(row.load.opsPerSecond.median)} | ` +
        `${format(row.save.serverCommandsPerOp, 1)}, ${format(row.load.serverCommandsPerOp, 1)} |`,
    );
  }
  lines.push("\n### Redis Cluster: 3 primaries + 3 replicas on this machine, 64 in flight over 1,000 keys\n");
  lines.push(
    "| subject | operation | ops/s median (min–max) | p50 µs | p99 µs | cmds/op client | × raw on the cluster | single node, same run | × single node |",
  );
  lines.push("|---|---|---|---|---|---|---|---|---|");
  const rawOnCluster = (operation: OperationName) =>
    clusterRows.find((row) => row.subject === "raw ioredis (Redis Cluster)" && row.operation === operation)?.result
      .opsPerSecond.median;
  for (const row of clusterRows) {
    const singleSubject = row.subject.startsWith("raw") ? "raw ioredis" : redisStore;
    const single = find(singleSubject, row.operation, 64);
    const raw = rawOnCluster(row.operation);
    const { opsPerSecond, latencyMicros, clientCommandsPerOp } = row.result;
    lines.push(
      `| ${row.subject} | ${row.operation} | ${format(opsPerSecond.median)} (${format(opsPerSecond.min)}–${format(opsPerSecond.max)}) | ` +
        `${format(latencyMicros.p50)} | ${format(latencyMicros.p99)} | ${format(clientCommandsPerOp, 2)} | ` +
        `${raw && !row.subject.startsWith("raw") ? format(opsPerSecond.median / raw, 2) : ""} | ${single === undefined ? "n/a" : format(single)} | ` +
        `${single === undefined ? "" : format(opsPerSecond.median / single, 2)} |`,
    );
  }
  lines.push("\n### dumpWrite / dumpRead round trip (JSON Lines file, replace mode, own process)\n");
  lines.push(
    "| objects | file | dumpWrite | peak RSS (before) | dumpRead | peak RSS (before) | heap growth dump / restore | complete |",
  );
  lines.push("|---|---|---|---|---|---|---|---|");
  for (const dump of dumps) {
    lines.push(
      `| ${format(dump.objects)} | ${format(dump.fileMB, 1)} MB | ${format(dump.dump.ms / 1000, 2)} s | ${format(dump.dump.peakRssMB)} MB (${format(dump.dump.rssBeforeMB)}) | ` +
        `${format(dump.restore.ms / 1000, 2)} s | ${format(dump.restore.peakRssMB)} MB (${format(dump.restore.rssBeforeMB)}) | ` +
        `${format(dump.dump.peakHeapGrowthMB, 1)} / ${format(dump.restore.peakHeapGrowthMB, 1)} MB | ${dump.complete ? "yes" : "NO"} |`,
    );
  }
  return lines.join("\n") + "\n";
}

/** `--core-only`: the plugin against its own scripts, raw ioredis and redlock, one line per operation and in-flight level. */
export function renderCore(rows: Row[]): string[] {
  const find = (subject: string, operation: OperationName, inflight: number) =>
    rows.find((row) => row.subject === subject && row.operation === operation && row.inflight === inflight)?.result;
  const lines = [
    "| operation | in flight | plugin ops/s | × same scripts | × raw | × redlock | cmds/op server |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const row of rows.filter((each) => each.subject === "ah-cache-plugin (Redis)")) {
    const ratio = (peer: string) => {
      const base = find(peer, row.operation, row.inflight)?.opsPerSecond.median;
      return base ? format(row.result.opsPerSecond.median / base, 2) : "";
    };
    lines.push(
      `| ${row.operation} | ${row.inflight} | ${format(row.result.opsPerSecond.median)} | ${ratio(CEILING)} | ${ratio("raw ioredis")} | ` +
        `${ratio("redlock")} | ${format(row.result.serverCommandsPerOp, 2)} |`,
    );
  }
  return lines;
}
