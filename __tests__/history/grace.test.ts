import { checkGrace } from "../../test-support/history";
import { del, exists, read, unknown, write } from "./ops";

/** A grace hit by p1, invoked at `invoke`, allowed `graceMs`. */
const graceRead = (value: number | null, invoke: number, graceMs: number) =>
  read(value, invoke, invoke + 1, { graceMs, graceHit: true });

describe("grace checker", () => {
  // 1 written by 1, replaced by 2 when that write completed at 11.
  const history = () => [write(1, 0, 1, { process: "p2" }), write(2, 10, 11, { process: "p2" })];

  it("accepts a value that was the key's state within the last graceMs", () => {
    expect(checkGrace([...history(), graceRead(1, 15, 10)])).toMatchObject({ ok: true, graceHits: 1 });
  });

  it("flags a value replaced more than graceMs before", () => {
    const report = checkGrace([...history(), graceRead(1, 30, 10)]);
    expect(report.violations).toMatchObject([{ kind: "tooOld", ageMs: 19 }]);
    expect(report.text).toContain("a grace hit answered a state replaced 19.000 ms before it (graceMs 10)");
  });

  it("flags a value never written before it, and one written only after it", () => {
    expect(checkGrace([...history(), graceRead(9, 15, 10)]).violations).toMatchObject([{ kind: "neverWritten" }]);
    const writtenLater = [graceRead(5, 2, 10), write(5, 3, 4)];
    expect(checkGrace(writtenLater).violations).toMatchObject([{ kind: "neverWritten" }]);
  });

  it("judges 'absent' like a value: the key starts absent", () => {
    const history = [write(1, 5, 6)];
    expect(checkGrace([...history, graceRead(null, 10, 10)]).ok).toBe(true);
    expect(checkGrace([...history, graceRead(null, 30, 10)]).violations).toMatchObject([{ kind: "tooOld" }]);
  });

  it("takes an unknown write at its latest possible effect: never certainly replaced if unbounded", () => {
    const history = [write(1, 0, 1, unknown()), write(2, 10, 11)];
    expect(checkGrace([...history, graceRead(1, 100, 10)]).ok).toBe(true);
    const bounded = [write(1, 0, 1, unknown(5)), write(2, 10, 11)];
    expect(checkGrace([...bounded, graceRead(1, 100, 10)]).ok).toBe(false);
  });

  it("flags a value its own process destroyed, even within graceMs", () => {
    const destroyed = [write(1, 0, 1), del(2, 3), graceRead(1, 4, 100)];
    const report = checkGrace(destroyed);
    expect(report.violations).toMatchObject([{ kind: "afterOwnDelete", deletedBy: destroyed[1] }]);
    expect(report.text).toContain("a grace hit answered a value its own process had deleted");
    // clear is recorded as a delete of every key: the same rule.
    expect(checkGrace([write(1, 0, 1), del(2, 3, { method: "clear" }), graceRead(1, 4, 100)]).ok).toBe(false);
    // exists answering true after the process's own delete, too.
    expect(checkGrace([write(1, 0, 1), del(2, 3), exists(true, 4, 5, { graceHit: true, graceMs: 100 })]).ok).toBe(
      false,
    );
  });

  it("allows the value after another process's delete within graceMs, or after a write of it that may land later", () => {
    expect(checkGrace([write(1, 0, 1), del(2, 3, { process: "p2" }), graceRead(1, 4, 100)]).ok).toBe(true);
    expect(checkGrace([write(1, 0, 1, unknown()), del(2, 3), graceRead(1, 4, 100)]).ok).toBe(true);
  });

  it("checks only grace hits", () => {
    expect(checkGrace([...history(), read(1, 30, 31, { graceMs: 10 })])).toMatchObject({ ok: true, graceHits: 0 });
  });
});
