import * as fs from "fs";
import { type RunCheck, checkRun, flagged } from "../../test-support/history/harness/checks";
import { writeConsistencyDoc } from "../../test-support/history/harness/doc";
import type { NemesisName } from "../../test-support/history/harness/nemesis";
import { type RunOptions, runHistory } from "../../test-support/history/harness/run";
import { scenarios } from "../../test-support/history/harness/scenarios";

/**
 * Checked histories (test-support/history/README.md): workers run random cache operations while a nemesis injects
 * faults, and the checkers judge what they saw. Short runs here; `npm run verify:histories` runs longer ones and
 * writes docs/consistency.md. A failing run prints its witness and keeps its history files.
 */
const DURATION_MS = Number(process.env.HISTORY_DURATION_MS ?? 2_000);
jest.setTimeout(Math.max(120_000, DURATION_MS * 4));
const SEED = Number(process.env.HISTORY_SEED ?? 1);
/** Near-cache hits may trail a write by the invalidation delay; far past it, a copy was never dropped. */
const STALE_BOUND_MS = 1_000;
const results: Array<{ name: string; check: RunCheck }> = [];

/** Runs and checks; a flagged run prints why and keeps its history, unless the flag is what the test expects. */
async function checked(options: RunOptions, flagExpected = false): Promise<RunCheck> {
  const run = await runHistory(options);
  const check = checkRun(run, STALE_BOUND_MS);
  const reasons = flagged(check);
  if (reasons.length > 0 && !flagExpected) {
    console.log(`flagged (${reasons.join("; ")}); history kept in ${run.dir}\n${check.text}`);
  } else {
    fs.rmSync(run.dir, { recursive: true, force: true });
  }
  return check;
}

describe("checked histories", () => {
  for (const scenario of scenarios(DURATION_MS, SEED, process.env.HISTORY_NEMESIS as NemesisName | undefined)) {
    test(`${scenario.name}: linearizable per key (near hits aside), locks exclusive, near hits within the bound`, async () => {
      const check = await checked(scenario.options);
      results.push({ name: scenario.name, check });
      expect(check.operations).toBeGreaterThan(100);
      expect(flagged(check)).toEqual([]);
      if (scenario.options.nemesis !== "none") expect(check.faults).toBeGreaterThan(0);
    });
  }

  afterAll(() => {
    if (process.env.UPDATE_DOCS === "1") writeConsistencyDoc(results, DURATION_MS);
  });
});

describe("the checkers catch a broken build", () => {
  const base = scenarios(4_000, SEED, "none").find((scenario) => scenario.options.store === "redis")!.options;

  test("a near cache that ignores invalidations is flagged", async () => {
    const check = await checked({ ...base, readers: [0], breakBuild: "near-ignores-invalidations" }, true);
    // Its reader keeps answering values that the other worker replaced seconds ago.
    expect(check.nearViolations).toBeGreaterThan(0);
    expect(check.staleness.max).toBeGreaterThan(STALE_BOUND_MS);
  });

  test("a lock granted whoever holds it is flagged", async () => {
    const check = await checked({ ...base, durationMs: 2_000, breakBuild: "lock-skips-owner-check" }, true);
    expect(check.lockViolations.length).toBeGreaterThan(0);
    expect(flagged(check)).toContain(`${check.lockViolations.length} lock violations`);
  });
});
