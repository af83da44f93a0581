import type { Cluster, Redis } from "ioredis";
import { ChangeFeed } from "../change-feed";
import type { ChangeListener } from "../types/store";
import { quit } from "./redis-connection";
import type { RedisKeyLayout } from "./redis-keys";

const INVALIDATE_CHANNEL = "__redis__:invalidate";
/** The name tracking connections carry in CLIENT LIST. */
export const TRACKING_CONNECTION_NAME = "ah-cache-plugin:near-cache";
/**
 * Connected now, and never subscribed again by ioredis on a reconnect: arm() subscribes, after enabling tracking.
 * RESP2 (ioredis 6 speaks RESP3 by default), where Redis sends invalidations as messages on the subscribed channel.
 * Nothing is ever in flight worth waiting for when it closes, so a socket that does not close at once (its server
 * died) is destroyed after 100 ms instead of ioredis's 2 s, which would keep a stopping process alive.
 */
const OWN_CONNECTION = {
  lazyConnect: false,
  autoResubscribe: false,
  connectionName: TRACKING_CONNECTION_NAME,
  protocol: 2,
  disconnectTimeout: 100,
};
/**
 * How often an armed connection is checked with PING, and how long the answer may take. A connection that goes
 * silent (a partition, a stopped server) never closes on its own, and invalidations lost on it would leave copies
 * stale; a missed PING reconnects it, and the feed is lost until it is armed again.
 */
export const TRACKING_HEARTBEAT_MS = 1000;
const SINGLE = "single";
const CLUSTER_SLOTS = 16384;
/** While the feed is not live on a Cluster, how often the slot map is refreshed to find every primary. */
const CLUSTER_RESYNC_MS = 500;

/**
 * Redis's server-assisted client-side caching as the store's change feed. Each tracking connection enables
 * `CLIENT TRACKING ON REDIRECT <its own id> BCAST PREFIX <objects> PREFIX <locks>` and then subscribes to
 * `__redis__:invalidate`, so tracking and the invalidation messages live and die with one connection: when it
 * drops, the feed is lost until it is armed again. BCAST tracks every key under the prefixes, written by anyone
 * (other servers, expiry, eviction, redis-cli), at no cost to the writers and with no per-key table in Redis.
 * A single Redis or Sentinel needs one connection; a Cluster one per primary, re-synced when the slot map changes.
 */
export class RedisTracking {
  readonly feed = new ChangeFeed();
  /** Redis's clock minus this process's, measured when a connection is armed. */
  offsetMs = 0;
  private readonly connections = new Map<string, TrackingConnection>();
  private resyncTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly client: Redis | Cluster,
    private readonly layout: RedisKeyLayout,
  ) {
    if (isCluster(client)) {
      client.on("refresh", this.sync);
      client.on("+node", this.sync);
      client.on("-node", this.sync);
    }
    this.sync();
  }

  watch(listener: ChangeListener): () => void {
    return this.feed.add(listener);
  }

  /** Opens a connection for every primary that has none, closes those of nodes that are no longer primaries. */
  private readonly sync = () => {
    if (this.closed) return;
    const wanted = new Map<string, () => Redis>();
    if (isCluster(this.client)) {
      for (const node of this.client.nodes("master")) {
        const override = { ...OWN_CONNECTION, enableOfflineQueue: false, readOnly: false, retryStrategy: retry };
        wanted.set(`${node.options.host}:${node.options.port}`, () => node.duplicate(override));
      }
    } else {
      const client = this.client;
      wanted.set(SINGLE, () => client.duplicate(OWN_CONNECTION));
    }
    for (const [name, connection] of this.connections) {
      if (wanted.has(name)) continue;
      this.connections.delete(name);
      void connection.close();
    }
    for (const [name, open] of wanted) {
      if (this.connections.has(name)) continue;
      this.connections.set(name, new TrackingConnection(open(), this.prefixes(), this.events));
    }
    this.settle();
  };

  private readonly events: TrackingEvents = {
    keys: (keys) => this.invalidated(keys),
    armed: (offsetMs) => {
      this.offsetMs = offsetMs;
      this.settle();
    },
    // When the connection last proved every change was reported, moved to Redis's clock: grace counts from there.
    lost: (heardAt) => this.settle(heardAt + this.offsetMs),
  };

  /**
   * Live while changes anywhere are heard: on a Cluster, every slot's primary has an armed connection (a failover
   * leaves the slots of a dead primary uncovered until its replica is promoted and armed); otherwise the one
   * connection is armed. Until then the feed is lost, and on a Cluster the slot map is refreshed meanwhile.
   */
  private settle(heardAt?: number): void {
    if (!this.closed && this.everyChangeHeard()) {
      this.stopResync();
      this.feed.live();
      return;
    }
    this.feed.lost(heardAt);
    if (!this.closed && isCluster(this.client) && !this.resyncTimer) {
      this.resyncTimer = setInterval(() => {
        (this.client as Cluster).refreshSlotsCache(() => this.sync());
      }, CLUSTER_RESYNC_MS);
      this.resyncTimer.unref();
    }
  }

  private everyChangeHeard(): boolean {
    if (!isCluster(this.client)) return this.connections.get(SINGLE)?.armed === true;
    const { slots } = this.client;
    if (slots.length < CLUSTER_SLOTS) return false;
    for (let slot = 0; slot < CLUSTER_SLOTS; slot++) {
      const primary = slots[slot]?.[0];
      if (primary === undefined || this.connections.get(primary)?.armed !== true) return false;
    }
    return true;
  }

  private stopResync(): void {
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.resyncTimer = undefined;
  }

  /** `keys` null: Redis flushed a database; anything may have changed. */
  private invalidated(keys: Buffer[] | null): void {
    if (keys === null) {
      this.feed.changedAll();
      return;
    }
    for (const raw of keys) {
      const redisKey = raw.toString();
      const key = this.layout.keyFromObjectKey(redisKey) ?? this.layout.keyFromLockKey(redisKey);
      if (key !== undefined) this.feed.changed(key);
    }
  }

  /** Objects and locks only (`<prefix>{`, `<lockPrefix>{`): lists and fencing counters change nothing cached. */
  private prefixes(): string[] {
    return [`${this.layout.prefix}{`, `${this.layout.lockPrefix}{`];
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopResync();
    if (isCluster(this.client)) {
      this.client.off("refresh", this.sync);
      this.client.off("+node", this.sync);
      this.client.off("-node", this.sync);
    }
    const connections = [...this.connections.values()];
    this.connections.clear();
    this.feed.lost();
    await Promise.all(connections.map((connection) => connection.close()));
  }
}

