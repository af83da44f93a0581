import * as os from "os";

/** docs/performance.md: what the bench measures and how, then this run's tables. Written by the bench, never by hand. */
export function performanceDoc(report: string, redisVersion: string, quick: boolean): string {
  const machine = `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, Redis ${redisVersion}`;
  return `# Performance

<!-- Written by \`npm run bench -- --markdown docs/performance.md\`; do not edit by hand. -->

\`npm run bench\` starts its own \`redis-server\` on a free port (or uses \`BENCH_REDIS_URL\`, a database it may empty:
it runs FLUSHDB there) and measures, in one process, this plugin's Redis and in-memory stores, raw ioredis
(\`SET PX\`/\`GET\`/\`GETEX\`/\`DEL\`, \`SET NX PX\` + \`DEL\` for a lock), actionhero 29's built-in cache module and
redlock, interleaving the contenders run by run so that machine noise hits them alike. Each round runs every
contender once, back to back, starting one contender later than the round before (so no contender always runs
right after the same one and inherits its garbage collection or Redis's lazy work); a ratio "× peer" is the median over rounds of that round's two rates, so a slow
moment of the machine weighs on both sides of a ratio instead of on whichever contender ran through it (the
ops/s columns are medians of the runs). Compare ratios, not absolute figures. "cmds/op client" counts the commands the client sent per operation,
"cmds/op server" what Redis executed (INFO commandstats), calls made inside Lua scripts included, and "Redis CPU"
the CPU time Redis spent (INFO cpu, user + sys), its system calls included.

What bounds each operation:

- **One in flight:** every plugin operation is one Lua script, so it costs one round trip plus the script's run.
  The round trip (two wake-ups of each process) is most of it, so ratios at 1 in flight move with the machine's
  wake-up latency. lock+unlock is two round trips, as redlock's is: its bare scripts ("same scripts, raw ioredis")
  are only a few percent faster than redlock there, so the plugin's own JavaScript decides whether it reaches 1.1×.
- **64 in flight, one Redis:** bounded by Redis's single thread running the scripts ("Redis CPU µs/op") or, when
  Redis keeps up, by this process's JavaScript. Writing each command to the socket with its own system call was
  about 40% of this process's CPU per operation, so commands sent while others are in flight share one socket write,
  three at a time (three per busy primary on a Cluster; a lone command is written at once).
- **The ceiling:** the "same scripts, raw ioredis" rows run the plugin's very scripts with every argument computed
  beforehand (JSON included); the gap between them and the plugin is the plugin's own work (validation, key
  building, serialization, the promise/callback wrapper, counters), and "× same scripts" is its ratio to that
  ceiling. The raw ioredis rows are plain commands (\`SET PX\`, \`GET\`) with neither the script's work nor its
  guarantees (lock check, readAt, server-clock timestamps). Locks cost more than \`SET NX\` + \`DEL\` because they
  also keep a fencing counter floored by the server clock and publish the release.
- **Batches** do each key's work in one script, so they save round trips and per-script overhead, not the per-key
  work: a recorded read is a write (one \`SETRANGE\` per key), which is why loadMany costs Redis several times
  the CPU per key of a bare \`MGET\` ("Redis CPU µs per key"). With 64 in flight, ten sequential loads already keep
  Redis and this process busy, so loadMany's gain there is what it saves per key, not round trips.
- **Redis Cluster:** here 6 Redis processes and this one share the machine's cores, so throughput is bounded by the
  CPU all of them spend per operation (the "CPU µs/op" column). A load records its read, and on a cluster that write
  is also sent to and applied by the key's replica; the "load without readAt" row runs the plugin's read-only
  script to show that cost. A cluster forwards every PUBLISH to every node, so an unlock publishes its release only
  when someone waits for it (nobody does here). The plugin stays close to its own scripts there ("× same scripts
  on the cluster"); the distance to raw ioredis is the scripts' Redis work and its replication.
- **Near-cache hits** never reach Redis: a Map lookup and an already resolved promise in this process, so they are
  bounded by this process's CPU alone; bentocache's L1 hits, measured beside them, also stay in process but go
  through more of its own machinery before they answer. Save with the near cache on costs the same as off: Redis
  reports changes through client tracking, so a write publishes nothing.

This run: ${new Date().toISOString().slice(0, 10)}, ${quick ? "quick (--quick)" : "full"}, ${machine}.
${report.replace(/^### /gm, "## ")}`;
}
