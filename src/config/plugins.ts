import * as path from "path";

/** The demo app loads the plugin from this repo: actionhero scans <repo>/dist/{initializers,actions}. */
export const DEFAULT = {
  plugins: () => ({
    "ah-cache-plugin": { path: path.join(__dirname, "..", "..") },
  }),
};
