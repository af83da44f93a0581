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

test("grace answers up to graceMs past expiry, also through a later 'no value' copy", () => {
  const { near, clock } = nearCache();
  near.remember("k", "o", '"last"', 2_000);
  expect(near.hit("k", "o")).toBeUndefined();
  fillNow(near, "k", null, null);
  expect(near.hit("k", "o")).toEqual({ value: null });
  clock.now = 2_500;
  expect(near.grace("k", 500)).toEqual({ value: "last" });
  clock.now = 2_501;
  expect(near.grace("k", 500)).toBeUndefined();
  expect(near.stats().graceHits).toBe(1);
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
