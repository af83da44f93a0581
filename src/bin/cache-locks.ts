import { CLI, api } from "actionhero";
import { beginCommand, printableKey } from "../plugin/cli-output";

export class CacheLocksCLI extends CLI {
  name = "cache-locks";
  description = "List ah-cache-plugin's locks: key, owner and remaining TTL in ms";
  example = "actionhero cache-locks";

  async run() {
    beginCommand(api.cache);
    const locks = await api.cache.locks({ details: true });
    for (const lock of locks.sort((a, b) => a.key.localeCompare(b.key))) {
      console.log(`${printableKey(lock.key)}\t${lock.owner}\t${lock.ttl}`);
    }
    console.error(`${locks.length} lock(s)`);
    return true;
  }
}
