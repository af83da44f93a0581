import { execFile } from "child_process";
import { promisify } from "util";
import { askNode, until } from "./redis-node";
import { StartedRedis, freePort, startRedisServer } from "./redis-server";

const run = promisify(execFile);

export interface ClusterNode {
  host: string;
  port: number;
}

export interface StartedCluster {
  servers: StartedRedis[];
  /** What an ioredis Cluster is given: every node, so it finds the cluster even while one is down. */
  startupNodes: ClusterNode[];
  /** The server that is a primary right now and holds `slot`. */
  primaryForSlot(slot: number): Promise<StartedRedis>;
  /** Waits until every live node reports cluster_state:ok and every slot has a live primary. */
  waitUntilHealthy(timeoutMs?: number): Promise<void>;
  /** Stops exactly the six processes it started and removes their folders. */
  stop(): Promise<void>;
}

/**
 * A real Redis Cluster on this machine: 6 redis-server processes (3 primaries, 3 replicas) on free ports, each with
 * its cluster bus on another free port, joined by `redis-cli --cluster create`. `nodeTimeoutMs` is
 * cluster-node-timeout: how soon a dead primary's replica takes over.
 */
export async function startRedisCluster(options: { nodeTimeoutMs?: number } = {}): Promise<StartedCluster> {
  const servers: StartedRedis[] = [];
  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop()));
  };
  const liveServers = () =>
    servers.filter((server) => server.process.exitCode === null && server.process.signalCode === null);
  try {
    // Each node needs two ports (clients and cluster bus). A port from freePort() is free only until someone binds
    // it, so no two picks may repeat, and a node that still loses a race to another process is started again.
    const taken = new Set<number>();
    const distinctFreePort = async () => {
      for (;;) {
        const port = await freePort();
        if (!taken.has(port)) {
          taken.add(port);
          return port;
        }
      }
    };
    for (let i = 0; i < 6; i++) {
      for (let attempt = 1; ; attempt++) {
        const [port, busPort] = [await distinctFreePort(), await distinctFreePort()];
        const args = [
          "--cluster-enabled",
          "yes",
          "--cluster-config-file",
          "nodes.conf",
          "--cluster-node-timeout",
          String(options.nodeTimeoutMs ?? 1000),
        ];
        try {
          servers.push(await startRedisServer([...args, "--cluster-port", String(busPort)], { port }));
          break;
        } catch (error) {
          if (attempt >= 3) throw error;
        }
      }
    }
    await run(
      "redis-cli",
      [
        "--cluster",
        "create",
        ...servers.map((server) => `127.0.0.1:${server.port}`),
        "--cluster-replicas",
        "1",
        "--cluster-yes",
      ],
      {
        timeout: 30_000,
      },
    );
    const cluster: StartedCluster = {
      servers,
      startupNodes: servers.map((server) => ({ host: "127.0.0.1", port: server.port })),
      primaryForSlot: async (slot) => {
        const slots = (await askNode(liveServers()[0].port, "CLUSTER", "SLOTS")) as Array<
          [number, number, [string, number]]
        >;
        const range = slots.find(([first, last]) => slot >= first && slot <= last);
        const port = range?.[2][1];
        const server = servers.find((candidate) => candidate.port === port);
        if (!server) throw new Error(`no primary serves slot ${slot}`);
        return server;
      },
      waitUntilHealthy: async (timeoutMs = 30_000) => {
        await until("cluster_state:ok on every live node with all slots served", timeoutMs, async () => {
          const live = liveServers();
          for (const server of live) {
            const info = String(await askNode(server.port, "CLUSTER", "INFO"));
            if (!/cluster_state:ok/.test(info) || !/cluster_slots_ok:16384/.test(info)) return false;
          }
          // Replicas are in sync, so a failover has a replica to promote.
          for (const server of live) {
            const replication = String(await askNode(server.port, "INFO", "replication"));
            if (/role:slave/.test(replication) && !/master_link_status:up/.test(replication)) return false;
          }
          return true;
        });
      },
      stop,
    };
    await cluster.waitUntilHealthy();
    return cluster;
  } catch (error) {
    await stop();
    throw error;
  }
}
