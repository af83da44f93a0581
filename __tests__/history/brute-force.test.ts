import fc from "fast-check";
import { checkKey, effectEnd, isObservation, type Op, verdictOf, type Witness } from "../../test-support/history";
import { smallHistory } from "./arbitraries";
import { bruteForceLinearizable } from "./oracle";

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

  it("gives the oracle's verdict when half the ops are unknown", () => {
    const seen = { ok: 0, fail: 0 };
    fc.assert(
      fc.property(smallHistory(8, "many"), (history) => {
        const expected = bruteForceLinearizable(history) ? "ok" : "fail";
        seen[expected]++;
        expect(verdictOf(history)).toBe(expected);
      }),
      { numRuns: 3000, seed: 270 },
    );
    expect(seen.ok).toBeGreaterThan(600);
    expect(seen.fail).toBeGreaterThan(600);
  });

  it("gives a witness that proves the failure, from which no observation can be dropped", () => {
    let witnesses = 0;
    fc.assert(
      fc.property(smallHistory(7), (history) => {
        const result = checkKey("k", history);
        if (result.verdict !== "fail") return;
        witnesses++;
        expect(result.witness!.minimal).toBe(true);
        const proof = witnessedHistory(history, result.witness!);
        expect(bruteForceLinearizable(proof)).toBe(false);
        for (const observation of proof.filter((op) => isObservation(op) && result.witness!.ops.includes(op))) {
          expect(bruteForceLinearizable(proof.filter((op) => op !== observation))).toBe(true);
        }
      }),
      { numRuns: 800, seed: 2727 },
    );
    expect(witnesses).toBeGreaterThan(200);
  });
});

/**
 * What a witness claims has no order: the history up to its cut (ops still running then may or may not have
 * taken effect by it), less the ops invoked in its stretch that it left out. Unknown ops from before the stretch
 * stay, even if the witness left them out of the stretch: they belong to what came before it too.
 */
function witnessedHistory(history: readonly Op[], witness: Witness): Op[] {
  const { ops, from, until } = witness;
  const inStretch = (op: Op) => op.invoke >= from;
  return history
    .filter((op) => op.outcome !== "fail" && op.invoke <= until && (!inStretch(op) || ops.includes(op)))
    .flatMap((op): Op[] => {
      if (op.outcome === "ok" && op.complete <= until) return [op];
      if (isObservation(op)) return [];
      return [{ ...op, outcome: "unknown", effectBy: Math.min(effectEnd(op), until) }];
    });
}
