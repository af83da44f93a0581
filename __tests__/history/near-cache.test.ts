import { checkNearCache, type ClientEvent, figures } from "../../test-support/history";
import { read, write } from "./ops";

/** p1 writes 1 then 2 (completed at 3); p2 answers from its near cache. */
const writes = () => [write(1, 0, 1), write(2, 2, 3)];
const nearRead = (value: number | null, invoke: number) =>
  read(value, invoke, invoke + 1, { process: "p2", nearHit: true });

describe("near-cache checker", () => {
  it("accepts a near hit that answers a replaced value within the bound, and measures it", () => {
    const [first, second] = writes();
    const hit = nearRead(1, 5);
    const report = checkNearCache([first, second, hit], { staleBoundMs: 10 });
    expect(report).toMatchObject({ ok: true, verdict: "ok", nearHits: 1, violations: [] });
    expect(report.staleReads).toEqual([{ op: hit, stalenessMs: 2, replacedBy: second }]);
    expect(report.staleness).toEqual({ count: 1, p50: 2, p99: 2, max: 2 });
  });

  it("does not count a near hit of the current value as stale", () => {
    const report = checkNearCache([...writes(), nearRead(2, 5)], { staleBoundMs: 0 });
    expect(report).toMatchObject({ ok: true, staleReads: [] });
  });

  it("flags a near hit staler than the bound", () => {
    const report = checkNearCache([...writes(), nearRead(1, 20)], { staleBoundMs: 10 });
    expect(report.ok).toBe(false);
    expect(report.violations).toMatchObject([{ kind: "tooStale", read: { stalenessMs: 17 } }]);
    expect(report.text).toContain("a near hit stale by 17.000 ms");
  });

  it("flags the same stale read when it was not a near hit: the register check rejects it", () => {
    const report = checkNearCache([...writes(), read(1, 5, 6, { process: "p2" })], { staleBoundMs: 10 });
    expect(report.verdict).toBe("fail");
    expect(report.violations).toMatchObject([{ kind: "register", key: "k" }]);
    expect(report.text).toContain('without its near hits, key "k": not linearizable');
  });

  it("flags a near hit that answered a replaced value after its process was told the key changed", () => {
    const told: ClientEvent = { process: "p2", key: "k", kind: "invalidated", at: 4 };
    const report = checkNearCache([...writes(), nearRead(1, 5)], { staleBoundMs: 10, events: [told] });
    expect(report.violations).toMatchObject([{ kind: "afterEvent", event: told }]);
    // Lost tracking counts for every key; an event before the replacement, or to another process, does not.
    const lost: ClientEvent = { process: "p2", key: "*", kind: "trackingLost", at: 3.5 };
    expect(checkNearCache([...writes(), nearRead(1, 5)], { staleBoundMs: 10, events: [lost] }).ok).toBe(false);
    const early = { ...told, at: 2.5 };
    const other = { ...told, process: "p3" };
    expect(checkNearCache([...writes(), nearRead(1, 5)], { staleBoundMs: 10, events: [early, other] }).ok).toBe(true);
  });

  it("flags a near hit of a value nobody wrote", () => {
    const report = checkNearCache([...writes(), nearRead(9, 5)], { staleBoundMs: 10 });
    expect(report.violations).toMatchObject([{ kind: "neverWritten" }]);
  });

  it("measures an 'absent' near hit from the write that ended the absence", () => {
    const report = checkNearCache([write(1, 0, 1), nearRead(null, 4)], { staleBoundMs: 10 });
    expect(report.staleReads).toMatchObject([{ stalenessMs: 3 }]);
  });

  it("leaves grace hits to the grace checker", () => {
    const graceHit = read(1, 20, 21, { process: "p2", graceMs: 30, graceHit: true });
    expect(checkNearCache([...writes(), graceHit], { staleBoundMs: 0 })).toMatchObject({ ok: true, nearHits: 0 });
  });

  it("reports p50, p99 and max by nearest rank", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(figures(values)).toEqual({ count: 100, p50: 50, p99: 99, max: 100 });
    expect(figures([])).toEqual({ count: 0, p50: 0, p99: 0, max: 0 });
  });
});
