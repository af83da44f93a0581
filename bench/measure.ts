import { performance } from "perf_hooks";
import type Redis from "ioredis";

export type Operation = (index: number) => Promise<unknown>;

export interface Measurement {
  /** Per-run rates: their median, min and max, and each round's, in round order. */
  opsPerSecond: { median: number; min: number; max: number; rounds: number[] };
  /** Which measureInterleaved call measured it: rounds of one call are paired in time (see pairedRatio). */
  interleavedRun: number;
  latencyMicros: { p50: number; p99: number };
  /** Commands the client sent per operation (ioredis sendCommand calls). */
  clientCommandsPerOp: number;
  /** Commands Redis executed per operation, from INFO commandstats: includes calls made inside Lua scripts. */
  serverCommandsPerOp: number;
  /** Redis's own CPU time per operation in µs (INFO cpu, user + sys): its work, its system calls and its I/O. */
  serverCpuMicrosPerOp: number;
}

export interface RunSettings {
  inflight: number;
  operations: number;
  repetitions: number;
  /** Runs before every repetition, unmeasured (e.g. re-create the keys a destroy run deletes). */
  prepare?: () => Promise<void>;
}

function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Runs `total` operations with `inflight` lanes, each awaiting its own operations one after another. */
export async function runLanes(
  operation: Operation,
  total: number,
  inflight: number,
  latencies: Float64Array,
): Promise<number> {
  let next = 0;
  const lane = async () => {
    for (;;) {
      const index = next++;
      if (index >= total) return;
      const started = performance.now();
      await operation(index);
      latencies[index] = (performance.now() - started) * 1000;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: inflight }, lane));
  return total / ((performance.now() - started) / 1000);
}

/** Counts what `clients` send, by wrapping their sendCommand. */
export function countCommands(clients: Redis[]): { count(): number; restore(): void } {
  let sent = 0;
  for (const client of clients) {
    const original = client.sendCommand.bind(client);
    client.sendCommand = (...args: Parameters<Redis["sendCommand"]>) => {
      sent++;
      return original(...args);
    };
  }
  return {
    count: () => sent,
    restore: () => {
      for (const client of clients) delete (client as Partial<Redis>).sendCommand;
    },
  };
}

const BOOKKEEPING = new Set([
  "info",
  "config",
  "config|resetstat",
  "config|get",
  "ping",
  "select",
  "client",
  "client|setname",
  "hello",
  "scan",
  "dbsize",
  "memory",
  "memory|usage",
]);

export async function serverCommandCount(admin: Redis): Promise<number> {
  const info = await admin.info("commandstats");
  let total = 0;
  for (const line of info.split("\n")) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (match && !BOOKKEEPING.has(match[1])) total += Number(match[2]);
  }
  return total;
}

/** The server's CPU time so far, in seconds (user + sys). */
export async function serverCpuSeconds(admin: Redis): Promise<number> {
  const info = await admin.info("cpu");
  const field = (name: string) => Number(new RegExp(`${name}:(\\S+)`).exec(info)?.[1] ?? 0);
  return field("used_cpu_user") + field("used_cpu_sys");
}

export interface Contender {
  name: string;
  operation: Operation;
  /** The connections whose commands are counted; empty when there is no Redis behind it. */
  clients: Redis[];
  /** Runs before every run of this contender, unmeasured (e.g. re-create the keys a destroy run deletes). */
  prepare?: () => Promise<void>;
  /** Operations per run; defaults to the settings' count. */
  operations?: number;
}

let interleavedRuns = 0;

/**
 * `ours` ÷ `theirs` in ops/s. When both were measured in the same interleaved run, it is the median over rounds of
 * their two rates in that round: the runs of one round are back to back, so a slow moment of the machine, which at
 * 1 in flight can halve a run's rate, weighs on both sides of that round's ratio. Otherwise, the ratio of medians.
 */
