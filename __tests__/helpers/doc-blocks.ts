import * as fs from "fs";
import * as path from "path";

/**
 * Every TypeScript/JavaScript code block of README.md and docs/*.md, with the marker right above its fence (an HTML
 * comment, invisible on GitHub) that says how the suite checks it:
 *
 *   (no marker)                       runs as written, against a real Redis (__tests__/docs/runnable-blocks)
 *   <!-- fragment: why -->            only compiles: a piece of a bigger program, or a file the server reads
 *   <!-- generated-app: create … -->  a README block applied to a generated app (helpers/readme-blocks)
 *
 * All of them compile under a generated app's settings and under --strict (__tests__/docs/code-blocks).
 */
export interface DocBlock {
  /** Relative to the repo: "README.md", "docs/api.md". */
  doc: string;
  /** The line of the block's first line of code. */
  line: number;
  code: string;
  marker: "run" | "fragment" | "generated-app";
  /** A fragment's reason. */
  reason?: string;
}

export const repoRoot = path.join(__dirname, "..", "..");

const FENCE = /^```(ts|typescript|js|javascript)\n([\s\S]*?)^```/gm;
const MARKER = /^<!-- (fragment|generated-app):\s*(.*?)\s*-->$/;

export function docFiles(): string[] {
  const docs = fs
    .readdirSync(path.join(repoRoot, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `docs/${name}`);
  return ["README.md", ...docs];
}

export function blocksOf(doc: string): DocBlock[] {
  const text = fs.readFileSync(path.join(repoRoot, doc), "utf8");
  const blocks: DocBlock[] = [];
  for (const match of text.matchAll(FENCE)) {
    const before = text.slice(0, match.index);
    const lines = before.split("\n");
    const marker = MARKER.exec(lines[lines.length - 2] ?? "");
    blocks.push({
      doc,
      line: lines.length + 1,
      code: match[2],
      marker: marker ? (marker[1] as DocBlock["marker"]) : "run",
      reason: marker?.[1] === "fragment" ? marker[2] : undefined,
    });
  }
  return blocks;
}

export function allDocBlocks(): DocBlock[] {
  return docFiles().flatMap(blocksOf);
}

/** A block with `import`/`export` is a module of its own; any other block is the body of an async function. */
export function isModule(block: DocBlock): boolean {
  return /^(import|export) /m.test(block.code);
}

export function describeBlock(block: DocBlock): string {
  return `${block.doc} block at line ${block.line}`;
}

/**
 * The names the prose leaves to the reader. Compiling, they are declared; running, `world` gives them values.
 */
export const BODY_PREAMBLE = `import { api } from "actionhero";
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

export const WORLD_NAMES = ["data", "item", "alice", "bob", "db", "use", "buildExpensiveReport", "buildReport"];

/** The block as a file to compile: a module as it is, a body inside an async function after the preamble. */
export function compilableSource(block: DocBlock): string {
  if (isModule(block)) return block.code;
  return `${BODY_PREAMBLE}\nexport async function example(): Promise<unknown> {\n${block.code}\nreturn undefined;\n}\n`;
}
