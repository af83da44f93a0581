import type { EnvironmentContext, JestEnvironmentConfig } from "@jest/environment";
import * as path from "path";
import { TestEnvironment } from "jest-environment-node";

/**
 * jest's node environment, plus a check after each test file: whatever the file opened that still keeps the
 * process alive (a Redis client not quit, a ref'd timer, a server not closed, a child process not awaited) fails
 * the file, naming it. Left alone, such a handle outlives the file in its jest worker, and at the end of the run
 * jest force-exits that worker ("A worker process has failed to exit gracefully…"), after whichever file ran last.
 *
 * Only what the file itself made counts, by identity: the sockets, servers, pipes and child processes that were
 * not there when it started, and the timers its code (and the libraries it loaded) set through the global
 * setTimeout/setInterval. What jest holds, and anything an earlier file in the same worker left, is not this
 * file's. Unref'd handles and timers do not keep a process alive and do not count.
 *
 * A handle that is closing gets GRACE_MS to go, and so does a timer; a leak stays, however fast or slow the
 * machine is. A timer due more than EXIT_DELAY_MS after the file ended that then fires (nothing cleared it) fails the
 * file too, even within the grace: at the end of a run, jest-worker gives a worker 500 ms to exit before it
 * force-exits it. (ioredis's disconnect() arms a 2 s timer that only the socket's close clears: a client whose
 * socket had closed already kept its worker alive that way.)
 */
const GRACE_MS = 2_000;
const EXIT_DELAY_MS = 500;
const POLL_MS = 25;
/** Settled timers are dropped from the record once it holds this many. */
const PRUNE_AT = 10_000;

interface Handle {
  constructor: { name: string };
  remoteAddress?: string;
  remotePort?: number;
  pid?: number;
  spawnargs?: string[];
  fd?: number;
  _handle?: { hasRef?: () => boolean; fd?: number } | null;
}

interface TimerLike {
  hasRef(): boolean;
  _destroyed?: boolean;
  /** When it was (re)armed and after how long it fires, in ms of libuv's loop clock. */
  _idleStart?: number;
  _idleTimeout?: number;
  _repeat?: number | null;
}

function activeHandles(): Handle[] {
  return (process as unknown as { _getActiveHandles(): Handle[] })._getActiveHandles();
}

/** A handle whose owner let go of it (an exited child, a destroyed socket) is closing, not keeping anything alive. */
function keepsAlive(handle: Handle): boolean {
  return handle._handle ? (handle._handle.hasRef?.() ?? true) : false;
}

function describeHandle(handle: Handle): string {
  if (handle.remotePort !== undefined) return `a socket to ${handle.remoteAddress}:${handle.remotePort}`;
  if (handle.pid !== undefined) return `child process ${handle.pid} (${(handle.spawnargs ?? []).join(" ")})`;
  return `a ${handle.constructor.name}${handle._handle?.fd !== undefined ? ` on fd ${handle._handle.fd}` : ""}`;
}

/** Now on libuv's loop clock, the one timers' _idleStart is on: when a timer armed now says it started. */
function loopNow(): number {
  const probe = setTimeout(() => undefined, 0);
  clearTimeout(probe);
  return (probe as unknown as TimerLike)._idleStart ?? 0;
}

function firesIn(timer: TimerLike, now: number): number {
  return (timer._idleStart ?? now) + (timer._idleTimeout ?? 0) - now;
}

/**
 * Waits `ms`, then lets the loop's I/O phase run, so a socket or child that closed meanwhile is seen closed even
 * when this process was starved of CPU for longer than `ms`.
 */
async function pause(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
  await new Promise((resolve) => setImmediate(resolve));
}

