import { checkKey, checkLinearizable, type Op, UNREAD_VALUE, verdictOf } from "../../test-support/history";
import { del, exists, fetchMiss, read, unknown, write } from "./ops";

/** Hand-made histories of one key with a known answer. Times are ms; [invoke, complete] per op. */
describe("register linearizability: histories that must be rejected", () => {
  it("rejects a stale read after a completed write: the witness is the read, where the key could only be 2", () => {
    const stale = read(1, 4, 5);
    const result = checkKey("k", [write(1, 0, 1), write(2, 2, 3), stale]);
    expect(result.verdict).toBe("fail");
    // No op reads 2 back: to the checker it is one of the values nobody read, and the text names it.
    expect(result.witness).toEqual({ ops: [stale], startStates: [UNREAD_VALUE], from: 4, until: 5, minimal: true });
    expect(result.text).toContain(
      "Before 4.000 the key could only be a value no op read back (the last written before: 2); from there, these " +
        "operations have no valid order, as things stood at 5.000",
    );
    expect(result.text).toContain(`#${stale.id}`);
  });

  it("rejects a read of a value never written", () => {
    const bad = read(9, 2, 3);
    const result = checkKey("k", [write(1, 0, 1), bad]);
    expect(result.verdict).toBe("fail");
    expect(result.witness).toMatchObject({ ops: [bad], startStates: [UNREAD_VALUE] });
  });

  it("rejects a lost acknowledged write", () => {
    expect(verdictOf([write(1, 0, 1), read(null, 2, 3)])).toBe("fail");
  });

  it("rejects reading a value after its delete completed", () => {
    expect(verdictOf([write(1, 0, 1), del(2, 3), read(1, 4, 5)])).toBe("fail");
    expect(verdictOf([write(1, 0, 1), del(2, 3), exists(true, 4, 5)])).toBe("fail");
  });

  it("rejects a read going back in time: once 2 was read, 1 cannot come back while a write of 2 is pending", () => {
    const ops = [write(1, 0, 1), write(2, 2, 10), read(2, 3, 4), read(1, 5, 6)];
    expect(verdictOf(ops)).toBe("fail");
    // The same reads in the other order are fine: the slow write had not landed yet, then it had.
    expect(verdictOf([write(1, 0, 1), write(2, 2, 10), read(1, 3, 4), read(2, 5, 6)])).toBe("ok");
  });

  it("rejects two reads that disagree after both concurrent writes completed", () => {
    expect(verdictOf([write(1, 0, 5), write(2, 0, 5), read(1, 6, 7), read(2, 8, 9)])).toBe("fail");
  });

  it("rejects a write whose failure was definite showing up later", () => {
    expect(verdictOf([write(1, 0, 1), write(2, 2, 3, { outcome: "fail" }), read(2, 4, 5)])).toBe("fail");
  });
});

describe("register linearizability: histories that must be accepted", () => {
  it("accepts concurrent writes read in either order", () => {
    expect(verdictOf([write(1, 0, 5), write(2, 0, 5), read(1, 6, 7)])).toBe("ok");
    expect(verdictOf([write(1, 0, 5), write(2, 0, 5), read(2, 6, 7)])).toBe("ok");
  });

  it("accepts an unknown write seen, and never seen", () => {
    expect(verdictOf([write(1, 0, 1), write(2, 2, 3, unknown()), read(2, 4, 5)])).toBe("ok");
    expect(verdictOf([write(1, 0, 1), write(2, 2, 3, unknown()), read(1, 4, 5)])).toBe("ok");
  });

  it("lets an unknown write land late until its effectBy, and not after", () => {
    const late = (effectBy: number) => [
      write(1, 0, 1),
      write(2, 2, 3, unknown(effectBy)),
      read(1, 4, 5),
      read(2, 6, 7),
    ];
    expect(verdictOf(late(Infinity))).toBe("ok");
    expect(verdictOf(late(5.5))).toBe("ok");
    // It must have landed by 3.5, before the read of 1 began: 2 then 1 then 2 again is impossible.
    expect(verdictOf(late(3.5))).toBe("fail");
  });

  it("an unknown write takes effect at most once", () => {
    const ops = [write(1, 0, 1), write(2, 2, 3, unknown()), read(2, 4, 5), write(3, 6, 7), read(2, 8, 9)];
    expect(verdictOf(ops)).toBe("fail");
  });

  it("ignores failed ops and unknown reads", () => {
    const ops = [write(1, 0, 1), del(2, 3, { outcome: "fail" }), read(7, 4, 5, unknown()), read(1, 6, 7)];
    expect(verdictOf(ops)).toBe("ok");
  });

  it("starts absent: a read of absent and exists false before any write are fine", () => {
    expect(verdictOf([read(null, 0, 1), exists(false, 2, 3), write(1, 4, 5), exists(true, 6, 7)])).toBe("ok");
  });
});

