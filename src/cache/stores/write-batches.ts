import type { Cluster, Redis } from "ioredis";
import type { Writable } from "stream";

/**
 * Commands per socket write while commands are in flight: of 1, 2, 3, 5, 7 and 15, 3 gave the most ops/s at 64 in
 * flight. On a Cluster a batch may take this many per corked node's socket.
 */
export const COMMANDS_PER_WRITE = 3;

/**
 * Joins the commands this store sends in one tick into fewer socket writes, while the connection already has
 * commands in flight.
 *
 * Why: under load, ioredis writes each command with its own syscall, and that write was about 40% of this
 * process's CPU per operation. Corking the socket lets Node send a few commands with one writev. Batches stay
 * small (COMMANDS_PER_WRITE) so that Redis starts on the first commands while this process prepares the next:
 * corking a whole tick's commands made Redis and Node take turns instead of working at once, and was slower.
 * With nothing in flight a command is written at once, so a lone call waits for nothing. Whatever is still corked
 * is written before the tick ends (process.nextTick), so no command waits for I/O.
 *
 * On a Cluster every busy primary's socket is corked alike, since the node a command goes to is decided inside
 * ioredis, and a batch takes COMMANDS_PER_WRITE commands per corked socket: commands spread over the primaries, so
 * a budget of 3 in all gave each socket about one command per write, which saved nothing (cluster bench, interleaved:
 * save, load and lock+unlock 11–17% more ops/s with the budget per socket).
 */
export class WriteBatches {
  private corked: Writable[] | undefined;
  private joined = 0;
  private flushScheduled = false;
  private readonly flush = () => {
    this.flushScheduled = false;
    this.uncork();
  };

  constructor(private readonly client: Redis | Cluster) {}

  /** Called just before a command is sent: it joins the current batch, or starts one if commands are in flight. */
  join(): void {
    if (this.corked) {
      if (this.joined < COMMANDS_PER_WRITE * this.corked.length) {
        this.joined++;
        return;
      }
      this.uncork();
    }
    const streams = this.busyStreams();
    if (streams === undefined) return;
    for (const stream of streams) stream.cork();
    this.corked = streams;
    this.joined = 1;
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    process.nextTick(this.flush);
  }

  private uncork(): void {
    const streams = this.corked;
    if (streams === undefined) return;
    this.corked = undefined;
    for (const stream of streams) stream.uncork();
  }

  /** The sockets to cork, when it helps: the connection is ready and already has commands in flight. */
  private busyStreams(): Writable[] | undefined {
    if ((this.client as Cluster).isCluster) return this.clusterStreams(this.client as Cluster);
    const client = this.client as Redis & { commandQueue?: { length: number } };
    if (client.status !== "ready" || !client.stream || !client.commandQueue?.length) return undefined;
    return [client.stream];
  }

  private clusterStreams(cluster: Cluster): Writable[] | undefined {
    if (cluster.status !== "ready") return undefined;
    const streams: Writable[] = [];
    for (const node of cluster.nodes("master")) {
      const queued = (node as Redis & { commandQueue?: { length: number } }).commandQueue?.length;
      if (node.status === "ready" && node.stream && queued) streams.push(node.stream);
    }
    return streams.length > 0 ? streams : undefined;
  }
}
