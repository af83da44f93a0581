import * as fs from "fs";
import * as path from "path";
import { FENCE_MARGIN_MS } from "../../src/cache/commands/fence";
import { ScriptStatus } from "../../src/cache/commands/replies";

const COMMANDS = path.join(__dirname, "..", "..", "src", "cache", "commands");

test("the Lua reply statuses and the TypeScript enum have the same names and values", () => {
  const lua = fs.readFileSync(path.join(COMMANDS, "includes", "replies.lua"), "utf8");
  const fromLua = Object.fromEntries(
    [...lua.matchAll(/^local ([A-Z_]+) = (-?\d+)/gm)].map(([, name, value]) => [name, Number(value)]),
  );
  const fromTs = Object.fromEntries(Object.entries(ScriptStatus).filter(([, value]) => typeof value === "number"));
  expect(Object.keys(fromLua).length).toBeGreaterThan(0);
  expect(fromLua).toEqual(fromTs);
});

test("every script answers {STATUS, ...} and nothing else", () => {
  const names = Object.keys(ScriptStatus).filter((name) => Number.isNaN(Number(name)));
  for (const file of fs.readdirSync(COMMANDS).filter((name) => name.endsWith(".lua"))) {
    const lua = fs.readFileSync(path.join(COMMANDS, file), "utf8").replace(/--\[\[[\s\S]*?\]\]/, "");
    const returns = [...lua.matchAll(/\breturn (.+)$/gm)].map(([, what]) => what.trim());
    expect(returns.length).toBeGreaterThan(0);
    for (const what of returns) {
      // A table whose first element is a named status, a status variable the script got from an include, or a
      // batch script's replies table, made as {OK} and appended to.
      expect([file, /^(\{([A-Z_]+|status|refusal)\b|replies$)/.test(what)]).toEqual([file, true]);
      const first = /^\{([A-Z_]+)/.exec(what)?.[1];
      if (first) expect(names).toContain(first);
    }
  }
});

test("the fencing counter's margin is the same in Lua and in TypeScript (the memory store's)", () => {
  const lua = fs.readFileSync(path.join(COMMANDS, "includes", "fence.lua"), "utf8");
  expect(Number(/^local FENCE_MARGIN_MS = (\d+)$/m.exec(lua)?.[1])).toBe(FENCE_MARGIN_MS);
});
