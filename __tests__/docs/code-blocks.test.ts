import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

/**
 * Every TypeScript block in docs/*.md compiles against this package under the repo's strict settings, as a user
 * would paste it. (The README's blocks are applied to a generated actionhero app in packaging/generated-app.)
 * A block with `import`/`export` is a file of its own; any other block is the body of an async function, with
 * `api` imported and the few names the prose leaves to the reader (`db`, `buildReport`, `User`…) declared.
 */
const repoRoot = path.join(__dirname, "..", "..");
const checkDir = path.join(repoRoot, ".docs-check");

const PREAMBLE = `import { api } from "actionhero";
import type { CacheError } from "ah-cache-plugin";
interface User { name: string }
interface FeatureFlags { [flag: string]: boolean }
declare const data: unknown, item: unknown, alice: User, bob: User;
declare const db: { query(sql: string, params: unknown[]): Promise<unknown> };
declare function use(value: User, readAt: number | null): void;
declare function buildExpensiveReport(): Promise<{ rows: number[] }>;
declare function buildReport(options: { signal: AbortSignal }): Promise<unknown[]>;
export type { CacheError, FeatureFlags };
`;

interface Block {
  doc: string;
  line: number;
  code: string;
}

function blocksOf(doc: string): Block[] {
  const text = fs.readFileSync(path.join(repoRoot, "docs", doc), "utf8");
  const blocks: Block[] = [];
  for (const match of text.matchAll(/^```ts\n([\s\S]*?)^```/gm)) {
    blocks.push({ doc, line: text.slice(0, match.index).split("\n").length + 1, code: match[1] });
  }
  return blocks;
}

function sourceOf(block: Block): string {
  if (/^(import|export) /m.test(block.code)) return block.code;
  return `${PREAMBLE}\nexport async function example(): Promise<unknown> {\n${block.code}\nreturn undefined;\n}\n`;
}

const docs = fs.readdirSync(path.join(repoRoot, "docs")).filter((name) => name.endsWith(".md"));
const blocks = docs.flatMap(blocksOf);

afterAll(() => fs.rmSync(checkDir, { recursive: true, force: true }));

test("the docs have TypeScript blocks to check", () => {
  expect(blocks.length).toBeGreaterThan(15);
});

test("every TypeScript block in docs/ compiles under the repo's strict settings", () => {
  fs.rmSync(checkDir, { recursive: true, force: true });
  fs.mkdirSync(checkDir, { recursive: true });
  const files = blocks.map((block, index) => {
    const file = path.join(checkDir, `${block.doc.replace(/\.md$/, "")}-${block.line}-${index}.ts`);
    fs.writeFileSync(file, sourceOf(block));
    return file;
  });
  const configFile = ts.readConfigFile(path.join(repoRoot, "tsconfig.json"), (file) => ts.sys.readFile(file));
  const { options } = ts.parseJsonConfigFileContent(configFile.config, ts.sys, repoRoot);
  const program = ts.createProgram(files, { ...options, noEmit: true });
  const problems = ts
    .getPreEmitDiagnostics(program)
    .filter((diagnostic) => diagnostic.file && files.includes(path.normalize(diagnostic.file.fileName)))
    .map((diagnostic) => {
      const { line } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
      const block = blocks[files.indexOf(path.normalize(diagnostic.file!.fileName))];
      const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
      return `docs/${block.doc} block at line ${block.line} (generated line ${line + 1}): ${text}`;
    });
  expect(problems).toEqual([]);
});
