import { CacheError, CacheErrorCodes } from "./errors";
import { timerDelay } from "./timers";
import type { CacheStore } from "./types/store";

export interface LockContext {
  /** Aborts when the lock is lost while `fn` runs: an extend found it gone, or the store failed. */
  signal: AbortSignal;
  /** This acquisition's fencing token: strictly larger than every earlier acquisition's of this key. */
  token: number;
}

export interface HeldLock {
  store: CacheStore;
  /** Where a hold whose signal aborted is kept until `fn` settles: guarded writes of its key are refused. */
  lostHolds: LostHolds;
  key: string;
  owner: string;
  /** The lock's TTL in ms; it is extended every third of it while `fn` runs. */
  ttl: number;
  /** The acquisition's fencing token: extends and the release touch this acquisition only. */
  token: number;
}

/**
 * The keys of this process's holds whose signal aborted while `fn` still runs, per owner. Until `fn` settles, a
 * guarded write (`requireLock`) of such a key by that owner is refused here, before it is sent: Redis's owner check
 * would let it through if the connection came back before the lock expired, and the body was told it lost the lock.
 */
export class LostHolds {
  private readonly counts = new Map<string, number>();

  /** Keeps `key` lost for `owner` until the returned function is called. */
  add(owner: string, key: string): () => void {
    const id = JSON.stringify([owner, key]);
    this.counts.set(id, (this.counts.get(id) ?? 0) + 1);
    return () => {
      const left = (this.counts.get(id) ?? 1) - 1;
      if (left > 0) this.counts.set(id, left);
      else this.counts.delete(id);
    };
  }

  has(owner: string, key: string): boolean {
    return this.counts.size > 0 && this.counts.has(JSON.stringify([owner, key]));
  }
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
  let lostUntilSettled: (() => void) | undefined;
  const lose = (reason: unknown) => {
    if (settled || controller.signal.aborted) return;
    clearTimeout(timer);
    lostUntilSettled = lock.lostHolds.add(owner, key);
    controller.abort(reason);
  };

  const extendOnce = async () => {
    try {
      const held = await store.extend(key, owner, ttl, token);
      if (settled) return;
      if (held) return schedule();
      lose(new CacheError(CacheErrorCodes.LOCK_LOST, `the lock on ${JSON.stringify(key)} was lost`, { key }));
    } catch (error) {
      lose(error);
    }
  };
  const schedule = () => {
    if (controller.signal.aborted) return;
    timer = setTimeout(
      () => {
        extending = extendOnce();
      },
      timerDelay(Math.max(1, Math.floor(ttl / 3))),
    );
  };

  // A closed or stalled connection is heard at once, not at the next extend (a third of the TTL later).
  const stopWatching = store.watchConnection(lose);
  schedule();
  try {
    return await fn({ signal: controller.signal, token });
  } finally {
    settled = true;
    stopWatching();
    clearTimeout(timer);
    await extending;
    await store.unlock(key, owner, token).catch(() => false);
    lostUntilSettled?.();
  }
}
