import { NearCache } from "../../src/cache/near-cache";

/** The near cache's own rules, on an injected clock: what a copy answers, for whom, until when, and for grace. */
function nearCache(limits = { maxEntries: 100, maxBytes: 10_000 }) {
  const clock = { now: 1_000 };
  const near = new NearCache(limits, () => clock.now, true);
  near.live();
  return { near, clock };
}

function fillNow(near: NearCache, key: string, json: string | null, expireTimestamp: number | null, owner = "o") {
  near.fill(near.beginRead(key), owner, json, expireTimestamp);
}

test("a copy answers until its expireTimestamp on the store's clock, and only the owner whose read passed the lock", () => {
  const { near, clock } = nearCache();
  fillNow(near, "k", '{"n":1}', 2_000);
  expect(near.hit("k", "o")).toEqual({ value: { n: 1 } });
  expect(near.hit("k", "someone else")).toBeUndefined();
  clock.now = 2_000;
  expect(near.hit("k", "o")).toEqual({ value: { n: 1 } });
  clock.now = 2_001;
  expect(near.hit("k", "o")).toBeUndefined();
  expect(near.stats()).toMatchObject({ hits: 2, misses: 2 });
});

test("a read in flight when its key changes keeps nothing; a read sent before the feed went live keeps only grace", () => {
  const { near } = nearCache();
  const changedMeanwhile = near.beginRead("k");
  near.changed("k");
  near.fill(changedMeanwhile, "o", '"stale"', null);
  expect(near.hit("k", "o")).toBeUndefined();
  expect(near.grace("k", 1)).toBeUndefined();

  near.lost();
  const beforeLive = near.beginRead("k");
  near.live();
  near.fill(beforeLive, "o", '"from before"', null);
  expect(near.hit("k", "o")).toBeUndefined();
  expect(near.grace("k", 1)).toEqual({ value: "from before" });
  fillNow(near, "k", '"current"', null);
  expect(near.hit("k", "o")).toEqual({ value: "current" });
});

test("lost() sets every copy aside, counted as invalidations; copies read after live() answer again", () => {
  const { near } = nearCache();
  fillNow(near, "a", "1", null);
  fillNow(near, "b", "2", null);
  near.lost();
  expect(near.hit("a", "o")).toBeUndefined();
  expect(near.stats()).toMatchObject({ invalidations: 2, live: false, entries: 2 });
  near.live();
  expect(near.hit("a", "o")).toBeUndefined();
  fillNow(near, "a", "3", null);
  expect(near.hit("a", "o")).toEqual({ value: 3 });
});

test("grace counts from when a copy was last known current, and never from past its expiry", () => {
  const { near, clock } = nearCache();
  near.remember("k", "o", '"last"', 2_000);
  expect(near.hit("k", "o")).toBeUndefined();
  // Known current when written (1_000): 1_500 ms of grace reach 2_500, whatever the expiry says.
  clock.now = 2_500;
  expect(near.grace("k", 1_500)).toEqual({ value: "last" });
  expect(near.grace("k", 1_499)).toBeUndefined();
  // A read after its expiry that finds nothing is the expiry: the value stays, known current as of its write.
  fillNow(near, "k", null, null);
  clock.now = 2_600;
  expect(near.grace("k", 1_600)).toEqual({ value: "last" });
  expect(near.grace("k", 1_599)).toBeUndefined();
  // Read (and so known current) at 2_600, it expired at 3_000: grace counts from the expiry.
  fillNow(near, "e", '"expiring"', 3_000);
  clock.now = 3_300;
  expect(near.grace("e", 300)).toEqual({ value: "expiring" });
  expect(near.grace("e", 299)).toBeUndefined();
  expect(near.stats().graceHits).toBe(3);
});

test("a read that finds nothing before the value's expiry ends its grace: the answer is then 'no value'", () => {
  const { near, clock } = nearCache();
  near.remember("k", "o", '"deleted elsewhere"', null);
  clock.now = 1_100;
  fillNow(near, "k", null, null);
  clock.now = 1_200;
  expect(near.grace("k", 600_000)).toEqual({ value: null });
});

test("a current copy stays known current while the feed reports no change; a change starts the clock", () => {
  const { near, clock } = nearCache();
  fillNow(near, "k", '"v"', null);
  clock.now = 100_000;
  expect(near.grace("k", 0)).toEqual({ value: "v" });
  near.changed("k");
  clock.now = 100_050;
  expect(near.grace("k", 50)).toEqual({ value: "v" });
  expect(near.grace("k", 49)).toBeUndefined();
  fillNow(near, "other", '"w"', null);
  near.lost();
  clock.now = 100_080;
  expect(near.grace("other", 30)).toEqual({ value: "w" });
  expect(near.grace("other", 29)).toBeUndefined();
});

test("removed() and a clear answer 'no value'; unknown() and a failed clear leave nothing, not even for grace", () => {
  const { near } = nearCache();
  const keys = ["a", "b", "s:1", "s:2", "t:1", "u:1"];
  for (const key of keys) near.remember(key, "o", '"v"', null);
  near.removed("a", "o");
  near.unknown("b");
  near.cleared("s:", true);
  near.cleared("u:", false);
  expect(keys.map((key) => near.grace(key, 600_000))).toEqual([
    { value: null },
    undefined,
    { value: null },
    { value: null },
    { value: "v" },
    undefined,
  ]);
});

test("values are deeply frozen and shared; bytes count keys and JSON; least recently used goes first", () => {
  const { near } = nearCache({ maxEntries: 2, maxBytes: 20 });
  fillNow(near, "a", '{"l":[1]}', null);
  const first = near.hit("a", "o")!.value as { l: number[] };
  expect(near.hit("a", "o")!.value).toBe(first);
  expect(Object.isFrozen(first.l)).toBe(true);
  expect(near.stats().bytes).toBe(1 + 9);
  fillNow(near, "b", "2", null);
  near.hit("a", "o");
  fillNow(near, "c", "3", null);
  expect(near.hit("b", "o")).toBeUndefined();
  expect(near.stats()).toMatchObject({ entries: 2, evictions: 1, bytes: 10 + 2 });
  fillNow(near, "big", JSON.stringify("x".repeat(30)), null);
  expect(near.stats()).toMatchObject({ entries: 2, bytes: 12 });
});

test("limits must be positive integers", () => {
  expect(() => new NearCache({ maxEntries: 0, maxBytes: 1 }, Date.now, true)).toThrow(
    expect.objectContaining({
      code: "INVALID_OPTIONS",
      message: "nearCache.maxEntries must be a positive integer, got 0",
    }),
  );
  expect(() => new NearCache({ maxEntries: 1, maxBytes: 0.5 }, Date.now, true)).toThrow(/maxBytes/);
});
