import type { ChangeListener } from "./types/store";

/**
 * A store's change feed, fanned out to every listener (each Cache with a near cache on that store). The store says
 * what changed and whether the feed is live; a listener added later is told the current state at once.
 */
export class ChangeFeed {
  private readonly listeners = new Set<ChangeListener>();
  private isLive = false;

  add(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    if (this.isLive) listener.live();
    return () => this.listeners.delete(listener);
  }

  changed(key: string): void {
    for (const listener of this.listeners) listener.changed(key);
  }

  changedAll(): void {
    for (const listener of this.listeners) listener.changedAll();
  }

  /** `since`: when every change was last known to be heard, on the store's clock (default: now). */
  lost(since?: number): void {
    if (!this.isLive) return;
    this.isLive = false;
    for (const listener of this.listeners) listener.lost(since);
  }

  live(): void {
    if (this.isLive) return;
    this.isLive = true;
    for (const listener of this.listeners) listener.live();
  }
}
