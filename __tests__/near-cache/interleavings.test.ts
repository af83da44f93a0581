import fc from "fast-check";
import type Redis from "ioredis";
import { NearReader, Seen, nearCacheWriter, preciseNow } from "../helpers/near-reader";
import { connectRedis, deleteByPrefix, redisUrl, testDatabase, uniquePrefix } from "../helpers/redis";

/**
 * Property: whatever A (this process) does to a key (save, destroy, lock, unlock, with pauses), B (another process
 * with the near cache on, reading in a loop) never goes back to a state older than one it has seen, never shows
 * a state older than one whose write resolved more than STALENESS_BOUND_MS before it read, and ends on A's last
 * state. The bound is far above the measured delay (well under a millisecond): it separates "bounded" from "stale
 * until something else happens", without timing the machine.
 */
jest.setTimeout(180_000);

const STALENESS_BOUND_MS = 1000;
let redis: Redis;
let prefix: string;
let b: NearReader;

beforeAll(async () => {
  redis = connectRedis();
  prefix = uniquePrefix("near-prop");
  b = await NearReader.start({ redisUrl: redisUrl(), db: testDatabase(), prefix });
});

afterAll(async () => {
  await b?.stop();
  await deleteByPrefix(redis, prefix);
  redis?.disconnect();
});

type Op = { kind: "save" } | { kind: "destroy" } | { kind: "lock" } | { kind: "unlock" };
const opArbitrary = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Op>({ kind: "save" }) },
  { weight: 1, arbitrary: fc.constant<Op>({ kind: "destroy" }) },
  { weight: 1, arbitrary: fc.constant<Op>({ kind: "lock" }) },
  { weight: 1, arbitrary: fc.constant<Op>({ kind: "unlock" }) },
);

/** What B should read after each of A's writes: "LOCKED" while A holds the lock, else the value (null: none). */
type State = { shown: string; resolvedAt: number };

const shownOf = (seen: Seen) => (seen.error ? seen.error : JSON.stringify(seen.value ?? null));

test("random interleavings never let B read a state older than one it saw, or one resolved long before", async () => {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(opArbitrary, fc.nat(3)), { minLength: 1, maxLength: 25 }), async (ops) => {
      const key = `k${run++}`;
      const { store, a } = nearCacheWriter(prefix);
      try {
        await b.command("watch", { key });
        const states: State[] = [{ shown: "null", resolvedAt: 0 }];
        let value: number | null = null;
        let locked = false;
        for (const [[op, pause], index] of ops.map((entry, i) => [entry, i] as const)) {
          if (op.kind === "save") await a.save(key, (value = index));
          if (op.kind === "destroy") {
            await a.destroy(key);
            value = null;
          }
          if (op.kind === "lock") locked = (await a.lock(key, 60_000)) || locked;
          if (op.kind === "unlock") {
            await a.unlock(key);
            locked = false;
          }
          states.push({ shown: locked ? "LOCKED" : JSON.stringify(value), resolvedAt: preciseNow() });
          if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
        }
        const last = states[states.length - 1].shown;
        const seen: Seen[] = [];
        for (let deadline = Date.now() + 5000; ;) {
          seen.push(...b.drain());
          if (seen.length > 0 && shownOf(seen[seen.length - 1]) === last) break;
          if (Date.now() > deadline) throw new Error(`B never read A's last state ${last}: ${JSON.stringify(seen)}`);
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
        await b.command("unwatch");
        b.drain();
        // Each observation matches a state at or after the one matched before (values are unique per save).
        let position = 0;
        for (const observation of seen) {
          const shown = shownOf(observation);
          let match = states.findIndex((state, i) => i >= position && state.shown === shown);
          if (match < 0) throw new Error(`B went back to ${shown} after state ${position}: ${JSON.stringify(seen)}`);
          // Bounded staleness: no older than the newest state resolved STALENESS_BOUND_MS before B read.
          const settled = states.filter((state) => state.resolvedAt <= observation.at - STALENESS_BOUND_MS).length - 1;
          if (settled > match) match = states.findIndex((state, i) => i >= settled && state.shown === shown);
          if (match < 0) throw new Error(`B read ${shown} over ${STALENESS_BOUND_MS} ms after it changed`);
          position = match;
        }
      } finally {
        await a.destroy(key).catch(() => undefined);
        await a.unlock(key).catch(() => undefined);
        await store.close();
      }
    }),
    { numRuns: 25 },
  );
});
