import { CLI, api } from "actionhero";
import { beginCommand } from "../plugin/cli-output";

export class CacheClearCLI extends CLI {
  name = "cache-clear [prefix]";
  description =
    "Remove the objects and lists of ah-cache-plugin's namespace (only keys starting with prefix, when given); locks stay unless --locks; requires --yes";
  example = "actionhero cache-clear --yes";
  inputs = {
    yes: {
      flag: true,
      letter: "y",
      description: "confirm: remove everything in the namespace (or the prefix's scope)",
    },
    locks: {
      flag: true,
      letter: "l",
      description:
        "also remove the scope's locks, whoever holds them (dangerous: requests inside a critical section lose their exclusion)",
    },
  };

  async run({ params }: { params: { yes?: boolean; locks?: boolean; _arguments?: string[] } }) {
    beginCommand(api.cache);
    if (!params.yes)
      throw new Error("cache-clear removes every object and list of the namespace; run it again with --yes to confirm");
    const locks = params.locks === true;
    const removed = await api.cache.clear(params._arguments?.[0] ?? "", { locks });
    console.error(`removed ${removed} ${locks ? "objects, lists and locks" : "objects and lists"}`);
    return true;
  }
}
