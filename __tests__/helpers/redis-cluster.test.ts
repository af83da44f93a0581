import * as fs from "fs";
import Redis from "ioredis";
import { startRedisCluster } from "../../test-support/redis-cluster";

/** The cluster the suite relies on must leave nothing behind: not a process, not a file. */
jest.setTimeout(120_000);

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test("a started cluster has 3 primaries and 3 replicas; stop() ends exactly its six processes and removes their folders", async () => {
  const cluster = await startRedisCluster();
  const pids = cluster.servers.map((server) => server.pid);
  const dirs = cluster.servers.map((server) => server.dir);
  try {
    expect(new Set(pids).size).toBe(6);
    for (const dir of dirs) expect(fs.existsSync(`${dir}/nodes.conf`)).toBe(true);
    const roles = await Promise.all(
      cluster.servers.map(async (server) => {
        const client = new Redis(server.url);
        try {
          return /role:master/.test(await client.info("replication")) ? "primary" : "replica";
        } finally {
          client.disconnect();
        }
      }),
    );
    expect(roles.filter((role) => role === "primary")).toHaveLength(3);
    expect(roles.filter((role) => role === "replica")).toHaveLength(3);
  } finally {
    await cluster.stop();
  }
  for (const pid of pids) expect(isRunning(pid)).toBe(false);
  for (const dir of dirs) expect(fs.existsSync(dir)).toBe(false);
});
