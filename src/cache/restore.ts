import { DumpFile } from "./dump-file";
import { readDump, type DumpProgress } from "./dump";
import { CacheError, CacheErrorCodes } from "./errors";
import type { CacheStore, DumpEntry } from "./types/store";

/** Entries restored per store round, bounding memory whatever the dump's size. */
const RESTORE_BATCH = 1000;

export interface DumpReadResult {
  /** Entries written. */
  restored: number;
  /** Objects whose expiry instant passed before the restore: not written. */
  expired: number;
  /** Entries whose key another owner had locked: not written. */
  locked: number;
}

export interface RestoreSettings {
  store: CacheStore;
  owner: string;
  maxValueBytes: number;
  mode: "replace" | "merge";
  onProgress?: DumpProgress;
}

/**
 * Restores the dump at `path`, all or nothing up to the moment it starts writing. The first pass checks the whole
 * file and hashes it; if the file changed since it was opened, nothing is cleared or written. The second pass
 * reads the same open file, writes in batches, and hashes it again: a file changed during the restore is reported
 * (INVALID_DUMP) once the pass ends, with what was written so far left in place.
 */
export async function restoreDump(path: string, settings: RestoreSettings): Promise<DumpReadResult> {
  const { store, owner, maxValueBytes, mode, onProgress } = settings;
  const dump = await DumpFile.open(path);
  try {
    let checked = "";
    for await (const entry of readDump(dump, maxValueBytes, (hex) => (checked = hex))) void entry;
    if (!(await dump.unchanged())) throw changed(path, "after it was checked; nothing was cleared or restored");
    if (mode === "replace") await store.clear("", false);
    const result: DumpReadResult = { restored: 0, expired: 0, locked: 0 };
    let batch: DumpEntry[] = [];
    const flush = async () => {
      const outcomes = await store.restore(batch, owner);
      // A long list's continuation lines are parts of one entry: only its first part counts.
      outcomes.forEach((outcome, index) => {
        const entry = batch[index];
        if (entry.type === "object" || !entry.append) result[outcome] += 1;
      });
      batch = [];
      onProgress?.(result.restored + result.expired + result.locked);
    };
    let restoredHash = "";
    for await (const entry of readDump(dump, maxValueBytes, (hex) => (restoredHash = hex))) {
      batch.push(entry);
      if (batch.length >= RESTORE_BATCH) await flush();
    }
    if (batch.length > 0) await flush();
    if (restoredHash !== checked)
      throw changed(path, "during the restore; the entries read before the change were written");
    return result;
  } finally {
    await dump.close();
  }
}

function changed(path: string, when: string): CacheError {
  return new CacheError(CacheErrorCodes.INVALID_DUMP, `${path} changed ${when}`);
}
