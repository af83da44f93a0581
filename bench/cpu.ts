import Redis from "ioredis";
import { type Operation, runLanes, serverCpuSeconds } from "./measure";

/** CPU time per operation, in µs: this process's, and every Redis server's added up. */
export interface CpuPerOperation {
  processMicros: number;
  redisMicros: number;
}

/** used_cpu_user + used_cpu_sys of each server, in seconds, added up. */
async function redisCpuSeconds(urls: string[]): Promise<number> {
  const seconds = await Promise.all(
    urls.map(async (url) => {
      const client = new Redis(url);
      try {
        return await serverCpuSeconds(client);
      } finally {
        client.disconnect();
      }
    }),
  );
  return seconds.reduce((sum, each) => sum + each, 0);
}

/**
 * One more run of `operation`, timing CPU rather than the clock. Where this process and the Redis servers share
 * the machine's cores (the bench's local cluster: 7 processes on this machine), their sum per operation is what
 * bounds throughput once every core is busy.
 */
export async function cpuPerOperation(
  operation: Operation,
  operations: number,
  inflight: number,
  redisUrls: string[],
): Promise<CpuPerOperation> {
  const redisBefore = await redisCpuSeconds(redisUrls);
  const processBefore = process.cpuUsage();
  await runLanes(operation, operations, inflight, new Float64Array(operations));
  const used = process.cpuUsage(processBefore);
  const redisAfter = await redisCpuSeconds(redisUrls);
  return {
    processMicros: (used.user + used.system) / operations,
    redisMicros: ((redisAfter - redisBefore) * 1e6) / operations,
  };
}