describe("register linearizability: how the search may use unknown ops", () => {
  it("keeps an unknown write for later when an ok write explains a read just as well", () => {
    // The read of 1 at 11 can be the ok write's 1 or the unknown write's; the read of 1 after the write of 3 can
    // only be the unknown write's, so it must be kept. The search tries the unknown write for the first read
    // first; what it reaches without using it is not covered by what it reached using it.
    const ops = [
      write(1, 0, 10),
      write(2, 0, 10),
      write(1, 0, 1, unknown()),
      read(1, 11, 12),
      write(3, 13, 14),
      read(1, 15, 16),
    ];
    expect(checkKey("k", ops).segments).toBe(4);
    expect(verdictOf(ops)).toBe("ok");
  });

  it("of two unknown deletes, uses the one that must land sooner first", () => {
    // The first absent read needs one delete; the second, after the write of 8, needs the other, and only the
    // unbounded one can land that late.
    const ops = [
      write(7, 0, 0.5),
      del(1, 2, unknown(5)),
      del(1, 2, unknown()),
      read(null, 3, 4),
      write(8, 5.5, 6),
      read(null, 10, 11),
    ];
    expect(verdictOf(ops)).toBe("ok");
    expect(verdictOf([...ops, write(9, 12, 13), read(null, 14, 15)])).toBe("fail");
  });
});

describe("register linearizability: fetch misses (write if absent)", () => {
  it("writes its value when the key is absent", () => {
    expect(verdictOf([fetchMiss(5, 0, 1), read(5, 2, 3)])).toBe("ok");
  });

  it("cannot answer its own value over another value already there", () => {
    expect(verdictOf([write(1, 0, 1), fetchMiss(5, 2, 3)])).toBe("fail");
  });

  it("racing a write: it landed first and the write overwrote it, so a later read sees the write", () => {
    expect(verdictOf([fetchMiss(5, 1, 3), write(1, 0, 4), read(1, 5, 6)])).toBe("ok");
    expect(verdictOf([fetchMiss(5, 1, 3), write(1, 0, 4), read(5, 5, 6)])).toBe("fail");
  });

  it("unknown, it may have written or found another value", () => {
    expect(verdictOf([fetchMiss(5, 0, 1, unknown()), read(5, 2, 3)])).toBe("ok");
    expect(verdictOf([write(1, 0, 1), fetchMiss(5, 2, 3, unknown()), read(1, 4, 5)])).toBe("ok");
    expect(verdictOf([write(1, 0, 1), fetchMiss(5, 2, 3, unknown()), read(5, 4, 5)])).toBe("fail");
  });
});