export function pairedRatio(ours: Measurement, theirs: Measurement): number {
  const [a, b] = [ours.opsPerSecond.rounds, theirs.opsPerSecond.rounds];
  if (ours.interleavedRun !== theirs.interleavedRun || a.length !== b.length || a.length === 0) {
    return ours.opsPerSecond.median / theirs.opsPerSecond.median;
  }
  return median(a.map((rate, index) => rate / b[index]));
}

/**
 * A warm-up run of every contender, then `repetitions` rounds in which each contender runs once, in turn (each
 * round starting one contender later, see rotated).
 * Interleaving means a noisy moment on the machine hits every contender alike, so ratios stay meaningful.
 * Throughput is reported per run (median, min, max); latency percentiles over every measured operation;
 * command counts over the measured runs.
 */
export async function measureInterleaved(
  contenders: Contender[],
  settings: { inflight: number; operations: number; repetitions: number },
  admin: Redis | undefined,
): Promise<Map<string, Measurement>> {
  const state = contenders.map((contender) => ({
    contender,
    operations: contender.operations ?? settings.operations,
    rates: [] as number[],
    latencies: [] as Float64Array[],
    clientCommands: 0,
    serverCommands: 0,
    serverCpuSeconds: 0,
  }));
  for (const entry of state) {
    await entry.contender.prepare?.();
    const warmup = Math.min(entry.operations, 2000);
    await runLanes(entry.contender.operation, warmup, settings.inflight, new Float64Array(warmup));
  }
  for (let repetition = 0; repetition < settings.repetitions; repetition++) {
    for (const entry of rotated(state, repetition)) {
      const { contender, operations } = entry;
      await contender.prepare?.();
      const latencies = new Float64Array(operations);
      const counter = countCommands(contender.clients);
      const useServer = admin && contender.clients.length > 0;
      const serverBefore = useServer ? await serverCommandCount(admin) : 0;
      const cpuBefore = useServer ? await serverCpuSeconds(admin) : 0;
      entry.rates.push(await runLanes(contender.operation, operations, settings.inflight, latencies));
      const cpuAfter = useServer ? await serverCpuSeconds(admin) : 0;
      const serverAfter = useServer ? await serverCommandCount(admin) : 0;
      counter.restore();
      entry.clientCommands += counter.count();
      entry.serverCommands += serverAfter - serverBefore;
      entry.serverCpuSeconds += cpuAfter - cpuBefore;
      entry.latencies.push(latencies);
    }
  }
  const results = new Map<string, Measurement>();
  const run = ++interleavedRuns;
  for (const entry of state) {
    const measured = entry.operations * settings.repetitions;
    const all = new Float64Array(measured);
    entry.latencies.forEach((latencies, index) => all.set(latencies, index * entry.operations));
    all.sort();
    results.set(entry.contender.name, {
      opsPerSecond: {
        median: median(entry.rates),
        min: Math.min(...entry.rates),
        max: Math.max(...entry.rates),
        rounds: entry.rates,
      },
      interleavedRun: run,
      latencyMicros: { p50: percentile(all, 0.5), p99: percentile(all, 0.99) },
      clientCommandsPerOp: entry.clientCommands / measured,
      serverCommandsPerOp: entry.serverCommands / measured,
      serverCpuMicrosPerOp: (entry.serverCpuSeconds * 1e6) / measured,
    });
  }
  return results;
}

/**
 * The contenders in the order round `round` runs them: each round starts one contender later. A contender that
 * always ran right after the same other one would inherit its leftovers (garbage to collect, Redis's own lazy
 * work) in every round; rotating spreads them over everyone.
 */
function rotated<T>(entries: T[], round: number): T[] {
  const start = round % entries.length;
  return [...entries.slice(start), ...entries.slice(0, start)];
}

/** One contender on its own. */
export async function measure(
  operation: Operation,
  settings: RunSettings,
  clients: Redis[],
  admin: Redis | undefined,
): Promise<Measurement> {
  const results = await measureInterleaved(
    [{ name: "only", operation, clients, prepare: settings.prepare }],
    settings,
    admin,
  );
  return results.get("only")!;
}

export { median, percentile };
