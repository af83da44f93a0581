import Redis from "ioredis";
import { Cache, CacheError, RedisStore, failFastOptions, waitUntilReady } from "../../src/cache";
import { StartedRedis, startRedisServer } from "../../test-support/redis-server";
import { eventually } from "../cache/behaviours/near-cache";
import { rejectionOf } from "../cache/behaviours/world";

/**
 * A running withLock hears a lost connection at once, not at its next extend (a third of the TTL later): the lock
 * TTL here is a minute, so its first extend would come after 20 s, past every wait below. Each case on a
 * redis-server of its own.
 */
jest.setTimeout(60_000);

const OPERATION_TIMEOUT_MS = 500;
const LOCK_TTL_MS = 60_000;
let server: StartedRedis;
let client: Redis;
let admin: Redis;
let store: RedisStore;
let cache: Cache;

beforeEach(async () => {
  server = await startRedisServer();
  client = new Redis(server.url, { ...failFastOptions(OPERATION_TIMEOUT_MS), retryStrategy: () => 20 });
  client.on("error", () => undefined);
  admin = new Redis(server.url);
  admin.on("error", () => undefined);
  if (!(await waitUntilReady(client, 5_000))) throw new Error("not ready");
  store = new RedisStore({
    client,
    prefix: "abort:obj:",
    lockPrefix: "abort:lock:",
    operationTimeoutMs: OPERATION_TIMEOUT_MS,
  });
  cache = new Cache({ store, owner: "server-a", lockDuration: LOCK_TTL_MS });
});

afterEach(async () => {
  if (server.process.exitCode === null && server.process.signalCode === null) process.kill(server.pid, "SIGCONT");
  await store.close();
  client.disconnect();
  admin.disconnect();
  await server.stop();
});

/** Runs withLock with a body that waits for its signal, then does what `after` says; resolves what it saw. */
function holdUntilAborted(after: (signal: AbortSignal) => Promise<unknown> = async () => undefined) {
  let abortedAt: number | undefined;
  let onHeld!: () => void;
  const holding = new Promise<void>((resolve) => (onHeld = resolve));
  const result = cache.withLock("job", async ({ signal }) => {
    onHeld();
    await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve()));
    abortedAt = Date.now();
    return { reason: signal.reason as CacheError, after: await after(signal) };
  });
  // Before any extend (20 s in): without hearing the connection, the abort would only come from that extend.
  const tooLate = new Promise<never>((_, reject) => {
    const timer = setTimeout(() => reject(new Error("the signal did not abort before the first extend")), 10_000);
    void result.finally(() => clearTimeout(timer));
  });
  return { holding, result: Promise.race([result, tooLate]), abortedAt: () => abortedAt };
}

test("a closed connection (CLIENT KILL) aborts the signal with UNAVAILABLE, and the body's guarded writes fail", async () => {
  const run = holdUntilAborted(async () => {
    // The connection comes back while the lock is still in Redis: Redis's owner check alone would let this through.
    await eventually(() => expect(client.status).toBe("ready"), 10_000);
    expect(await admin.get("abort:lock:{job}")).toBe("server-a");
    const save = await rejectionOf(cache.save("job", "late", { requireLock: true }));
    const destroy = await rejectionOf(cache.destroy("job", { requireLock: true }));
    const many = await rejectionOf(cache.saveMany([{ key: "job", value: 1 }], { requireLock: true }));
    return [save.code, destroy.code, many.code];
  });
  await run.holding;
  const killedAt = Date.now();
  await admin.client("KILL", "TYPE", "normal", "SKIPME", "yes");
  const { reason, after } = await run.result;
  expect(reason).toMatchObject({ code: "UNAVAILABLE" });
  expect(reason.message).toMatch(/connection closed.*lock held through it may be lost/);
  expect(after).toEqual(["LOCK_NOT_HELD", "LOCK_NOT_HELD", "LOCK_NOT_HELD"]);
  expect(await admin.exists("abort:obj:{job}")).toBe(0);
  // The hold released its lock when the body settled; guarded writes of a new hold go through again.
  expect(await admin.exists("abort:lock:{job}")).toBe(0);
  await cache.withLock("job", () => cache.save("job", "fresh", { requireLock: true }));
  expect(await cache.get("job")).toBe("fresh");
  console.log(`withLock abort after CLIENT KILL: ${run.abortedAt()! - killedAt} ms`);
});

