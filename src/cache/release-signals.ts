import { timerDelay } from "./timers";
import type { UnlockSignal } from "./types/store";

class Registration implements UnlockSignal {
  private released = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly onCancel: (registration: Registration) => void,
    private readonly capWait: (timeoutMs: number) => number,
  ) {}

  release(): void {
    this.released = true;
    this.wake?.();
  }

  wait(timeoutMs: number): Promise<void> {
    if (this.released) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, timerDelay(this.capWait(timeoutMs)));
      this.wake = done;
    });
  }

  cancel(): void {
    this.wake?.();
    this.onCancel(this);
  }
}

/**
 * Waiters for lock releases, by key. A store calls `released(key)` when a lock goes away (in process, or on a
 * pub/sub message); every registration for that key wakes, including one whose owner has not started waiting yet.
 */
export class ReleaseSignals {
  private readonly waiters = new Map<string, Set<Registration>>();

  /** `capWait` bounds each wait, e.g. to re-check when a lock expires, since expiry publishes nothing. */
  listen(key: string, capWait: (timeoutMs: number) => number): UnlockSignal {
    let registrations = this.waiters.get(key);
    if (!registrations) this.waiters.set(key, (registrations = new Set()));
    const registration: Registration = new Registration((done) => {
      const set = this.waiters.get(key);
      set?.delete(done);
      if (set?.size === 0) this.waiters.delete(key);
    }, capWait);
    registrations.add(registration);
    return registration;
  }

  released(key: string): void {
    const registrations = this.waiters.get(key);
    if (registrations) for (const registration of registrations) registration.release();
  }

  /** Wakes everyone, e.g. when the store closes. */
  releaseAll(): void {
    for (const registrations of this.waiters.values()) for (const registration of registrations) registration.release();
  }

  get waiting(): number {
    let count = 0;
    for (const registrations of this.waiters.values()) count += registrations.size;
    return count;
  }
}
