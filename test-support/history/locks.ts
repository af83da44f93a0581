import { time } from "./render";

/** One withLock body, as its process saw it. Times on the history's clock (ms). */
export interface LockHold {
  key: string;
  process: string;
  /** The acquisition's fencing token. */
  token: number;
  /** When the acquire resolved. */
  acquiredAt: number;
  bodyStart: number;
  bodyEnd: number;
  /** When the body's AbortSignal aborted, if it did. */
  abortedAt?: number;
  /**
   * When the last acquire or successful extend was SENT. Redis set the TTL somewhere between sending and the
   * answer, so only this plus ttlMs is a time the lock was certainly still held; the answer's time plus ttlMs
   * could be up to a round trip late, and flag a correct lock.
   */
  lastRenewAt: number;
  ttlMs: number;
}

export type LockViolation =
  | { kind: "overlap"; key: string; first: LockHold; second: LockHold; overlapMs: number }
  | { kind: "duplicateToken"; key: string; first: LockHold; second: LockHold }
  /** `first` held (validly) and let go before `second` began, yet has the larger token. */
  | { kind: "tokenOrder"; key: string; first: LockHold; second: LockHold };

export interface LockReport {
  ok: boolean;
  holds: number;
  violations: LockViolation[];
  text: string;
}

/**
 * When a holder certainly held its lock: from its body's start until the earliest of the body's end, its
 * signal's abort, and its lease's end (lastRenewAt + ttlMs). Empty when the lease ended before the body began.
 */
export function validInterval(hold: LockHold): { start: number; end: number } {
  const end = Math.min(hold.bodyEnd, hold.abortedAt ?? Infinity, hold.lastRenewAt + hold.ttlMs);
  return { start: hold.bodyStart, end: Math.max(hold.bodyStart, end) };
}

/**
 * Mutual exclusion and fencing, per key: no two valid intervals overlap (a holder past its lease no longer
 * counts, a holder inside it does, tail included); no token is used twice; and a holder whose valid interval
 * ended before another's began has the smaller token.
 */
export function checkLocks(holds: readonly LockHold[]): LockReport {
  const byKey = new Map<string, LockHold[]>();
  for (const hold of holds) byKey.set(hold.key, [...(byKey.get(hold.key) ?? []), hold]);
  const violations = [...byKey].flatMap(([key, ofKey]) => [
    ...overlaps(key, ofKey),
    ...duplicateTokens(key, ofKey),
    ...tokenOrder(key, ofKey),
  ]);
  const text = [`locks: ${holds.length} holds, ${violations.length} violations`, ...violations.map(describe)];
  return { ok: violations.length === 0, holds: holds.length, violations, text: text.join("\n") };
}

/** Every overlapping pair: a sweep by start, keeping the intervals not yet ended. */
function overlaps(key: string, holds: readonly LockHold[]): LockViolation[] {
  const violations: LockViolation[] = [];
  const sorted = [...holds].sort((a, b) => a.bodyStart - b.bodyStart);
  let open: LockHold[] = [];
  for (const second of sorted) {
    const { start, end } = validInterval(second);
    open = open.filter((first) => validInterval(first).end > start);
    if (end === start) continue;
    for (const first of open) {
      const overlapMs = Math.min(validInterval(first).end, end) - start;
      violations.push({ kind: "overlap", key, first, second, overlapMs });
    }
    open.push(second);
  }
  return violations;
}

function duplicateTokens(key: string, holds: readonly LockHold[]): LockViolation[] {
  const firstWith = new Map<number, LockHold>();
  const violations: LockViolation[] = [];
  for (const hold of holds) {
    const first = firstWith.get(hold.token);
    if (first) violations.push({ kind: "duplicateToken", key, first, second: hold });
    else firstWith.set(hold.token, hold);
  }
  return violations;
}

/**
 * For each holder, the one with the largest token among those whose valid interval ended before it began:
 * that token must be smaller (equal tokens are reported as duplicates). One report per later holder.
 */
function tokenOrder(key: string, holds: readonly LockHold[]): LockViolation[] {
  const byEnd = [...holds].sort((a, b) => validInterval(a).end - validInterval(b).end);
  const byStart = [...holds].sort((a, b) => a.bodyStart - b.bodyStart);
  const violations: LockViolation[] = [];
  let largest: LockHold | undefined;
  let ended = 0;
  for (const second of byStart) {
    while (ended < byEnd.length && validInterval(byEnd[ended]).end <= second.bodyStart) {
      // `second` itself may be among them (an empty interval): its own token never counts against it.
      if (largest === undefined || byEnd[ended].token > largest.token) largest = byEnd[ended];
      ended++;
    }
    if (largest && largest.token > second.token) violations.push({ kind: "tokenOrder", key, first: largest, second });
  }
  return violations;
}

function describe(violation: LockViolation): string {
  const what =
    violation.kind === "overlap"
      ? `both valid for ${time(violation.overlapMs)} ms`
      : violation.kind === "duplicateToken"
        ? "the same token"
        : "the one that held first has the larger token";
  const holders = [violation.first, violation.second].map((hold) => "  " + holdText(hold));
  return [`key ${JSON.stringify(violation.key)}: two holders, ${what}:`, ...holders].join("\n");
}

function holdText(hold: LockHold): string {
  const { start, end } = validInterval(hold);
  return (
    `${hold.process} token ${hold.token}: valid ${time(start)} → ${time(end)} (body ${time(hold.bodyStart)} → ` +
    `${time(hold.bodyEnd)}${hold.abortedAt === undefined ? "" : `, aborted ${time(hold.abortedAt)}`}, lease ` +
    `renewed ${time(hold.lastRenewAt)} for ${hold.ttlMs} ms)`
  );
}

/** Checks one parsed JSON Lines record of a hold and returns it typed. */
export function toLockHold(raw: unknown): LockHold {
  const record = raw as Record<string, unknown>;
  const numbers = ["token", "acquiredAt", "bodyStart", "bodyEnd", "lastRenewAt", "ttlMs"];
  const valid =
    typeof raw === "object" &&
    raw !== null &&
    typeof record.key === "string" &&
    typeof record.process === "string" &&
    numbers.every((field) => Number.isFinite(record[field])) &&
    (record.abortedAt === undefined || Number.isFinite(record.abortedAt));
  if (!valid) throw new Error(`not a lock hold: ${JSON.stringify(raw)}`);
  return raw as LockHold;
}
