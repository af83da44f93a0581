import { checkLocks, formatJsonLines, type LockHold, parseJsonLines, toLockHold } from "../../test-support/history";

/** A hold of key "k" with a long lease, renewed when it was acquired, unless `extra` says otherwise. */
function hold(process: string, token: number, bodyStart: number, bodyEnd: number, extra: Partial<LockHold> = {}) {
  const acquiredAt = bodyStart - 1;
  return { key: "k", process, token, acquiredAt, bodyStart, bodyEnd, lastRenewAt: acquiredAt, ttlMs: 1000, ...extra };
}

describe("lock checker", () => {
  it("accepts holders one after another with rising tokens, and holders of different keys at once", () => {
    const holds = [hold("a", 1, 0, 10), hold("b", 2, 10, 20), hold("c", 3, 25, 30), hold("d", 1, 0, 30, { key: "j" })];
    expect(checkLocks(holds)).toMatchObject({ ok: true, holds: 4, violations: [] });
  });

  it("flags two holders whose bodies overlap, and says for how long", () => {
    const [a, b] = [hold("a", 1, 0, 10), hold("b", 2, 6, 20)];
    const report = checkLocks([a, b]);
    expect(report.violations).toEqual([{ kind: "overlap", key: "k", first: a, second: b, overlapMs: 4 }]);
    expect(report.text).toContain('key "k": two holders, both valid for 4.000 ms:');
  });

  it("flags a token used twice", () => {
    const [a, b] = [hold("a", 5, 0, 10), hold("b", 5, 20, 30)];
    expect(checkLocks([a, b]).violations).toEqual([{ kind: "duplicateToken", key: "k", first: a, second: b }]);
  });

  it("flags a token smaller than one of a holder that let go before", () => {
    const [a, b, c] = [hold("a", 7, 0, 10), hold("b", 3, 12, 20), hold("c", 9, 22, 30)];
    expect(checkLocks([a, b, c]).violations).toEqual([{ kind: "tokenOrder", key: "k", first: a, second: b }]);
  });

  it("counts the lease's tail: a body past its last renewal is still valid until renewal + TTL", () => {
    // a renewed at 50 for 100 ms and ran until 200 without being told: valid until 150.
    const a = hold("a", 1, 0, 200, { lastRenewAt: 50, ttlMs: 100 });
    const inTail = hold("b", 2, 140, 160);
    expect(checkLocks([a, inTail]).violations).toEqual([
      { kind: "overlap", key: "k", first: a, second: inTail, overlapMs: 10 },
    ]);
    // After the lease, a's body no longer counts (its token is older: fencing refuses its writes).
    expect(checkLocks([a, hold("b", 2, 150, 160)]).ok).toBe(true);
    // ...but a token that does not rise past it does not fence anything.
    expect(checkLocks([a, hold("b", 0, 150, 160)]).violations.map((v) => v.kind)).toEqual(["tokenOrder"]);
  });

  it("ends an aborted holder's interval at the abort", () => {
    const a = hold("a", 1, 0, 200, { abortedAt: 60 });
    expect(checkLocks([a, hold("b", 2, 70, 80)]).ok).toBe(true);
    expect(checkLocks([a, hold("b", 2, 55, 80)]).violations).toMatchObject([{ kind: "overlap", overlapMs: 5 }]);
  });

  it("does not count a holder whose lease ran out before its body began", () => {
    const late = hold("a", 1, 10, 20, { lastRenewAt: 0, ttlMs: 5 });
    expect(checkLocks([late, hold("b", 2, 10, 20)]).ok).toBe(true);
  });

  it("reads holds back from JSON Lines", () => {
    const holds = [hold("a", 1, 0, 10, { abortedAt: 5 }), hold("b", 2, 10, 20)];
    expect(parseJsonLines(formatJsonLines(holds), toLockHold)).toEqual(holds);
    expect(() => parseJsonLines('{"key":"k"}\n', toLockHold)).toThrow(/line 1: not a lock hold/);
  });
});
