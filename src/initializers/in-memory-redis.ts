import { Initializer } from "actionhero";
import { actionheroConfig } from "../plugin/config";
import { useIoredisMockWhenFake } from "../plugin/in-memory-redis";
import { addStartupNote } from "../plugin/startup-notes";

/**
 * `config.redis.fake = true` runs the whole server without Redis: before actionhero's redis initializer (200)
 * builds its client, subscriber and tasks connections, this points them at ioredis-mock. api.cache then uses the
 * plugin's in-memory store (see the ah-cache-plugin initializer).
 */
export class CacheInMemoryRedisInitializer extends Initializer {
  constructor() {
    super();
    this.name = "ah-cache-plugin:in-memory-redis";
    this.loadPriority = 150;
  }

  async initialize(): Promise<void> {
    if (useIoredisMockWhenFake(actionheroConfig())) {
      addStartupNote("notice", "in-memory mode (config.redis.fake): actionhero's own connections use ioredis-mock");
    }
  }
}