describe("register linearizability: long histories, segments and budgets", () => {
  /** n sequential write/read pairs starting at `from`: every pair is its own quiescent stretch. */
  function pairs(n: number, from = 10): Op[] {
    return Array.from({ length: n }, (_, i) => [
      write(i, from + 4 * i, from + 4 * i + 1),
      read(i, from + 4 * i + 2, from + 4 * i + 3),
    ]).flat();
  }

  it("splits a sequential history at its quiescent points", () => {
    const result = checkKey("k", pairs(200));
    expect(result).toMatchObject({ verdict: "ok", operations: 400, segments: 400 });
  });

  it("carries an unknown write with no effectBy across every cut: it may land at the very end, once", () => {
    const history = [write("u", 0, 1, unknown()), ...pairs(200)];
    expect(verdictOf([...history, read("u", 2000, 2001)])).toBe("ok");
    expect(verdictOf([...history, read("u", 2000, 2001), read(199, 2002, 2003)])).toBe("fail");
  });

  it("finds a small witness for one stale read deep in a long history", () => {
    // The stale read of 150 runs alongside the write of 160, after the write of 159 completed.
    const stale = read(150, 10 + 4 * 160, 10 + 4 * 160 + 0.5);
    const result = checkKey("k", [...pairs(300), stale]);
    expect(result.verdict).toBe("fail");
    expect(result.witness!.startStates).toEqual([159]);
    expect(result.witness!.ops).toEqual([stale]);
    expect(result.text).toContain('key "k": not linearizable. Before 650.000 the key could only be 159;');
    expect(result.text).toContain("read → 150");
  });

  it("keeps in the witness the writes its reads need, and only the reads that show the failure", () => {
    const ops = [write(1, 0, 10), write(2, 0, 10), read(1, 1, 2), read(2, 3, 4), read(1, 5, 6), read(2, 7, 8)];
    const result = checkKey("k", ops);
    expect(result.verdict).toBe("fail");
    const witness = result.witness!;
    // 1, 2, 1 (or 2, 1, 2) while both writes run cannot be; the fourth read is not needed to show it.
    const values = witness.ops.filter((op) => op.kind === "read").map((op) => op.value);
    expect(values).toHaveLength(3);
    expect(values[0]).toBe(values[2]);
    expect(values[1]).not.toBe(values[0]);
    expect(witness.ops.filter((op) => op.kind === "write")).toEqual(ops.slice(0, 2));
    expect(witness.startStates).toEqual([null]);
    // Cut when the third read completed, both writes still running: the text says so.
    expect(witness.until).toBe(6);
    expect(result.text).toMatch(/write 1 .* ok +0\.000 → 10\.000 \(still running at 6\.000\)/);
  });

  it("drops from the witness writes nothing left in it could see", () => {
    const stale = read(1, 9, 10);
    const ops = [write(1, 0, 1), write(2, 2, 3), write(3, 4, 8), write(4, 4, 8), read(3, 5, 6), stale];
    const result = checkKey("k", ops);
    expect(result.verdict).toBe("fail");
    // The writes of 3 and 4 run in one stretch with the stale read, but no read left after shrinking sees them.
    expect(result.witness!.ops).toEqual([stale]);
  });

  it("answers unknown, not a guess, when the budget runs out", () => {
    const concurrent = Array.from({ length: 12 }, (_, i) => write(i, 0, 10));
    const result = checkKey("k", [...concurrent, read(3, 11, 12)], { maxStates: 50 });
    expect(result.verdict).toBe("unknown");
    expect(result.explored).toBe(50);
    expect(checkKey("k", [...concurrent, read(3, 11, 12)]).verdict).toBe("ok");
  });

  it("checks each key on its own and reports the failing one", () => {
    const other = (op: Op): Op => ({ ...op, key: "other" });
    const history = [write(1, 0, 1), read(1, 2, 3), other(write(1, 0, 1)), other(read(null, 2, 3))];
    const report = checkLinearizable(history);
    expect(report.verdict).toBe("fail");
    expect(report.keys.map((key) => [key.key, key.verdict])).toEqual([
      ["k", "ok"],
      ["other", "fail"],
    ]);
    expect(report.text).toContain('key "other": not linearizable');
  });
});
