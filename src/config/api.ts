import * as path from "path";

const namespace = "general";

/**
 * This repo is a demo app whose only actions and initializers come from the plugin itself (see plugins.ts),
 * loaded from dist/ exactly as a user's project would load them. Listing src/ here as well would load them twice.
 */
export const DEFAULT = {
  [namespace]: () => ({
    serverName: "ah-cache-plugin-demo",
    welcomeMessage: "ah-cache-plugin demo server",
    paths: {
      action: [] as string[],
      task: [] as string[],
      initializer: [] as string[],
      cli: [] as string[],
      public: [path.join(process.cwd(), "public")],
      pid: [path.join(process.cwd(), "pids")],
      log: [path.join(process.cwd(), "log")],
      plugin: [path.join(process.cwd(), "node_modules")],
      test: [path.join(process.cwd(), "__tests__")],
      src: path.join(process.cwd(), "src"),
      dist: path.join(process.cwd(), "dist"),
    },
  }),
};
