import * as ts from "typescript";
import type { Cache } from "../../src/cache";
import { DocBlock, WORLD_NAMES } from "./doc-blocks";

/** What the names the prose leaves to the reader (see BODY_PREAMBLE) are when a block runs, and what it did with them. */
export interface World {
  data: unknown;
  item: unknown;
  alice: { name: string };
  bob: { name: string };
  db: { query(sql: string, params: unknown[]): Promise<unknown>; queries: Array<{ sql: string; params: unknown[] }> };
  use(value: unknown, readAt: number | null): void;
  used: Array<{ value: unknown; readAt: number | null }>;
  buildExpensiveReport(): Promise<{ rows: number[] }>;
  buildReport(options: { signal: AbortSignal }): Promise<unknown[]>;
}

export function makeWorld(): World {
  const world: World = {
    data: { rows: [1, 2, 3] },
    item: { to: "ada@example.com" },
    alice: { name: "Alice" },
    bob: { name: "Bob" },
    db: {
      queries: [],
      query: async (sql, params) => {
        world.db.queries.push({ sql, params });
        return { rowCount: 1 };
      },
    },
    used: [],
    use: (value, readAt) => world.used.push({ value, readAt }),
    buildExpensiveReport: async () => ({ rows: [1, 2, 3] }),
    buildReport: async () => [1, 2, 3],
  };
  return world;
}

/**
 * `api.cache` for a block: the cache, with every promise its methods return kept, so that a call the block does not
 * await (the node-callback examples) has settled before the test cleans up.
 */
function tracked(cache: Cache, pending: Array<Promise<unknown>>): Cache {
  return new Proxy(cache, {
    get(target, property, receiver) {
      const member: unknown = Reflect.get(target, property, receiver);
      if (typeof member !== "function") return member;
      return (...args: unknown[]) => {
        const result: unknown = (member as (...input: unknown[]) => unknown).apply(target, args);
        if (typeof (result as Promise<unknown> | undefined)?.then === "function")
          pending.push(result as Promise<unknown>);
        return result;
      };
    },
  });
}

/**
 * Runs a body block as written, inside an async function where `api.cache` is `cache` and the reader's names are
 * `world`'s. TypeScript is only stripped here (the compile test type-checks it). Resolves what the block resolved,
 * after every cache call it made has settled; rejects with what it threw.
 */
export async function runDocBlock(block: DocBlock, cache: Cache, world: World): Promise<void> {
  const source = `(async (api, world) => {\nconst { ${WORLD_NAMES.join(", ")} } = world;\n{\n${block.code}\n}\n});`;
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.None, alwaysStrict: false },
    reportDiagnostics: false,
  });
  const pending: Array<Promise<unknown>> = [];
  // The Function of the test's own realm, so the block's object literals are plain objects to the cache.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- running the doc's code as written is the point
  const evaluate = new Function(`return ${outputText}`) as () => (api: unknown, world: World) => Promise<void>;
  const example = evaluate();
  try {
    await example({ cache: tracked(cache, pending) }, world);
  } finally {
    await Promise.allSettled(pending);
  }
}