test("a killed Redis (SIGKILL) aborts the signal with UNAVAILABLE", async () => {
  const run = holdUntilAborted();
  await run.holding;
  const killedAt = Date.now();
  await server.kill();
  const { reason } = await run.result;
  expect(reason).toMatchObject({ code: "UNAVAILABLE" });
  console.log(`withLock abort after SIGKILL: ${run.abortedAt()! - killedAt} ms`);
});

test("a stalled Redis (SIGSTOP) aborts the signal once a heartbeat goes unanswered for operationTimeoutMs", async () => {
  const run = holdUntilAborted();
  await run.holding;
  const stoppedAt = Date.now();
  process.kill(server.pid, "SIGSTOP");
  const { reason } = await run.result;
  process.kill(server.pid, "SIGCONT");
  expect(reason).toMatchObject({ code: "UNAVAILABLE" });
  // The PING ends at operationTimeoutMs: by the client's commandTimeout, or by the heartbeat's own deadline.
  expect(reason.message).toMatch(/PING (failed: Command timed out|within 500 ms)/);
  console.log(
    `withLock abort after SIGSTOP (operationTimeoutMs ${OPERATION_TIMEOUT_MS}): ${run.abortedAt()! - stoppedAt} ms`,
  );
});

test("a stalled Redis: the body's write that timed out finds the signal aborted, and its retry is refused", async () => {
  let stopped!: () => void;
  const stall = new Promise<void>((resolve) => (stopped = resolve));
  const seen = await cache.withLock("job", async ({ signal }) => {
    await cache.save("job", "before", { requireLock: true });
    process.kill(server.pid, "SIGSTOP");
    stopped();
    const first = await rejectionOf(cache.save("job", "during", { requireLock: true }));
    const abortedWhenItFailed = signal.aborted;
    const retry = await rejectionOf(cache.save("job", "retry", { requireLock: true }));
    return { first: first.code, abortedWhenItFailed, retry: retry.code };
  });
  await stall;
  process.kill(server.pid, "SIGCONT");
  expect(seen).toEqual({ first: "UNAVAILABLE", abortedWhenItFailed: true, retry: "LOCK_NOT_HELD" });
  // The write that timed out ran when Redis woke (it was sent); the retry never was.
  await eventually(async () => expect(await admin.get("abort:obj:{job}")).toContain("during"), 10_000);
});

test("a fetch producer whose hold lost its lock does not save its value", async () => {
  let release!: () => void;
  const producing = new Promise<void>((resolve) => (release = resolve));
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  const fetched = cache.fetch("report", async () => {
    started();
    await producing;
    return "produced";
  });
  await running;
  const closed = new Promise((resolve) => client.once("close", resolve));
  await admin.client("KILL", "TYPE", "normal", "SKIPME", "yes");
  await closed;
  await eventually(() => expect(client.status).toBe("ready"), 10_000);
  release();
  expect(await fetched).toBe("produced");
  expect(await admin.exists("abort:obj:{report}")).toBe(0);
});

test("nothing is left running: no heartbeat once no lock is held", async () => {
  await cache.withLock("job", async () => undefined);
  await cache.fetch("k", () => 1);
  const before = Number(/total_commands_processed:(\d+)/.exec(await admin.info("stats"))![1]);
  await new Promise((resolve) => setTimeout(resolve, 600));
  const after = Number(/total_commands_processed:(\d+)/.exec(await admin.info("stats"))![1]);
  // Only the admin's own INFO in between.
  expect(after - before).toBe(1);
});
