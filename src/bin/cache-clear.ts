import { CLI, api } from "actionhero";

export class CacheClearCLI extends CLI {
  name = "cache-clear";
  description = "Remove every object, list and lock of ah-cache-plugin's namespace (and nothing else); requires --yes";
  example = "actionhero cache-clear --yes";
  inputs = {
    yes: { flag: true, letter: "y", description: "confirm: remove everything in the namespace" },
  };

  async run({ params }: { params: { yes?: boolean } }) {
    if (!params.yes) throw new Error("cache-clear removes every object, list and lock of the namespace; run it again with --yes to confirm");
    const removed = await api.cache.clear();
    console.log(`removed ${removed} objects, lists and locks`);
    return true;
  }
}
