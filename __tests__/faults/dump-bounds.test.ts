import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import fc from "fast-check";
import { Cache, CacheError, DEFAULT_MAX_VALUE_BYTES, MemoryStore } from "../../src/cache";
import { DumpFile } from "../../src/cache/dump-file";
import { runFixture } from "../helpers/fixture-process";

/**
 * dumpRead is bounded and all or nothing before it touches data: whatever file it is given, it refuses with
 * INVALID_DUMP naming the file and line (never its content), with bounded memory, and changes nothing.
 */
jest.setTimeout(120_000);

const HEADER = '{"format":"ah-cache-plugin/dump","version":1}\n';
let dir: string;
let store: MemoryStore;
let cache: Cache;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ah-cache-dump-bounds-"));
  store = new MemoryStore();
  cache = new Cache({ store, owner: "a", maxValueBytes: 1024 });
  await cache.save("kept", "untouched");
});

afterEach(async () => {
  jest.restoreAllMocks();
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function refusal(file: string): Promise<CacheError> {
  const error = await cache.dumpRead(file).then(
    () => undefined,
    (failure: CacheError) => failure,
  );
  if (!error) throw new Error("expected dumpRead to refuse the file");
  // All or nothing: replace mode did not clear.
  expect((await cache.load("kept")).value).toBe("untouched");
  return error;
}

async function validDump(entries: number): Promise<string> {
  const source = new Cache({ store: new MemoryStore(), owner: "src" });
  for (let i = 0; i < entries; i++) await source.save(`k${i}`, { i });
  const file = path.join(dir, "valid.jsonl");
  await source.dumpWrite(file);
  return file;
}

describe("files that are not regular files are refused before anything happens", () => {
  test.each([
    ["a directory", () => dir],
    ["a device", () => "/dev/zero"],
    [
      "a FIFO",
      () => {
        const fifo = path.join(dir, "fifo");
        execFileSync("mkfifo", [fifo]);
        return fifo;
      },
    ],
  ])("%s", async (_, make) => {
    const file = make();
    const error = await refusal(file);
    expect(error.code).toBe("INVALID_DUMP");
    expect(error.message).toBe(`${file} is not a regular file (a directory, FIFO or device); a dump is a regular file`);
  });
});

test("a line longer than maxValueBytes plus the entry overhead is INVALID_DUMP, naming the line", async () => {
  const file = path.join(dir, "long.jsonl");
  fs.writeFileSync(file, HEADER + `{"key":"k","value":"${"x".repeat(200_000)}"`);
  const error = await refusal(file);
  expect(error.code).toBe("INVALID_DUMP");
  expect(error.message).toBe(
    `${file} line 2: the line is longer than ${1024 + 64 * 1024} bytes (maxValueBytes plus entry overhead)`,
  );
});

test("a 100 MB line is refused with peak RSS under 2 x maxValueBytes + 100 MB", async () => {
  const file = path.join(dir, "huge.jsonl");
  const out = fs.openSync(file, "w");
  fs.writeSync(out, HEADER + '{"key":"k","value":"');
  const block = Buffer.alloc(1024 * 1024, "a");
  for (let i = 0; i < 100; i++) fs.writeSync(out, block);
  fs.writeSync(out, '"}\n');
  fs.closeSync(out);
  const result = await runFixture<{ code: string; message: string; maxRssMB: number }>("dump-read-rss.js", { file });
  console.log(`dumpRead of a 100 MB line: ${result.code}, peak RSS ${result.maxRssMB.toFixed(0)} MB`);
  expect(result.code).toBe("INVALID_DUMP");
  expect(result.message).toMatch(/line 2: the line is longer than/);
  expect(result.maxRssMB).toBeLessThan((2 * DEFAULT_MAX_VALUE_BYTES) / 1024 / 1024 + 100);
});

test("messages name the file and line, never what it holds", async () => {
  const secret = "s3cr3t-passphrase";
  const cases = [
    `root:x:0:0:${secret}:/root:/bin/bash\n`,
    `{"format":"ah-cache-plugin/dump","version":"${secret}"}\n`,
    HEADER + `{"key":{"${secret}":1},"value":1,"createdAt":1,"readAt":null,"expireTimestamp":null}\n`,
    HEADER + `{"key":"k","value":1,"createdAt":"${secret}","readAt":null,"expireTimestamp":null}\n`,
    HEADER +
      `{"key":"k","value":${'{"a":'.repeat(300)}1${"}".repeat(300)},"createdAt":1,"readAt":null,"expireTimestamp":null}\n`.replace(
        '"a"',
        `"${secret}"`,
      ),
  ];
  for (const [index, text] of cases.entries()) {
    const file = path.join(dir, `secret-${index}.jsonl`);
    fs.writeFileSync(file, text);
    const error = await refusal(file);
    expect(error.code).toBe("INVALID_DUMP");
    expect(error.message.startsWith(`${file} line `)).toBe(true);
    expect(error.message).not.toContain(secret);
    expect(error.message).not.toContain("root:x");
  }
});

describe("a file that changes under a restore", () => {
  /** Runs `change` once the given pass (1: the check, 2: the restore) has read its first line. */
  function changeDuring(pass: number, change: () => void): void {
    const lines = DumpFile.prototype.lines;
    let calls = 0;
    jest.spyOn(DumpFile.prototype, "lines").mockImplementation(async function* (this: DumpFile, ...args) {
      const current = ++calls;
      let first = true;
      for await (const line of lines.apply(this, args)) {
        yield line;
        if (first && current === pass) change();
        first = false;
      }
    });
  }

  test("appended to during the check: refused before anything is cleared", async () => {
    const file = await validDump(3);
    changeDuring(1, () =>
      fs.appendFileSync(file, '{"key":"late","value":1,"createdAt":1,"readAt":null,"expireTimestamp":null}\n'),
    );
    expect((await refusal(file)).code).toBe("INVALID_DUMP");
    expect(await cache.keys()).toEqual(["kept"]);
  });

  test("rewritten in place after the check: refused before anything is cleared", async () => {
    const file = await validDump(3);
    const original = fs.readFileSync(file, "utf8");
    changeDuring(1, () => {
      // Same size, different content, a later modification time.
      fs.writeFileSync(file, original.replace('"i":1', '"i":7'));
      const later = new Date(Date.now() + 5_000);
      fs.utimesSync(file, later, later);
    });
    const error = await refusal(file);
    expect(error.message).toBe(`${file} changed after it was checked; nothing was cleared or restored`);
    expect(await cache.keys()).toEqual(["kept"]);
  });

  test("changed during the restore: reported once the pass ends", async () => {
    // Larger than one read, so the change lands in a part of the file the restore has not read yet.
    const file = await validDump(3_000);
    const original = fs.readFileSync(file, "utf8");
    changeDuring(2, () => fs.writeFileSync(file, original.replace('"i":2999', '"i":9999')));
    await expect(cache.dumpRead(file)).rejects.toMatchObject({
      code: "INVALID_DUMP",
      message: `${file} changed during the restore; the entries read before the change were written`,
    });
  });
});

test("a long list is dumped in lines that each fit the limit, and comes back whole", async () => {
  const items = Array.from({ length: 400 }, (_, i) => ({ i, pad: "p".repeat(600) }));
  for (const item of items) await cache.push("q", item);
  const file = path.join(dir, "list.jsonl");
  expect(await cache.dumpWrite(file)).toBe(2);
  const lines = fs.readFileSync(file, "utf8").split("\n").filter(Boolean);
  expect(lines.length).toBeGreaterThan(4);
  for (const line of lines) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(1024 + 64 * 1024);
  await cache.clear();
  expect(await cache.dumpRead(file)).toEqual({ restored: 2, expired: 0, locked: 0 });
  expect(await cache.listLength("q")).toBe(400);
  expect(await cache.pop("q")).toEqual(items[0]);
});

test("fuzz: random and oversized files never raise anything but INVALID_DUMP, and change nothing", async () => {
  const fragment = fc.oneof(
    fc.constant(HEADER),
    fc.constant('{"end":true,"entries":0}\n'),
    fc.constant('{"key":"k","value":1,"createdAt":1,"readAt":null,"expireTimestamp":null}\n'),
    fc.constant('{"list":"q","items":[1],"append":true}\n'),
    fc.json().map((json) => `${json}\n`),
    fc.integer({ min: 60_000, max: 200_000 }).map((length) => "y".repeat(length)),
    fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes).toString("latin1")),
  );
  let file = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(fragment, { maxLength: 8 }), async (parts) => {
      const name = path.join(dir, `fuzz-${file++}.jsonl`);
      fs.writeFileSync(name, Buffer.from(parts.join(""), "latin1"));
      const outcome = await cache.dumpRead(name, { mode: "merge" }).then(
        () => "restored",
        (error: CacheError) => error.code,
      );
      if (outcome !== "restored") {
        expect(outcome).toBe("INVALID_DUMP");
        expect((await cache.load("kept")).value).toBe("untouched");
      }
      fs.rmSync(name);
    }),
    { numRuns: 150 },
  );
});
