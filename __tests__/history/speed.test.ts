import { checkKey, checkLinearizable, type Op } from "../../test-support/history";
import { simulate } from "./simulate";

/**
 * Long simulated histories, linearizable by construction. Budgets are in search states (deterministic, not
 * time): each is a few times what the search needs today, so only a real regression (the kind that made these
 * take hundreds of thousands of states before the search learned to leave unknown ops undecided) fails them.
 */
describe("register linearizability on long histories", () => {
  it("checks 10,000 ops over 3 keys from 6 workers, with unknown ops that may land any time", () => {
    const history = simulate({ ops: 10_000, workers: 6, keys: 3, unknownRate: 0.05, unboundedRate: 1, seed: 1 });
    const started = performance.now();
    const report = checkLinearizable(history, { maxStates: 20_000 });
    const ms = performance.now() - started;
    expect(report.keys.map((key) => key.verdict)).toEqual(["ok", "ok", "ok"]);
    console.log(`10,000 ops over 3 keys: ${Math.round(ms)} ms, ${Math.round(history.length / (ms / 1000))} ops/s`);
  });

  it("checks 10,000 ops on one key with 12 workers in flight (no quiescent point to cut at)", () => {
    const history = simulate({ ops: 10_000, workers: 12, keys: 1, unknownRate: 0.02, unboundedRate: 0.5, seed: 2 });
    const result = checkKey("k0", history, { maxStates: 200_000 });
    expect(result.verdict).toBe("ok");
    expect(result.segments).toBeLessThan(20);
  });

  it("finds one stale read among 10,000 ops and shows it with a one-op witness", () => {
    const history = simulate({ ops: 10_000, workers: 6, keys: 3, unknownRate: 0.02, unboundedRate: 0.5, seed: 3 });
    const stale = staleReadAfter(history, 5_000);
    const result = checkLinearizable([...history, stale]);
    const verdicts = Object.fromEntries(result.keys.map((key) => [key.key, key.verdict]));
    expect(verdicts).toEqual({ k0: "ok", k1: "fail", k2: "ok" });
    const witness = result.keys.find((key) => key.key === "k1")!.witness!;
    // The stretch it is in began after the write it read was replaced: the read alone shows it.
    expect(witness).toMatchObject({ ops: [stale], minimal: true });
    expect(witness.startStates).not.toContainEqual((stale as { value: unknown }).value);
  });
});

/** A read of key k1, well after the first ok write of k1 following op `at`, of the value that write replaced. */
function staleReadAfter(history: readonly Op[], at: number): Op {
  const writes = history.filter(
    (op) => op.key === "k1" && op.kind === "write" && op.outcome === "ok" && op.invoke > history[at].invoke,
  );
  const [replaced, replacing] = writes;
  if (replaced.kind !== "write") throw new Error("unreachable");
  const invoke = replacing.complete + 50;
  return { ...replaced, id: 1_000_000, kind: "read", method: "load", process: "stale", invoke, complete: invoke + 1 };
}
