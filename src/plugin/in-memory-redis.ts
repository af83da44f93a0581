import * as path from "path";
import type { ActionheroConfigSubset, RedisConnectionConfig } from "./config";
import { startupFailure } from "./startup-notes";

const ACTIONHERO_CONNECTIONS = ["client", "subscriber", "tasks"] as const;

/**
 * ioredis-mock, resolved from the user's project first (where `actionhero generate` already lists it), then from
 * the plugin's own folder. It is an optional peer dependency: only in-memory mode needs it.
 */
export function loadIoredisMock(): RedisConnectionConfig["konstructor"] {
  let resolved: string;
  try {
    resolved = require.resolve("ioredis-mock", { paths: [process.cwd(), path.join(__dirname, "..", "..")] });
  } catch {
    throw startupFailure(
      "ah-cache-plugin: config.redis.fake = true needs the ioredis-mock package for actionhero's own connections; " +
        "install it with `npm install ioredis-mock`",
    );
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(resolved) as RedisConnectionConfig["konstructor"];
}

/** True for ioredis-mock's constructor (or a subclass of it), whatever name the module was imported under. */
export function isIoredisMock(konstructor: unknown): boolean {
  for (let current = konstructor; typeof current === "function"; current = Object.getPrototypeOf(current)) {
    if (/RedisMock/.test((current as { name?: string }).name ?? "")) return true;
  }
  return false;
}

/**
 * In-memory mode as actionhero's docs promise it: `config.redis.fake = true` points actionhero's own client,
 * subscriber and tasks connections at ioredis-mock, so the server starts with no Redis at all. The three share
 * one ioredis-mock data set (same default address), which is what actionhero's pub/sub and tasks need.
 * Resolves true when it swapped them.
 */
export function useIoredisMockWhenFake(config: ActionheroConfigSubset): boolean {
  const redis = config.redis;
  if (redis?.fake !== true) return false;
  const konstructor = loadIoredisMock();
  for (const name of ACTIONHERO_CONNECTIONS) redis[name] = { konstructor, args: [], buildNew: true };
  return true;
}