export default class HandleGuardEnvironment extends TestEnvironment {
  private readonly testPath: string;
  private baseline = new Set<Handle>();
  /** Each timer the file set, with its callback and whether it fired (rather than being cleared). */
  private readonly timers = new Map<TimerLike, { callback: unknown; fired: boolean }>();
  private checked = false;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    this.testPath = context.testPath;
    for (const name of ["setTimeout", "setInterval"] as const) this.recordTimers(name);
  }

  /** The file's global setTimeout/setInterval, unchanged except that each timer they return is recorded. */
  private recordTimers(name: "setTimeout" | "setInterval"): void {
    const original = this.global[name] as unknown as (...args: unknown[]) => TimerLike;
    const timers = this.timers;
    const recording = function (this: unknown, callback: unknown, ...rest: unknown[]): TimerLike {
      if (typeof callback !== "function") return original.call(this, callback, ...rest);
      const record = { callback, fired: false };
      const timer = original.call(
        this,
        function (this: unknown, ...args: unknown[]) {
          record.fired = true;
          return (callback as (...input: unknown[]) => unknown).apply(this, args);
        },
        ...rest,
      );
      if (timers.size >= PRUNE_AT) for (const old of timers.keys()) if (old._destroyed) timers.delete(old);
      timers.set(timer, record);
      return timer;
    };
    // name, length and util.promisify.custom, as the original has them.
    Object.defineProperties(recording, Object.getOwnPropertyDescriptors(original));
    (this.global as unknown as Record<string, unknown>)[name] = recording;
  }

  async setup(): Promise<void> {
    await super.setup();
    // Node opens stdout's and stderr's handles on first use: open them now, so they are no file's leak.
    void [process.stdout, process.stderr];
    this.baseline = new Set(activeHandles());
  }

  private pendingTimers(): TimerLike[] {
    return [...this.timers.keys()].filter((timer) => !timer._destroyed && timer.hasRef());
  }

  private describeTimer(timer: TimerLike): string {
    const kind = timer._repeat
      ? `an interval of ${timer._repeat} ms`
      : `a timer of ${timer._idleTimeout} ms, due ${Math.max(0, firesIn(timer, loopNow()))} ms from now`;
    const callback = this.timers.get(timer)?.callback;
    const source = typeof callback === "function" ? callback.toString() : "";
    return `${kind} (${source.replace(/\s+/g, " ").slice(0, 120)})`;
  }

  private leftOpen(): Array<Handle | TimerLike> {
    const handles = activeHandles().filter((handle) => !this.baseline.has(handle) && keepsAlive(handle));
    return [...handles, ...this.pendingTimers()];
  }

  async teardown(): Promise<void> {
    await super.teardown();
    // jest calls teardown again when it throws; the second call must not hide the first one's message.
    if (this.checked) return;
    this.checked = true;
    const now = loopNow();
    const late = this.pendingTimers().filter((timer) => firesIn(timer, now) > EXIT_DELAY_MS);
    const lateDescriptions = new Map(late.map((timer) => [timer, this.describeTimer(timer)]));
    const deadline = Date.now() + GRACE_MS;
    let left = this.leftOpen();
    while (left.length > 0 && Date.now() < deadline) {
      await pause(POLL_MS);
      left = this.leftOpen();
    }
    const firedLate = late.filter((timer) => this.timers.get(timer)?.fired);
    const problems = [
      ...firedLate.map((timer) => lateDescriptions.get(timer)!),
      ...left
        .filter((open) => !firedLate.includes(open as TimerLike))
        .map((open) =>
          this.timers.has(open as TimerLike) ? this.describeTimer(open as TimerLike) : describeHandle(open as Handle),
        ),
    ];
    this.timers.clear();
    if (problems.length === 0) return;
    const file = path.relative(process.cwd(), this.testPath);
    throw new Error(
      `${file} left ${problems.length} thing(s) keeping the process alive after it ended: ` +
        `${problems.join("; ")}. Quit the clients, clear or unref the timers, close the servers and await the child ` +
        `processes it started; \`npx jest --detectOpenHandles ${file}\` shows where each was made.`,
    );
  }
}
