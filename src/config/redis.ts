import { URL } from "url";
import Redis from "ioredis";

/**
 * actionhero's redis config for the demo app, with one addition: REDIS_FAKE=true sets `fake`, the in-memory
 * mode, in which the plugin points actionhero's own connections at ioredis-mock and api.cache uses the in-memory
 * store. `npm start` sets REDIS_FAKE itself when no Redis answers (see src/server.ts).
 */
export const DEFAULT = {
  redis: () => {
    const fake = process.env.REDIS_FAKE === "true";
    const konstructor = Redis;

    let protocol = process.env.REDIS_SSL ? "rediss" : "redis";
    let host = process.env.REDIS_HOST || "127.0.0.1";
    let port: string | number = process.env.REDIS_PORT || 6379;
    let db = process.env.REDIS_DB || process.env.JEST_WORKER_ID || "0";
    let password: string | null = process.env.REDIS_PASSWORD || null;
    if (process.env.REDIS_URL) {
      const parsed = new URL(process.env.REDIS_URL);
      if (parsed.protocol) protocol = parsed.protocol.split(":")[0];
      if (parsed.password) password = decodeURIComponent(parsed.password);
      if (parsed.hostname) host = parsed.hostname;
      if (parsed.port) port = parsed.port;
      if (parsed.pathname && parsed.pathname.length > 1) db = parsed.pathname.substring(1);
    }

    const commonArgs = {
      port: Number(port),
      host,
      password,
      db: parseInt(db, 10),
      tls: protocol === "rediss" ? { rejectUnauthorized: false } : undefined,
      retryStrategy: (times: number) => Math.min(times * 50, 1000),
    };

    return {
      fake,
      scanCount: 1000,
      stopTimeout: 100,
      _toExpand: false,
      client: { konstructor, args: [commonArgs], buildNew: true },
      subscriber: { konstructor, args: [commonArgs], buildNew: true },
      tasks: { konstructor, args: [commonArgs], buildNew: true },
    };
  },
};
