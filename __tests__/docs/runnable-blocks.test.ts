import { Cache, RedisStore } from "../../src/cache";
import { allDocBlocks, describeBlock, DocBlock, isModule } from "../helpers/doc-blocks";
import { connectRedis, deleteByPrefix, uniquePrefix } from "../helpers/redis";
import { makeWorld, runDocBlock } from "../helpers/run-doc-block";

/**
 * Every doc block without a marker claims to work as written: it runs here, against a real Redis, with `api.cache`
 * a Cache over a RedisStore on a prefix of its own, starting empty. A block that cannot run alone says so with
 * `<!-- fragment: why -->` (it is still compiled, see code-blocks.test.ts); the README's `generated-app` blocks run
 * in a generated app (packaging/generated-app.test.ts).
 */
const redis = connectRedis();
const blocks = allDocBlocks();
const runnable = blocks.filter((block) => block.marker === "run");

let prefix: string;
let store: RedisStore;
let cache: Cache;

beforeEach(() => {
  prefix = uniquePrefix("docs");
  store = new RedisStore({ client: redis, prefix: `${prefix}obj:`, lockPrefix: `${prefix}lock:` });
  cache = new Cache({ store, owner: "docs-reader" });
});

afterEach(async () => {
  await store.close();
  await deleteByPrefix(redis, prefix);
});

afterAll(async () => {
  await redis.quit();
});

function blockStarting(doc: string, firstLine: string): DocBlock {
  const found = blocks.filter((block) => block.doc === doc && block.code.startsWith(firstLine));
  expect(found).toHaveLength(1);
  return found[0];
}

test("most doc blocks run; the others are marked fragments with a reason, or README blocks for a generated app", () => {
  expect(runnable.length).toBeGreaterThan(10);
  for (const block of blocks.filter((candidate) => candidate.marker === "fragment")) {
    expect({ block: describeBlock(block), reason: block.reason }).toEqual({
      block: describeBlock(block),
      reason: expect.stringMatching(/\w{3}/),
    });
  }
  // A file of its own (a config file) cannot run in a function: it must say it is a fragment.
  expect(runnable.filter(isModule).map(describeBlock)).toEqual([]);
  expect(blocks.filter((block) => block.doc === "README.md" && block.marker === "run").map(describeBlock)).toEqual([]);
});

test.each(runnable.map((block) => [describeBlock(block), block] as const))(
  "%s runs as written",
  async (_name, block) => {
    await expect(runDocBlock(block, cache, makeWorld())).resolves.toBeUndefined();
  },
);

test("locking.md's lock, change, unlock creates the counter on a key that does not exist yet, then adds one", async () => {
  const block = blockStarting("docs/locking.md", "if (await api.cache.lock(");
  await runDocBlock(block, cache, makeWorld());
  expect(await cache.get("counter")).toBe(1);
  await runDocBlock(block, cache, makeWorld());
  expect(await cache.get("counter")).toBe(2);
  expect(await cache.locks()).toEqual([]);
});
