import type { Cluster, Redis } from "ioredis";
import { ReleaseSignals } from "../release-signals";
import type { UnlockSignal } from "../types/store";
import { quit, waitUntilReady } from "./redis-connection";
import type { RedisKeyLayout } from "./redis-keys";

/**
 * Releases arrive over pub/sub; a waiter still re-checks this often, because an expiring lock publishes nothing
 * and a message can be missed while the subscriber reconnects.
 */
export const LOCK_FALLBACK_POLL_MS = 50;

/** How long a waiting mark outlasts the round that set it: time for the round's check to come back. */
const WAITING_MARK_SLACK_MS = 1_000;

/** A mark already set is left alone while it will outlive the round by this much. */
const WAITING_MARK_MARGIN_MS = 500;

/** Remembered marks are swept for expired ones only past this many, so remembering stays cheap and bounded. */
const MARKS_SWEPT_PAST = 1_024;

/**
 * Who waits for which lock's release, and the one subscriber connection per store that hears releases from every
 * server, opened on the first wait. Waiting never waits for it (see listenForUnlock).
 */
export class ReleaseListener {
  private readonly releases = new ReleaseSignals();
  private subscriber: Redis | Cluster | undefined;
  private subscribed: Promise<void> | undefined;
  /** Aborted by close(), so nothing the listener started waits on after it. */
  private readonly closing = new AbortController();
  /** True while the subscriber is subscribed, so no release message can be missed. */
  private subscriptionLive = false;
  /** When (performance.now()) the last waiting mark this listener set for each key expires in Redis. */
  private readonly marks = new Map<string, number>();

  constructor(
    private readonly client: Redis | Cluster,
    private readonly layout: RedisKeyLayout,
    private readonly lockFallbackPollMs: number,
    private readonly operationTimeoutMs: number,
    /** The client for one command now, sent in the store's own order (write-batches.ts). */
    private readonly send: () => Redis | Cluster,
  ) {}

  async listenForUnlock(key: string): Promise<UnlockSignal> {
    // Waiting never waits for the subscriber. A release published before the subscription is live is missed, so a
    // registration made until then (or while the subscriber cannot connect) re-checks at least every 50 ms, within
    // its own retry budget.
    this.subscribe().catch(() => undefined);
    const poll = this.subscriptionLive
      ? this.lockFallbackPollMs
      : Math.min(this.lockFallbackPollMs, LOCK_FALLBACK_POLL_MS);
    this.markWaiting(key, poll);
    return this.releases.listen(this.layout.lockKey(key), (timeoutMs) => Math.min(timeoutMs, poll));
  }

  /**
   * Makes sure `key` is marked as waited for until this round ends, so that an unlock publishes the release
   * (unlock-3.lua). A new mark is sent before the caller's check of the lock, on the connection the check takes
   * (the same node on a Cluster: same hash tag), so Redis applies it first and an unlock after that check finds it.
   * It outlasts this round's wait (at most `pollMs`), and a later round that ends before it expires sends none:
   * setting it every round slowed lock hand-off between 8 processes (p50 0.54–0.62 → 0.70–0.77 ms). Not awaited,
   * so the check goes out in the same write. A mark that fails, or that Redis lost, leaves waiters to their poll.
   */
  private markWaiting(key: string, pollMs: number): void {
    const now = performance.now();
    if ((this.marks.get(key) ?? 0) > now + pollMs + WAITING_MARK_MARGIN_MS) return;
    const ttlMs = 2 * pollMs + WAITING_MARK_SLACK_MS;
    this.forgetExpiredMarks(now);
    this.marks.set(key, now + ttlMs);
    this.send()
      .set(this.layout.waitingKey(key), "1", "PX", ttlMs)
      .catch(() => this.marks.delete(key));
  }

  private forgetExpiredMarks(now: number): void {
    if (this.marks.size < MARKS_SWEPT_PAST) return;
    for (const [key, expiresAt] of this.marks) if (expiresAt <= now) this.marks.delete(key);
  }

  /** One subscriber connection per store, shared by every waiter, opened on the first wait. */
  private subscribe(): Promise<void> {
    if (!this.subscribed) {
      const subscriber = (this.subscriber = this.client.duplicate());
      subscriber.on("error", () => undefined);
      // ioredis subscribes again on reconnect; messages published while it was away are lost.
      subscriber.on("close", () => (this.subscriptionLive = false));
      subscriber.on(
        "ready",
        () => (this.subscriptionLive = subscriber.status === "ready" && this.subscriber === subscriber),
      );
      subscriber.on("message", (_channel: string, lockKey: string) => this.releases.released(lockKey));
      // The client may run without an offline queue, so SUBSCRIBE waits for the connection to be ready.
      this.subscribed = (async () => {
        if (!(await waitUntilReady(subscriber, this.operationTimeoutMs, this.closing.signal)))
          throw new Error("subscriber connection not ready");
        await subscriber.subscribe(this.layout.releaseChannel());
      })().then(
        () => {
          this.subscriptionLive = true;
        },
        (error: unknown) => {
          this.subscribed = undefined;
          this.subscriber = undefined;
          this.subscriptionLive = false;
          subscriber.disconnect();
          throw error;
        },
      );
    }
    return this.subscribed;
  }

  /** Wakes this process's waiters for `lockKey` now, without waiting for the published message. */
  released(lockKey: string): void {
    this.releases.released(lockKey);
  }

  /** How many callers wait for a release right now. */
  get waiting(): number {
    return this.releases.waiting;
  }

  async close(): Promise<void> {
    this.closing.abort();
    this.releases.releaseAll();
    this.marks.clear();
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    this.subscribed = undefined;
    this.subscriptionLive = false;
    if (subscriber) await quit(subscriber);
  }
}
