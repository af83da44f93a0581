import * as fs from "fs";
import * as path from "path";

/**
 * The README's code blocks that a user copies into a project made by `actionhero generate`, each marked by an HTML
 * comment right above its fence (invisible on GitHub), saying where it goes:
 *
 *   <!-- generated-app: create src/actions/remember.ts -->
 *   <!-- generated-app: prepend src/config/plugins.ts -->
 *   <!-- generated-app: replace "return {};" in src/config/plugins.ts -->
 *   <!-- generated-app: insert-before "scanCount: 1000," in src/config/redis.ts -->
 *
 * Applying them to a generated app is how the suite proves the README compiles and runs as written.
 */
export interface ReadmeBlock {
  verb: "create" | "prepend" | "replace" | "insert-before";
  file: string;
  anchor?: string;
  code: string;
}

const MARKER =
  /<!-- generated-app: (create|prepend|replace|insert-before) (?:("(?:[^"\\]|\\.)*") in )?(\S+) -->\n```\w*\n([\s\S]*?)```/g;

export function readmeBlocks(readmePath: string): ReadmeBlock[] {
  const readme = fs.readFileSync(readmePath, "utf8");
  return [...readme.matchAll(MARKER)].map(([, verb, anchor, file, code]) => ({
    verb: verb as ReadmeBlock["verb"],
    file,
    anchor: anchor === undefined ? undefined : (JSON.parse(anchor) as string),
    code,
  }));
}

/** The whitespace that starts the line `at` is on. */
function indentAt(source: string, at: number): string {
  const lineStart = source.lastIndexOf("\n", at) + 1;
  return /^[ \t]*/.exec(source.slice(lineStart))![0];
}

/** The code, its lines after the first indented by `indent`, so the edited file stays formatted. */
function indented(code: string, indent: string): string {
  return code
    .replace(/\n$/, "")
    .split("\n")
    .map((line, index) => (index === 0 || line === "" ? line : indent + line))
    .join("\n");
}

export function applyReadmeBlock(appRoot: string, block: ReadmeBlock): void {
  const file = path.join(appRoot, block.file);
  if (block.verb === "create") {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, block.code);
    return;
  }
  const source = fs.readFileSync(file, "utf8");
  if (block.verb === "prepend") {
    fs.writeFileSync(file, block.code + source);
    return;
  }
  const anchor = block.anchor!;
  const at = source.indexOf(anchor);
  if (at < 0) throw new Error(`${block.file} has no ${JSON.stringify(anchor)} for the README block to go at`);
  const indent = indentAt(source, at);
  const code = indented(block.code, indent);
  const replacement = block.verb === "replace" ? code : `${code}\n${indent}${anchor}`;
  fs.writeFileSync(file, source.slice(0, at) + replacement + source.slice(at + anchor.length));
}