interface TrackingEvents {
  keys(keys: Buffer[] | null): void;
  armed(offsetMs: number): void;
  /** `heardAt`: this process's clock when the connection last proved it heard everything (armed, or a PING). */
  lost(heardAt: number): void;
}

/** A Cluster node connection reconnects on its own (ioredis leaves node connections to MOVED errors otherwise). */
function retry(times: number): number {
  return Math.min(times * 100, 1000);
}

function isCluster(client: Redis | Cluster): client is Cluster {
  return (client as Cluster).isCluster === true;
}

/** One connection that tracks and hears its own invalidations; armed again on every reconnect. */
class TrackingConnection {
  armed = false;
  private closing = false;
  private pinging = false;
  private pingTimer: NodeJS.Timeout | undefined;
  /**
   * When a PING last went out that was then answered (or the connection was armed): the answer comes after every
   * invalidation Redis sent before running it, so every change until then was heard.
   */
  private heardAt = 0;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    private readonly prefixes: string[],
    private readonly events: TrackingEvents,
  ) {
    redis.on("error", () => undefined);
    redis.on("ready", () => void this.arm());
    redis.on("close", () => this.drop());
    redis.on("messageBuffer", (channel: Buffer, message: Buffer[] | null) => {
      if (this.armed && channel.toString() === INVALIDATE_CHANNEL) events.keys(Array.isArray(message) ? message : null);
    });
    if (redis.status === "ready") void this.arm();
    this.heartbeat = setInterval(() => void this.ping(), TRACKING_HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  private async ping(): Promise<void> {
    if (!this.armed || this.pinging) return;
    this.pinging = true;
    const silent = new Promise<"silent">((resolve) => {
      this.pingTimer = setTimeout(() => resolve("silent"), TRACKING_HEARTBEAT_MS);
    });
    try {
      const sentAt = Date.now();
      const answer = await Promise.race([this.redis.ping(), silent]);
      if (answer === "silent") throw new Error("no answer to PING");
      this.heardAt = sentAt;
    } catch {
      // No answer in time (or the command timed out): reconnect, and the feed is lost until armed again.
      if (!this.closing) {
        this.drop();
        this.redis.disconnect(true);
      }
    } finally {
      clearTimeout(this.pingTimer);
      this.pinging = false;
    }
  }

  private async arm(): Promise<void> {
    const redis = this.redis;
    try {
      const id = await redis.client("ID");
      const prefixes = this.prefixes.flatMap((prefix) => ["PREFIX", prefix]);
      await redis.call("CLIENT", "TRACKING", "ON", "REDIRECT", String(id), "BCAST", ...prefixes);
      const before = Date.now();
      const [seconds, micros] = await redis.time();
      const offsetMs = Number(seconds) * 1000 + Number(micros) / 1000 - (before + Date.now()) / 2;
      // Subscribed, every change from here on reaches this connection: reads sent after now may be kept.
      await redis.subscribe(INVALIDATE_CHANNEL);
      if (this.closing || redis.status !== "ready") return;
      this.heardAt = Date.now();
      this.armed = true;
      this.events.armed(offsetMs);
    } catch {
      // Not armed: the feed stays lost and reads go to Redis. A connection problem reconnects and arms again; a
      // refusal (an ACL without CLIENT, a Redis without tracking) leaves the near cache standing aside.
    }
  }

  private drop(): void {
    if (!this.armed) return;
    this.armed = false;
    this.events.lost(this.heardAt);
  }

  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.pingTimer);
    this.drop();
    await quit(this.redis);
  }
}
