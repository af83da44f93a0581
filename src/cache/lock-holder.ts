import { CacheError, CacheErrorCodes } from "./errors";
import type { CacheStore } from "./types/store";

export interface LockContext {
  /** Aborts when the lock is lost while `fn` runs: an extend found it gone, or the store failed. */
  signal: AbortSignal;
  /** This acquisition's fencing token: strictly larger than every earlier acquisition's of this key. */
  token: number;
}

export interface HeldLock {
  store: CacheStore;
  key: string;
  owner: string;
  /** The lock's TTL in ms; it is extended every third of it while `fn` runs. */
  ttl: number;
  /** The acquisition's fencing token: extends and the release touch this acquisition only. */
  token: number;
}

/**
 * Runs `fn` under a lock already taken: extends it every third of its TTL, and always releases it afterwards.
 * Extends and the release name the acquisition's token, so a lock that expired and was taken again by another
 * request of the same server is neither extended nor released by this one. Once `fn` settles, no extend is
 * scheduled again, and one that is in flight is awaited before the release: nothing of this hold outlives it.
 */
export async function holdLock<T>(lock: HeldLock, fn: (context: LockContext) => T | Promise<T>): Promise<T> {
  const { store, key, owner, ttl, token } = lock;
  const controller = new AbortController();
  let settled = false;
  let timer: NodeJS.Timeout | undefined;
  let extending: Promise<void> | undefined;

  const extendOnce = async () => {
    try {
      const held = await store.extend(key, owner, ttl, token);
      if (settled) return;
      if (held) return schedule();
      controller.abort(
        new CacheError(CacheErrorCodes.LOCK_LOST, `the lock on ${JSON.stringify(key)} was lost`, { key }),
      );
    } catch (error) {
      if (!settled) controller.abort(error);
    }
  };
  const schedule = () => {
    timer = setTimeout(
      () => {
        extending = extendOnce();
      },
      Math.max(1, Math.floor(ttl / 3)),
    );
  };

  schedule();
  try {
    return await fn({ signal: controller.signal, token });
  } finally {
    settled = true;
    clearTimeout(timer);
    await extending;
    await store.unlock(key, owner, token).catch(() => false);
  }
}
