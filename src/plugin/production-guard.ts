import { env } from "actionhero";
import { optionsInEffect } from "./options-in-effect";

/**
 * cacheTest writes, and cacheStatus shows the Redis address, its version and the options in effect. Not routing
 * them is not enough in production: a websocket or socket client, a task or code can still run any loaded action
 * by name. So each refuses there, first thing, unless config.cache.actionsInProduction says otherwise.
 */
export function refuseInProduction(action: string): void {
  if (env !== "production" || optionsInEffect()?.actionsInProduction === true) return;
  throw new Error(
    `${action} is turned off in production (NODE_ENV=production); set config.cache.actionsInProduction = true to allow it`,
  );
}
