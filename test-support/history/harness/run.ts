import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Op } from "../history";
import { parseHistory } from "../jsonl";
import { startRedisServer } from "../../redis-server";
import { random } from "./random";
import { type FaultWindow, type NemesisName, type RunRedis, monotonicNow, runNemesis } from "./nemesis";

/** What one history run does: where, with which fault, by how many workers and clients, for how long. */
export interface RunOptions {
  store: "memory" | "redis";
  nemesis: NemesisName;
  workers: number;
  clients: number;
  durationMs: number;
  keys: string[];
  /** Which workers have the near cache on (by index); the others have it off. */
  nearCacheWorkers: number[];
  /** Which workers only get and has (reads that may come from the near cache); default none. */
  readers?: number[];
  seed: number;
  /** operationTimeoutMs of every worker's store. */
  timeoutMs?: number;
  /** A deliberately broken build, for the checkers' own test (see worker.js). */
  breakBuild?: "near-ignores-invalidations" | "lock-skips-owner-check";
}

/** A withLock body as a worker saw it. */
export interface LockRecord {
  key: string;
  process: string;
  token: number;
  acquireInvoke: number;
  bodyStart: number;
  bodyEnd: number;
  abortedAt?: number;
}

export interface RunResult {
  ops: Op[];
  locks: LockRecord[];
  faults: FaultWindow[];
  /** The folder with the run's history files, kept when a check fails. */
  dir: string;
  lockTtlMs: number;
}

const WORKER = path.join(__dirname, "worker.js");
const LOCK_TTL_MS = 3_000;
/** How long after a fault ends a command that timed out during it may still run (Redis wakes and runs it). */
const WAKE_SLACK_MS = 1_000;

/** Runs the workers (and the nemesis) to the end and collects what they recorded. */
export async function runHistory(options: RunOptions): Promise<RunResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ah-cache-history-"));
  const redis: RunRedis | undefined =
    options.store === "redis" ? { server: await startRedisServer(["--enable-debug-command", "yes"]) } : undefined;
  try {
    const start = monotonicNow();
    const draw = random(options.seed);
    const workers = Array.from({ length: options.store === "memory" ? 1 : options.workers }, (_, worker) =>
      runWorker(options, worker, dir, redis),
    );
    const faults = await runNemesis(options.nemesis, redis, start + options.durationMs, draw);
    await Promise.all(workers);
    const ops = readWorkerFiles(dir, "ops").flatMap((file) => parseHistory(fs.readFileSync(file, "utf8")));
    const locks = readWorkerFiles(dir, "locks").flatMap((file) => readLines<LockRecord>(file));
    const lost = dataLoss(faults, options.keys, ops.length);
    return { ops: [...boundTimeouts(ops, faults), ...lost], locks, faults, dir, lockTtlMs: LOCK_TTL_MS };
  } finally {
    await redis?.server.stop();
  }
}

function runWorker(options: RunOptions, worker: number, dir: string, redis: RunRedis | undefined): Promise<void> {
  const settings = {
    worker,
    store: options.store,
    redisUrl: redis?.server.url,
    prefix: "history:",
    keys: options.keys,
    clients: options.clients,
    durationMs: options.durationMs,
    nearCache: options.nearCacheWorkers.includes(worker),
    readers: options.readers ?? [],
    seed: options.seed * 1000 + worker + 1,
    timeoutMs: options.timeoutMs ?? 500,
    lockTtlMs: LOCK_TTL_MS,
    lockBodyMs: 20,
    lockShare: 0.1,
    breakBuild: options.breakBuild,
    output: path.join(dir, `ops-${worker}.jsonl`),
    locksOutput: path.join(dir, `locks-${worker}.jsonl`),
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WORKER, JSON.stringify(settings)], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`worker ${worker} exited ${code}: ${stderr}`)),
    );
  });
}

function readWorkerFiles(dir: string, kind: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((name) => name.startsWith(`${kind}-`))
    .map((name) => path.join(dir, name));
}

function readLines<T>(file: string): T[] {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as T);
}

/**
 * A command that timed out may still run when a stalled Redis wakes: it can take effect until the fault window it
 * fell in ends (plus a slack); one that timed out outside any fault keeps no bound.
 */
function boundTimeouts(ops: Op[], faults: FaultWindow[]): Op[] {
  return ops.map((op) => {
    if (op.outcome !== "unknown" || op.effectBy !== undefined) return op;
    const fault = faults.find((window) => window.start <= op.complete && op.invoke <= window.end + WAKE_SLACK_MS);
    return fault ? { ...op, effectBy: Math.max(op.complete, fault.end + WAKE_SLACK_MS) } : op;
  });
}

/**
 * A restart loses every key at some moment between the kill and the server answering again: one delete per key
 * that certainly happened within that window.
 */
function dataLoss(faults: FaultWindow[], keys: string[], firstId: number): Op[] {
  let id = 900_000_000 + firstId;
  return faults
    .filter((fault) => fault.kind === "restart")
    .flatMap((fault) =>
      keys.map((key): Op => ({
        id: id++,
        process: "nemesis",
        key,
        method: "destroy",
        kind: "delete",
        invoke: fault.start,
        complete: fault.end,
        outcome: "ok",
      })),
    );
}
