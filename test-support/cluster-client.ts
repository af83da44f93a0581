import { Cluster, type ClusterOptions } from "ioredis";
import { clusterFailFastOptions, waitUntilReady } from "../src/cache";
import type { StartedCluster } from "./redis-cluster";

/** An ioredis Cluster client on the test cluster, with the plugin's fail-fast options, once it is ready. */
export async function connectCluster(
  cluster: StartedCluster,
  timeoutMs = 5000,
  options: ClusterOptions = {},
): Promise<Cluster> {
  const client = new Cluster(cluster.startupNodes, clusterFailFastOptions(timeoutMs, options));
  client.on("error", () => undefined);
  if (!(await waitUntilReady(client, 20_000))) throw new Error("the cluster client did not become ready");
  return client;
}

/** Deletes every key under the prefix on every primary, one key per command so no call spans slots. */
export async function deleteByPrefixOnCluster(client: Cluster, prefix: string): Promise<void> {
  for (const node of client.nodes("master")) {
    let cursor = "0";
    do {
      const [next, keys] = await node.scan(cursor, "MATCH", `${prefix.replace(/[*?[\]\\]/g, "\\$&")}*`, "COUNT", 1000);
      await Promise.all(keys.map((key) => node.unlink(key)));
      cursor = next;
    } while (cursor !== "0");
  }
}
