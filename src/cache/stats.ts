import type { CacheErrorCode } from "./errors";
import type { CacheStats } from "./types/options";

/** What the calls themselves count; stats() adds the near cache's own counts. */
export type CallCounts = Omit<CacheStats, "nearCache">;

/** The counts behind stats(): what a Cache did since it was created. */
export class CacheCounters {
  private readonly counts: CallCounts = {
    saves: 0,
    loads: 0,
    hits: 0,
    misses: 0,
    lockWaits: 0,
    lockFailures: 0,
    readOnlyLoads: 0,
    errors: {},
  };

  /** A load (or fetch read): a hit or a miss, and whether Redis refused writes so nothing was recorded. */
  load(hit: boolean, readOnly = false): void {
    this.counts.loads += 1;
    if (hit) this.counts.hits += 1;
    else this.counts.misses += 1;
    if (readOnly) this.counts.readOnlyLoads += 1;
  }

  /** `count` saves (a saveMany counts each entry). */
  save(count = 1): void {
    this.counts.saves += count;
  }

  lockWait(): void {
    this.counts.lockWaits += 1;
  }

  lockFailure(): void {
    this.counts.lockFailures += 1;
  }

  error(code: CacheErrorCode): void {
    this.counts.errors[code] = (this.counts.errors[code] ?? 0) + 1;
  }

  snapshot(): CallCounts {
    return { ...this.counts, errors: { ...this.counts.errors } };
  }
}
