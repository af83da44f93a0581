/** The longest delay Node's timers take: a longer one fires after 1 ms (with a TimeoutOverflowWarning). */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * `ms` as a timer delay: TTLs and budgets go up to 100 years, and a third of a 75-day lock TTL already overflows,
 * which would extend a lock every millisecond. Capped, a long wait ends or a long lock is extended after 24.8 days.
 */
export function timerDelay(ms: number): number {
  return Math.min(Math.max(0, ms), MAX_TIMER_MS);
}
