import { CLI, api } from "actionhero";
import { beginCommand, progressReporter } from "../plugin/cli-output";

export class CacheRestoreCLI extends CLI {
  name = "cache-restore <file>";
  // Replace mode clears as clear() does: objects and lists go, locks stay (and keys locked by another owner are skipped).
  description =
    "Restore a dump written by cache-dump: replaces ah-cache-plugin's objects and lists (locks stay; keys another owner has locked are skipped), or with --merge keeps them and overwrites only the dumped keys";
  example = "actionhero cache-restore cache.jsonl --merge";
  inputs = {
    merge: {
      flag: true,
      letter: "m",
      description: "keep what is in the cache; overwrite only the keys the dump holds",
    },
  };

  async run({ params }: { params: { _arguments?: string[]; merge?: boolean } }) {
    beginCommand(api.cache);
    const file = params._arguments?.[0] ?? "";
    const progress = progressReporter(process.stderr, "restored");
    const result = await api.cache.dumpRead(file, {
      mode: params.merge ? "merge" : "replace",
      onProgress: progress.onProgress,
    });
    progress.done(result.restored + result.expired + result.locked);
    console.error(
      `restored ${result.restored} entries from ${file}; skipped ${result.expired} expired, ${result.locked} locked by another owner`,
    );
    return true;
  }
}
