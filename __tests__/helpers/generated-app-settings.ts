import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { repoRoot } from "./doc-blocks";

/**
 * A project as `npx actionhero generate` makes it (the actionhero in this repo's node_modules, the same one
 * packaging/generated-app uses), without its `npm install`: generating takes under a second, and its files resolve
 * `actionhero`, `ioredis` and the @types from this repo's node_modules, because it is made under the repo. The plugin
 * is "installed" as node_modules/ah-cache-plugin, a link to this repo, so a block sees the package's own
 * `types` (dist/index.d.ts), as a user's project does after `npm install ah-cache-plugin`.
 */
export function generateApp(): string {
  const parent = path.join(repoRoot, ".docs-check");
  fs.mkdirSync(parent, { recursive: true });
  const app = fs.mkdtempSync(path.join(parent, "app-"));
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    // The generator writes into its project root, which these variables would move.
    if (!/^(project_root|projectRoot|PROJECT_ROOT|ACTIONHERO_)/.test(name)) env[name] = value;
  }
  const actionheroBin = path.join(repoRoot, "node_modules", "actionhero", "dist", "bin", "actionhero.js");
  const result = spawnSync(process.execPath, [actionheroBin, "generate"], { cwd: app, env, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`actionhero generate: exit ${result.status}\n${result.stderr}`);
  fs.mkdirSync(path.join(app, "node_modules"));
  fs.symlinkSync(repoRoot, path.join(app, "node_modules", "ah-cache-plugin"), "dir");
  if (!fs.existsSync(path.join(repoRoot, "dist", "index.d.ts"))) {
    throw new Error("dist/index.d.ts is missing: run `npm run build` (npm test does) before the docs checks");
  }
  return app;
}

/**
 * What the generated app's own `npm run build` compiles with: its tsconfig.json, plus the flags its package.json's
 * build script adds (`tsc --sourceMap false --declaration` in actionhero 29). Read from the generated files
 * themselves, so an actionhero upgrade that changes them changes this too.
 */
export function generatedAppOptions(app: string): ts.CompilerOptions {
  const tsconfig = ts.readConfigFile(path.join(app, "tsconfig.json"), (file) => ts.sys.readFile(file));
  if (tsconfig.error) throw new Error(ts.flattenDiagnosticMessageText(tsconfig.error.messageText, "\n"));
  const { options } = ts.parseJsonConfigFileContent(tsconfig.config, ts.sys, app);
  const build: string = JSON.parse(fs.readFileSync(path.join(app, "package.json"), "utf8")).scripts.build;
  const [command, ...flags] = build.split(/\s+/);
  if (command !== "tsc") throw new Error(`the generated build script is not a plain tsc call: ${build}`);
  const commandLine = ts.parseCommandLine(flags);
  if (commandLine.errors.length > 0) throw new Error(`cannot read the generated build script: ${build}`);
  return { ...options, ...commandLine.options, noEmit: true };
}

export interface Settings {
  name: string;
  options: ts.CompilerOptions;
}

/** The two settings every block must compile under: the generated app's, and the same with --strict. */
export function blockSettings(app: string): Settings[] {
  const options = generatedAppOptions(app);
  return [
    { name: "the generated app's settings", options },
    { name: "--strict", options: { ...options, strict: true } },
  ];
}

/** Each diagnostic in one of `files`, as "file:line: message". */
export function compileProblems(
  files: string[],
  options: ts.CompilerOptions,
): Array<{ file: string; line: number; text: string }> {
  const program = ts.createProgram(files, options);
  const wanted = new Set(files.map((file) => path.normalize(file)));
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...program
      .getSourceFiles()
      .filter((source) => wanted.has(path.normalize(source.fileName)))
      .flatMap((source) => [
        ...program.getSyntacticDiagnostics(source),
        ...program.getSemanticDiagnostics(source),
        ...program.getDeclarationDiagnostics(source),
      ]),
  ];
  return diagnostics.map((diagnostic) => {
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
    if (!diagnostic.file) return { file: "", line: 0, text };
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
    return { file: path.normalize(diagnostic.file.fileName), line: line + 1, text: `TS${diagnostic.code}: ${text}` };
  });
}
