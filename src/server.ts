#!/usr/bin/env node
import Redis from "ioredis";

/** True when a Redis answers at host:port within a second. */
async function redisAnswers(host: string, port: number): Promise<boolean> {
  const probe = new Redis({
    host,
    port,
    lazyConnect: true,
    connectTimeout: 1000,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
  });
  probe.on("error", () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

async function main() {
  // With no REDIS_URL and nothing at the default address, run in in-memory mode instead of failing to start.
  // The environment must be settled before actionhero is imported: it builds its config on import.
  if (!process.env.REDIS_URL && process.env.REDIS_FAKE === undefined) {
    const host = process.env.REDIS_HOST || "127.0.0.1";
    const port = Number(process.env.REDIS_PORT || 6379);
    if (!(await redisAnswers(host, port))) {
      process.env.REDIS_FAKE = "true";
      console.log(`No Redis at ${host}:${port} and no REDIS_URL: starting in in-memory mode.`);
    }
  }

  const { Process, config } = await import("actionhero");
  const app = new Process();
  app.registerProcessSignals((exitCode?: number) => process.exit(exitCode));
  await app.start();

  const port = (config as { web?: { port?: number | string } }).web?.port;
  console.log(`Try: curl 'http://localhost:${port}/api/cacheTest?key=abc&value=def'`);
  console.log(`Status: curl 'http://localhost:${port}/api/cacheStatus'`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
