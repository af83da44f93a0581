// tsc does not copy non-TypeScript files; the Lua commands are read from disk at runtime.
// Usage: node scripts/copy-lua.js [destination], default dist/cache/commands.
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");
const from = path.join(root, "src", "cache", "commands");
const to = path.join(root, process.argv[2] || path.join("dist", "cache", "commands"));
fs.cpSync(from, to, {
  recursive: true,
  filter: (source) => fs.statSync(source).isDirectory() || source.endsWith(".lua"),
});
