import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Cache, MemoryStore } from "../../../src/cache";
import { eventually, nearCacheOn } from "./near-cache";
import { rejectionOf, type Behaviour } from "./world";

const GRACE = 600_000;
const failing = () => Promise.reject(new Error("source down"));

/**
 * Grace answers only what is still true for this process (near cache on and off): a value this process removed,
 * or that a read found gone before it expired, never comes back. A failing producer is the outage every store
 * can have; grace.test.ts kills a real Redis for the rest.
 */
export const graceRules: Behaviour = (world) => {
  for (const near of [false, true]) {
    describe(`grace, near cache ${near ? "on" : "off"}`, () => {
      let carol: Cache;
      let dir: string;
      beforeEach(async () => {
        carol = near ? await nearCacheOn(world) : world.alice.withOwner("carol");
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ah-cache-grace-"));
      });
      afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

      /** Saves `key` with no TTL and reads it with grace, so this process holds a grace copy of it. */
      async function seen(key: string): Promise<void> {
        await carol.save(key, `value of ${key}`);
        expect(await carol.get(key, { grace: GRACE })).toBe(`value of ${key}`);
      }

      async function expectNoGraceValue(key: string): Promise<void> {
        expect((await rejectionOf(carol.fetch(key, failing, { grace: GRACE }))).message).toBe("source down");
      }

      const removals: Array<[string, (keys: string[]) => Promise<unknown>]> = [
        ["destroy", (keys) => Promise.all(keys.map((key) => carol.destroy(key)))],
        ["destroyMany", (keys) => carol.destroyMany(keys)],
        ["clear()", () => carol.clear()],
        ["clear(scope)", () => carol.clear("g:")],
        [
          "dumpRead in replace mode",
          async () => {
            const file = path.join(dir, "other.jsonl");
            const elsewhere = new Cache({ store: new MemoryStore({ sweepIntervalMs: 0 }), owner: "elsewhere" });
            await elsewhere.save("unrelated", 1);
            await elsewhere.dumpWrite(file);
            await carol.dumpRead(file);
          },
        ],
      ];

      for (const [name, remove] of removals) {
        test(`${name} ends the grace copy: a failing producer's error, never the removed value`, async () => {
          await seen("g:1");
          await seen("g:2");
          await remove(["g:1", "g:2"]);
          await expectNoGraceValue("g:1");
          await expectNoGraceValue("g:2");
          // And after a read that found nothing, too.
          expect(await carol.get("g:1")).toBeNull();
          await expectNoGraceValue("g:1");
        });
      }

      test("another server's destroy, then a read that finds nothing before the expiry, ends it too", async () => {
        await seen("g:1");
        await world.bob.destroy("g:1");
        // The read that finds nothing (once the near cache has heard of the change: its invalidation delay).
        await eventually(async () => expect(await carol.get("g:1")).toBeNull());
        await expectNoGraceValue("g:1");
        expect(await carol.get("g:1", { grace: GRACE })).toBeNull();
      });

      test("saveMany's values replace the grace copies", async () => {
        await seen("g:1");
        await carol.saveMany([{ key: "g:1", value: "newer", expireTimeMS: 30 }]);
        await new Promise((resolve) => setTimeout(resolve, 80));
        expect(await carol.fetch("g:1", failing, { grace: GRACE })).toBe("newer");
      });

      test(`grace counts from ${near ? "the expiry, while the feed says the copy is current" : "the last read or write"}`, async () => {
        await carol.save("g:1", "v", 300);
        // Read until a current copy answers (near cache on) or once (off): known current then, or while the feed
        // says so.
        await eventually(async () => {
          const hits = carol.stats().nearCache.hits;
          expect(await carol.get("g:1")).toBe("v");
          if (near) expect(carol.stats().nearCache.hits).toBe(hits + 1);
        });
        const saved = Date.now();
        while (Date.now() < saved + 400) await new Promise((resolve) => setTimeout(resolve, 50));
        // Expired at most 300 ms after `saved`, and written (so known current without a feed) before `saved`.
        const grace = Date.now() - saved - 50;
        if (near) expect(await carol.fetch("g:1", failing, { grace })).toBe("v");
        else expect((await rejectionOf(carol.fetch("g:1", failing, { grace }))).message).toBe("source down");
      });
    });
  }
};
