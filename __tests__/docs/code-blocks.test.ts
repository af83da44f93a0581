import * as fs from "fs";
import * as path from "path";
import { allDocBlocks, compilableSource, describeBlock, repoRoot } from "../helpers/doc-blocks";
import { blockSettings, compileProblems, generateApp } from "../helpers/generated-app-settings";
import { applyReadmeBlock, readmeBlocks } from "../helpers/readme-blocks";

/**
 * Every TypeScript block of README.md and docs/*.md compiles as a user would paste it into a project made by
 * `actionhero generate`: under that project's own settings (its tsconfig.json and build script, not strict) and
 * under --strict. The README's `generated-app` blocks are applied where they say, in a freshly generated app; every
 * other block is a file of its own there (see helpers/doc-blocks for how a body block is wrapped).
 */
jest.setTimeout(120_000);

let app: string;
/** Each compiled file: the block it holds (and how far its lines are from its doc's), or the README blocks in it. */
const origins = new Map<string, { label: string; offset?: number }>();
const blocks = allDocBlocks();

beforeAll(() => {
  app = generateApp();
  for (const block of readmeBlocks(path.join(repoRoot, "README.md"))) {
    applyReadmeBlock(app, block);
    origins.set(path.join(app, block.file), { label: `${block.file} of the generated app, with the README's blocks` });
  }
  fs.mkdirSync(path.join(app, "doc-blocks"));
  blocks
    .filter((block) => block.marker !== "generated-app")
    .forEach((block, index) => {
      const file = path.join(app, "doc-blocks", `${block.doc.replace(/\W/g, "-")}-${block.line}-${index}.ts`);
      const source = compilableSource(block);
      fs.writeFileSync(file, source);
      const firstLine = source.slice(0, source.indexOf(block.code)).split("\n").length;
      origins.set(file, { label: describeBlock(block), offset: firstLine - block.line });
    });
});

/** Where a problem is: the doc and its line for a block, the file and line for the README's applied blocks. */
function where(file: string, line: number): string {
  const origin = origins.get(file);
  if (!origin) return `${file}:${line}`;
  if (origin.offset === undefined) return `${origin.label}, line ${line}`;
  return `${origin.label} (its doc's line ${line - origin.offset})`;
}

afterAll(() => {
  if (app) fs.rmSync(app, { recursive: true, force: true });
});

test("the docs and the README have TypeScript blocks to check", () => {
  expect(blocks.filter((block) => block.doc.startsWith("docs/")).length).toBeGreaterThan(15);
  expect(blocks.filter((block) => block.marker === "generated-app").length).toBe(
    readmeBlocks(path.join(repoRoot, "README.md")).length,
  );
  expect(origins.size).toBeGreaterThan(20);
});

test("the generated app's settings are the loose ones a user starts with: not strict, declarations built", () => {
  const [generated] = blockSettings(app);
  expect(generated.options.strict).toBeUndefined();
  expect(generated.options.noImplicitAny).toBe(true);
  expect(generated.options.declaration).toBe(true);
});

test.each(["the generated app's settings", "--strict"])("every block compiles under %s", (name) => {
  const settings = blockSettings(app).find((candidate) => candidate.name === name)!;
  const problems = compileProblems([...origins.keys()], settings.options);
  expect(problems.map(({ file, line, text }) => `${where(file, line)}: ${text}`)).toEqual([]);
});
