// tsc does not copy non-TypeScript files; the Lua commands are read from disk at runtime.
const fs = require("fs");
const path = require("path");

const from = path.join(__dirname, "..", "src", "cache", "commands");
const to = path.join(__dirname, "..", "dist", "cache", "commands");
fs.cpSync(from, to, {
  recursive: true,
  filter: (source) => fs.statSync(source).isDirectory() || source.endsWith(".lua"),
});
