import fc from "fast-check";
import { checkKey, verdictOf } from "../../test-support/history";
import { smallHistory } from "./arbitraries";
import { bruteForceLinearizable, orphansARead } from "./oracle";

/**
 * The checker (segments, memoized search, canonical give-ups of unknown ops, carried configurations) against the
 * definition, tried the slow way, on thousands of small random histories.
 */
describe("register linearizability against a brute-force oracle", () => {
  it("gives the oracle's verdict on every small random history", () => {
    const seen = { ok: 0, fail: 0 };
    fc.assert(
      fc.property(smallHistory(7), (history) => {
        const expected = bruteForceLinearizable(history) ? "ok" : "fail";
        seen[expected]++;
        expect(verdictOf(history)).toBe(expected);
      }),
      { numRuns: 4000, seed: 27 },
    );
    // Both verdicts must be common, or the comparison would prove little.
    expect(seen.ok).toBeGreaterThan(800);
    expect(seen.fail).toBeGreaterThan(800);
  });

  it("gives a witness the oracle rejects, from which no single op can be dropped", () => {
    let witnesses = 0;
    fc.assert(
      fc.property(smallHistory(7), (history) => {
        const result = checkKey("k", history);
        if (result.verdict !== "fail") return;
        witnesses++;
        const witness = result.witness!;
        expect(bruteForceLinearizable(witness)).toBe(false);
        expect(result.witnessMinimal).toBe(true);
        for (const dropped of witness) {
          const rest = witness.filter((op) => op !== dropped);
          // A rest that keeps a read but not the only write of its value is not a candidate (see witness.ts).
          if (orphansARead(rest, history)) continue;
          expect(bruteForceLinearizable(rest)).toBe(true);
        }
      }),
      { numRuns: 800, seed: 2727 },
    );
    expect(witnesses).toBeGreaterThan(200);
  });
});
