import { Initializer, api, route } from "actionhero";
import { Cache } from "../cache";
import type { CacheStore } from "../cache";
import { type CachePluginConfig, type ResolvedCachePluginConfig, resolveCacheConfig } from "../plugin/config";
import { openCacheStore } from "../plugin/open-store";
import { describeOptionsInEffect, recordOptionsInEffect } from "../plugin/options-in-effect";
import { addStartupNote, logStartupNotes } from "../plugin/startup-notes";

// Types api.cache and config.cache in any project whose compilation includes this package's declarations:
// `/// <reference types="ah-cache-plugin" />` once, or any import from "ah-cache-plugin".
declare module "actionhero" {
  interface Api {
    cache: Cache;
  }
  interface ActionheroConfigInterface {
    cache: CachePluginConfig;
  }
}

export class CacheInitializer extends Initializer {
  private store: CacheStore | undefined;
  private options: ResolvedCachePluginConfig | undefined;

  constructor() {
    super();
    this.name = "ah-cache-plugin";
    // After actionhero's redis initializer (200), so config.redis is settled; before actions load (410).
    this.loadPriority = 250;
    // Before the web server starts (900), so the route exists for the first request.
    this.startPriority = 500;
    // After the servers (100) and every initializer at actionhero's default stop priority (1000), so their stop()
    // can still unlock and save; before actionhero's redis initializer (99999) closes its own connections.
    this.stopPriority = 99_000;
  }

  async initialize(): Promise<void> {
    const options = (this.options = resolveCacheConfig());
    const { store, redis } = await openCacheStore(options);
    this.store = store;
    api.cache = new Cache({
      store,
      owner: options.owner,
      lockDuration: options.lockDuration,
      maxValueBytes: options.maxValueBytes,
      nearCache: options.nearCache,
    });
    const inEffect = describeOptionsInEffect(options, store.kind, redis);
    recordOptionsInEffect(inEffect);
    addStartupNote("info", `${store.kind} store, options in effect: ${JSON.stringify(inEffect)}`);
  }

  async start(): Promise<void> {
    logStartupNotes();
    if (!this.options?.registerRoutes) return;
    const routed = (api.routes?.routes?.get ?? []) as Array<{ path: string }>;
    for (const action of ["cacheTest", "cacheStatus"]) {
      if (!routed.some((existing) => existing.path === `/${action}`)) route.registerRoute("get", `/${action}`, action);
    }
  }

  async stop(): Promise<void> {
    await this.store?.close();
    this.store = undefined;
    recordOptionsInEffect(undefined);
  }
}
