import { CLI, api } from "actionhero";
import { beginCommand, progressReporter } from "../plugin/cli-output";

export class CacheDumpCLI extends CLI {
  name = "cache-dump <file>";
  description =
    "Write every object (with its TTL, createdAt and readAt) and list of ah-cache-plugin to a JSON Lines file";
  example = "actionhero cache-dump cache.jsonl";

  async run({ params }: { params: { _arguments?: string[] } }) {
    beginCommand(api.cache);
    const file = params._arguments?.[0] ?? "";
    const progress = progressReporter(process.stderr, "dumped");
    const written = await api.cache.dumpWrite(file, { onProgress: progress.onProgress });
    progress.done(written);
    console.error(`wrote ${written} entries to ${file}`);
    return true;
  }
}
