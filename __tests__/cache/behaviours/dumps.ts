import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { sleep } from "../../helpers/redis";
import type { Cache } from "../../../src/cache";
import { SPECIAL_KEYS, callbackResult, rejectionOf, type Behaviour } from "./world";

export const dumps: Behaviour = (world) => {
  let alice: Cache;
  let bob: Cache;
  beforeEach(() => {
    ({ alice, bob } = world);
  });

  describe("dumpWrite and dumpRead", () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "ah-cache-dump-"));
    });
    afterEach(() => {
      fs.rmSync(dir, { recursive: true, force: true });
    });

    test("a round trip keeps values, createdAt, readAt, expiry instants and lists; the dump is not a read", async () => {
      await alice.save("forever", { nested: ["v", 1, null] });
      await alice.save("brief", "soon gone", 60_000);
      await alice.load("brief");
      await alice.push("queue", "first");
      await alice.push("queue", { second: true });
      const before = [await peek("forever"), await peek("brief")];
      const file = path.join(dir, "dump.jsonl");
      expect(await alice.dumpWrite(file)).toBe(3);
      const lines = fs.readFileSync(file, "utf8").trimEnd().split("\n");
      expect(lines).toHaveLength(5);
      expect(JSON.parse(lines[4])).toEqual({ end: true, entries: 3 });

      await alice.clear();
      await alice.save("stray", "removed by replace");
      expect(await bob.dumpRead(file)).toEqual({ restored: 3, expired: 0, locked: 0 });
      expect((await alice.keys()).sort()).toEqual(["brief", "forever"]);
      expect([await peek("forever"), await peek("brief")]).toEqual(before);
      expect(await alice.pop("queue")).toBe("first");
      expect(await alice.pop("queue")).toEqual({ second: true });
    });

    /** The object as load() would show it, without recording a read: through a dump of its own. */
    async function peek(key: string) {
      const file = path.join(dir, `peek-${key}.jsonl`);
      await alice.dumpWrite(file);
      const line = fs
        .readFileSync(file, "utf8")
        .split("\n")
        .find((text) => text.startsWith(`{"key":${JSON.stringify(key)},`));
      return JSON.parse(line!);
    }

    test("merge keeps what is there, overwrites what the dump holds, and skips locked keys and expired objects", async () => {
      await alice.save("a", "from dump");
      await alice.save("b", "from dump");
      await alice.save("c", "short", 50);
      const file = path.join(dir, "dump.jsonl");
      await alice.dumpWrite(file);
      await alice.save("a", "changed since");
      await alice.save("d", "not in the dump");
      await bob.lock("b");
      await sleep(100);
      expect(await alice.dumpRead(file, { mode: "merge" })).toEqual({ restored: 1, expired: 1, locked: 1 });
      expect((await alice.load("a")).value).toBe("from dump");
      expect((await alice.load("d")).value).toBe("not in the dump");
      expect((await bob.load("b")).value).toBe("from dump");
      expect((await rejectionOf(alice.load("c"))).code).toBe("NOT_FOUND");
    });

    test("a truncated dump is refused, naming the line, and nothing changes", async () => {
      for (let i = 0; i < 5; i += 1) await alice.save(`k${i}`, i);
      const file = path.join(dir, "dump.jsonl");
      await alice.dumpWrite(file);
      const text = fs.readFileSync(file, "utf8");
      await alice.clear();
      await alice.save("survivor", true);

      const cutMidLine = path.join(dir, "cut.jsonl");
      const lines = text.split("\n");
      fs.writeFileSync(cutMidLine, lines.slice(0, 3).join("\n") + "\n" + lines[3].slice(0, 12));
      const midLine = await rejectionOf(alice.dumpRead(cutMidLine));
      expect(midLine.code).toBe("INVALID_DUMP");
      expect(midLine.message).toMatch(/cut\.jsonl line 4: not valid JSON/);

      const cutAtLine = path.join(dir, "cut-at-line.jsonl");
      fs.writeFileSync(cutAtLine, lines.slice(0, 4).join("\n") + "\n");
      const atLine = await rejectionOf(alice.dumpRead(cutAtLine, { mode: "merge" }));
      expect(atLine.code).toBe("INVALID_DUMP");
      expect(atLine.message).toMatch(/line 4: the file ends without its closing line after 3 entries: it is truncated/);

      expect(await alice.keys()).toEqual(["survivor"]);
    });

    test.each([
      ["not a dump", '{"hello":1}\n', /line 1: not an ah-cache-plugin dump/],
      ["empty", "", /line 1: the file is empty/],
      [
        "bad entry",
        '{"format":"ah-cache-plugin/dump","version":1}\n{"key":"","value":1,"createdAt":1,"readAt":null,"expireTimestamp":null}\n',
        /line 2: key must not be empty/,
      ],
      [
        "bad timestamp",
        '{"format":"ah-cache-plugin/dump","version":1}\n{"key":"k","value":1,"createdAt":"yesterday","readAt":null,"expireTimestamp":null}\n',
        /line 2: createdAt must be a timestamp/,
      ],
      [
        "wrong count",
        '{"format":"ah-cache-plugin/dump","version":1}\n{"end":true,"entries":2}\n',
        /line 2: the closing line.s count does not match the 0 entries the file holds/,
      ],
      [
        "after the end",
        '{"format":"ah-cache-plugin/dump","version":1}\n{"end":true,"entries":0}\n{"list":"q","items":[]}\n',
        /line 3: text after the closing line/,
      ],
    ])("a corrupt dump (%s) is refused with INVALID_DUMP naming the line", async (_, contents, message) => {
      await alice.save("survivor", true);
      const file = path.join(dir, "bad.jsonl");
      fs.writeFileSync(file, contents);
      const error = await rejectionOf(alice.dumpRead(file));
      expect(error.code).toBe("INVALID_DUMP");
      expect(error.message).toMatch(message);
      expect(await alice.keys()).toEqual(["survivor"]);
    });

    test("a missing file, a bad mode and a bad path are clear errors", async () => {
      expect((await rejectionOf(alice.dumpRead(path.join(dir, "absent.jsonl")))).code).toBe("INVALID_DUMP");
      expect((await rejectionOf(alice.dumpRead(path.join(dir, "x"), { mode: "append" } as never))).code).toBe(
        "INVALID_OPTIONS",
      );
      expect((await rejectionOf(alice.dumpWrite(path.join(dir, "no", "such", "dir.jsonl")))).code).toBe(
        "INVALID_OPTIONS",
      );
      expect((await rejectionOf(alice.dumpWrite(""))).code).toBe("INVALID_OPTIONS");
      expect(fs.readdirSync(dir)).toEqual([]);
    });

    test("progress is reported, and callbacks get next(null, result)", async () => {
      for (let i = 0; i < 3; i += 1) await alice.save(`k${i}`, i);
      const file = path.join(dir, "dump.jsonl");
      const progress: number[] = [];
      expect(
        await callbackResult((next) => alice.dumpWrite(file, { onProgress: (n) => progress.push(n) }, next)),
      ).toEqual([null, 3]);
      expect(progress[progress.length - 1]).toBe(3);
      expect(await callbackResult((next) => alice.dumpRead(file, next))).toEqual([
        null,
        { restored: 3, expired: 0, locked: 0 },
      ]);
    });

    test("special keys survive a round trip", async () => {
      for (const key of SPECIAL_KEYS) await alice.save(key, key);
      const file = path.join(dir, "dump.jsonl");
      await alice.dumpWrite(file);
      await alice.clear();
      expect((await alice.dumpRead(file)).restored).toBe(SPECIAL_KEYS.length);
      expect((await alice.keys()).sort()).toEqual([...SPECIAL_KEYS].sort());
      for (const key of SPECIAL_KEYS) expect((await alice.load(key)).value).toBe(key);
    });
  });
};
