import { timerDelay } from "./timers";

/**
 * This process's lock waiters, in line per key. Only the waiter at the head of a key's line talks to the store
 * (tries, listens for the release, re-checks); the others wait for their turn. So a release wakes one waiter per
 * process instead of all of them, and a thousand waiters cost Redis what one does.
 */
export class WaitingRoom {
  private readonly lines = new Map<string, Array<{ wake(): void }>>();

  /**
   * Waits up to `budgetMs` for this caller's turn at `key`, then runs `turn` with the budget that is left, and hands
   * the turn on when it settles. Resolves `timedOut` if the turn never came within the budget.
   */
  async take<T>(key: string, budgetMs: number, turn: (remainingMs: number) => Promise<T>, timedOut: T): Promise<T> {
    const deadline = Date.now() + budgetMs;
    let line = this.lines.get(key);
    if (!line) this.lines.set(key, (line = []));
    const place = { wake: () => undefined as void };
    line.push(place);
    try {
      if (line[0] !== place && !(await turnComes(place, budgetMs))) return timedOut;
      return await turn(Math.max(0, deadline - Date.now()));
    } finally {
      const index = line.indexOf(place);
      line.splice(index, 1);
      if (line.length === 0) this.lines.delete(key);
      else if (index === 0) line[0].wake();
    }
  }
}

function turnComes(place: { wake(): void }, budgetMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timerDelay(budgetMs));
    place.wake = () => {
      clearTimeout(timer);
      resolve(true);
    };
  });
}
