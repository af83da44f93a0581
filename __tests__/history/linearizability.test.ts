import { checkKey, checkLinearizable, type Op, verdictOf } from "../../test-support/history";
import { del, exists, fetchMiss, ids, read, unknown, write } from "./ops";

/** Hand-made histories of one key with a known answer. Times are ms; [invoke, complete] per op. */
describe("register linearizability: histories that must be rejected", () => {
  it("rejects a stale read after a completed write, and names the three ops that show it", () => {
    const ops = [write(1, 0, 1), write(2, 2, 3), read(1, 4, 5)];
    const result = checkKey("k", ops);
    expect(result.verdict).toBe("fail");
    expect(ids(result.witness!)).toEqual(ids(ops));
    expect(result.witnessMinimal).toBe(true);
  });

  it("rejects a read of a value never written; the read alone is the witness", () => {
    const bad = read(9, 2, 3);
    const result = checkKey("k", [write(1, 0, 1), bad]);
    expect(result.verdict).toBe("fail");
    expect(ids(result.witness!)).toEqual([bad.id]);
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
    const stale = read(150, 10 + 4 * 160, 10 + 4 * 160 + 0.5);
    const history = [...pairs(300), stale];
    const result = checkKey("k", history);
    expect(result.verdict).toBe("fail");
    // The write of 150, a write that replaced it before the read began, and the read; nothing else.
    const [first, replacing, last] = result.witness!;
    expect(result.witness).toHaveLength(3);
    expect(first).toMatchObject({ kind: "write", value: 150 });
    expect(replacing).toMatchObject({ kind: "write" });
    expect((replacing as { value: number }).value).toBeGreaterThan(150);
    expect(replacing.complete).toBeLessThan(stale.invoke);
    expect(last).toBe(stale);
    expect(result.text).toContain('key "k": not linearizable');
    expect(result.text).toContain("read → 150");
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
