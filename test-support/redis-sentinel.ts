import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { askNode, until } from "./redis-node";
import { StartedRedis, freePort, isPortOpen, startRedisServer } from "./redis-server";

export const SENTINEL_MASTER_NAME = "mymaster";

export interface StartedSentinelSetup {
  primary: StartedRedis;
  replica: StartedRedis;
  /** What ioredis is given: the sentinel's address and the monitored name. */
  sentinels: Array<{ host: string; port: number }>;
  /** The port the sentinel reports as the primary right now. */
  currentPrimaryPort(): Promise<number>;
  /** Stops exactly the three processes it started and removes their folders. */
  stop(): Promise<void>;
}

/** A primary, one replica, and one sentinel (quorum 1) watching them, each on a free port. */
export async function startSentinelSetup(): Promise<StartedSentinelSetup> {
  const primary = await startRedisServer();
  const replica = await startRedisServer(["--replicaof", "127.0.0.1", String(primary.port)]);
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ah-cache-sentinel-"));
  const config = path.join(dir, "sentinel.conf");
  fs.writeFileSync(
    config,
    [
      `port ${port}`,
      "bind 127.0.0.1",
      `dir ${dir}`,
      `sentinel monitor ${SENTINEL_MASTER_NAME} 127.0.0.1 ${primary.port} 1`,
      `sentinel down-after-milliseconds ${SENTINEL_MASTER_NAME} 1000`,
      `sentinel failover-timeout ${SENTINEL_MASTER_NAME} 5000`,
      "",
    ].join("\n"),
  );
  const sentinel = spawn("redis-server", [config, "--sentinel"], { stdio: "ignore" });
  const stop = async () => {
    if (sentinel.exitCode === null && sentinel.signalCode === null) {
      const exited = new Promise((resolve) => sentinel.once("exit", resolve));
      sentinel.kill("SIGTERM");
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
    await Promise.all([primary.stop(), replica.stop()]);
  };
  const ask = (...command: string[]) => askNode(port, ...command);
  try {
    await until("the sentinel to listen", 10_000, () => isPortOpen("127.0.0.1", port));
    await until("the replica to sync", 20_000, async () =>
      /master_link_status:up/.test(String(await askNode(replica.port, "INFO", "replication"))),
    );
    await until(
      "the sentinel to see the replica",
      20_000,
      async () => ((await ask("SENTINEL", "REPLICAS", SENTINEL_MASTER_NAME)) as unknown[]).length === 1,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    primary,
    replica,
    sentinels: [{ host: "127.0.0.1", port }],
    currentPrimaryPort: async () =>
      Number(((await ask("SENTINEL", "GET-MASTER-ADDR-BY-NAME", SENTINEL_MASTER_NAME)) as string[])[1]),
    stop,
  };
}
