import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  effectEnd,
  formatJsonLines,
  parseHistory,
  readHistoryFile,
  valueKey,
  verdictOf,
  writeJsonLinesFile,
} from "../../test-support/history";
import { del, read, unknown, write } from "./ops";

describe("history format: JSON Lines", () => {
  it("round-trips a history; an unbounded effectBy is written as no field and read back as Infinity", () => {
    const history = [
      write({ n: 1 }, 0.5, 1.25, unknown()),
      del(2, 3, unknown(7.5)),
      read(null, 4, 5, { nearHit: true, graceMs: 30, graceHit: true }),
    ];
    const text = formatJsonLines(history);
    expect(text.split("\n")).toHaveLength(4);
    expect(text.split("\n")[0]).not.toContain("effectBy");
    const parsed = parseHistory(text);
    expect(parsed.map(effectEnd)).toEqual([Infinity, 7.5, 5]);
    expect(parsed.slice(1)).toEqual(history.slice(1));
  });

  it("names the line and the problem of a bad record", () => {
    const good = formatJsonLines([write(1, 0, 1)]);
    expect(() => parseHistory(good + '{"id": 2}\n')).toThrow(/^line 2: process must be a string/);
    expect(() => parseHistory(good + "not json\n")).toThrow(/^line 2: /);
    const bad = (change: object) => formatJsonLines([{ ...write(1, 0, 1), ...change }]);
    expect(() => parseHistory(bad({ kind: "append" }))).toThrow(/kind must be one of/);
    expect(() => parseHistory(bad({ complete: -1 }))).toThrow(/complete must not be before invoke/);
    expect(() => parseHistory(bad({ value: null }))).toThrow(/a write needs a value/);
    expect(() => parseHistory(bad({ method: "set" }))).toThrow(/method must be a cache method/);
    expect(() => parseHistory(good + good)).toThrow(/operation id \d+ appears twice/);
  });

  it("writes a file a failing run can keep, and reads it back", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "history-")), "k.jsonl");
    try {
      const history = [write(1, 0, 1), read(1, 2, 3)];
      writeJsonLinesFile(file, history);
      expect(readHistoryFile(file)).toEqual(history);
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true });
    }
  });

  it("compares values as JSON whatever the order of their fields", () => {
    expect(valueKey({ a: 1, b: [{ c: 2, d: 3 }] })).toBe(valueKey({ b: [{ d: 3, c: 2 }], a: 1 }));
    expect(valueKey([1, 2])).not.toBe(valueKey([2, 1]));
    expect(verdictOf([write({ a: 1, b: 2 }, 0, 1), read({ b: 2, a: 1 }, 2, 3)])).toBe("ok");
  });
});
