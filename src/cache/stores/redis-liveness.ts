import type { Cluster, Redis } from "ioredis";
import { CacheError, CacheErrorCodes } from "../errors";

type Lost = (error: CacheError) => void;

/**
 * The most time between two heartbeats while anyone watches (a quarter of the operation timeout when shorter): a
 * stall is heard within operationTimeoutMs plus this, at four PINGs a second while a lock is held.
 */
const MAX_HEARTBEAT_MS = 250;

/**
 * Tells lock holders (withLock) when the store can no longer vouch for the locks they hold: at once when a
 * connection closes, and when Redis stops answering with the connection open (a stall: SIGSTOP, a partition), once
 * a heartbeat PING has gone unanswered for the operation timeout. Nothing runs while nobody watches; while someone
 * does, one PING per heartbeat (to every primary of a Cluster).
 *
 * On a Cluster a closed connection to any node counts: which node holds a key's slot can change under a failover.
 */
export class ConnectionWatch {
  private readonly watchers = new Set<Lost>();
  private readonly watchedNodes = new Set<Redis>();
  private timer: NodeJS.Timeout | undefined;
  /** Counts start()s: a heartbeat still in flight from an earlier watch ends without scheduling another. */
  private generation = 0;
  private readonly heartbeatMs: number;

  constructor(
    private readonly client: Redis | Cluster,
    private readonly timeoutMs: number,
    private readonly endpoint: () => string,
  ) {
    this.heartbeatMs = Math.max(1, Math.min(MAX_HEARTBEAT_MS, Math.floor(timeoutMs / 4)));
  }

  /** Calls `lost` once if the connection is lost while watched; returns what stops watching. */
  watch(lost: Lost): () => void {
    if (this.client.status !== "ready") {
      const error = this.lostError(`the connection is ${this.client.status}`);
      queueMicrotask(() => lost(error));
      return () => undefined;
    }
    this.watchers.add(lost);
    if (this.watchers.size === 1) this.start();
    return () => {
      if (this.watchers.delete(lost) && this.watchers.size === 0) this.stop();
    };
  }

  /**
   * A command of this store timed out: Redis stalled. Holders hear it now rather than at the heartbeat's own
   * deadline, which may be up to a heartbeat later: a body that saw the timeout must find its signal aborted.
   */
  commandTimedOut(): void {
    this.lose(`a command got no answer within ${this.timeoutMs} ms`);
  }

  private start(): void {
    this.generation += 1;
    if ((this.client as Cluster).isCluster) {
      this.client.on("+node", this.watchNode);
      for (const node of (this.client as Cluster).nodes()) this.watchNode(node);
    } else {
      this.watchNode(this.client as Redis);
    }
    this.schedule();
  }

  private stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.client.off("+node", this.watchNode);
    for (const node of this.watchedNodes) node.off("close", this.onClose);
    this.watchedNodes.clear();
  }

  private readonly watchNode = (node: Redis) => {
    if (this.watchedNodes.has(node)) return;
    this.watchedNodes.add(node);
    node.on("close", this.onClose);
  };

  private readonly onClose = () => this.lose("the connection closed");

  private schedule(): void {
    const generation = this.generation;
    this.timer = setTimeout(() => void this.beat(generation), this.heartbeatMs);
    this.timer.unref();
  }

  /** One PING to each primary, which must all answer within the timeout; then the next, a heartbeat later. */
  private async beat(generation: number): Promise<void> {
    const nodes = (this.client as Cluster).isCluster ? (this.client as Cluster).nodes("master") : [this.client];
    let stalled: NodeJS.Timeout | undefined;
    const deadline = new Promise<string>((resolve) => {
      stalled = setTimeout(() => resolve(`Redis did not answer a PING within ${this.timeoutMs} ms`), this.timeoutMs);
      stalled.unref();
    });
    const answered = Promise.all(nodes.map((node) => node.ping())).then(
      () => undefined,
      (error: Error) => `a PING failed: ${error.message}`,
    );
    const failure = await Promise.race([answered, deadline]);
    clearTimeout(stalled);
    if (this.watchers.size === 0 || generation !== this.generation) return;
    if (failure !== undefined) this.lose(failure);
    else this.schedule();
  }

  private lose(reason: string): void {
    if (this.watchers.size === 0) return;
    const error = this.lostError(reason);
    const watchers = [...this.watchers];
    this.watchers.clear();
    this.stop();
    for (const lost of watchers) lost(error);
  }

  private lostError(reason: string): CacheError {
    return new CacheError(
      CacheErrorCodes.UNAVAILABLE,
      `Redis at ${this.endpoint()} is unavailable (${reason}): a lock held through it may be lost`,
    );
  }
}
