import { CLI, api } from "actionhero";
import { beginCommand, printableKey } from "../plugin/cli-output";

export class CacheKeysCLI extends CLI {
  name = "cache-keys [prefix]";
  description = "List the keys of ah-cache-plugin's live objects, optionally only those starting with a prefix";
  example = "actionhero cache-keys user:";

  async run({ params }: { params: { _arguments?: string[] } }) {
    beginCommand(api.cache);
    const keys = await api.cache.keys(params._arguments?.[0] ?? "");
    for (const key of keys.sort()) console.log(printableKey(key));
    console.error(`${keys.length} key(s)`);
    return true;
  }
}
