import type { CacheStore } from "./types/store";

/**
 * Repeats `operation` while it reports a lock and the retry budget lasts. The first try registers nothing, so a
 * call that need not wait never needs the store's release listener. After that, each round registers for the
 * lock's release before checking, so a release between the check and the wait still wakes it. `onWait` is called
 * before each wait.
 */
export async function whileLocked<R>(
  store: CacheStore,
  key: string,
  budgetMs: number,
  operation: () => Promise<R>,
  isLocked: (result: R) => boolean,
  onWait: () => void,
): Promise<R> {
  const deadline = Date.now() + budgetMs;
  const first = await operation();
  if (budgetMs <= 0 || !isLocked(first)) return first;
  for (;;) {
    const release = await store.listenForUnlock(key);
    try {
      const result = await operation();
      const remaining = deadline - Date.now();
      if (!isLocked(result) || remaining <= 0) return result;
      onWait();
      await release.wait(remaining);
    } finally {
      release.cancel();
    }
  }
}
