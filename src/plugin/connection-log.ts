import { log as actionheroLog } from "actionhero";

/** Where the lines go: actionhero's log unless a test gives its own. */
export type ConnectionLogLine = (message: string, level: "info" | "warning") => void;

export interface ConnectionLogOptions {
  log?: ConnectionLogLine;
  /** The clock that spaces the reminders; Date.now unless a test gives its own. */
  now?: () => number;
}

/** The shortest time between two lines about one outage. */
export const OUTAGE_REMINDER_MS = 60_000;

interface Outage {
  since: number;
  /** When the last line about it was logged, and the failures seen since then. */
  reportedAt: number;
  failuresSinceReport: number;
  failures: number;
}

interface ConnectionEvents {
  on(event: "error", listener: (error: Error) => void): unknown;
  on(event: "ready", listener: () => void): unknown;
}

/**
 * Logs a connection's outages rather than its retries. ioredis emits "error" on every failed reconnect, about once a
 * second on one Redis and 4–8 times a second on a Cluster, which buried everything else in the log, and said nothing
 * when it was back. Now: one warning when the connection fails, a reminder with the count at most once a minute
 * while it stays down, one info line when it is ready again.
 */
export function logConnectionState(
  client: ConnectionEvents,
  endpoint: string,
  options: ConnectionLogOptions = {},
): void {
  const log = options.log ?? ((message, level) => actionheroLog(message, level));
  const now = options.now ?? Date.now;
  let outage: Outage | undefined;
  let wasReady = false;

  client.on("error", (error: Error) => {
    const at = now();
    if (!outage) {
      outage = { since: at, reportedAt: at, failuresSinceReport: 0, failures: 1 };
      const what = wasReady ? "lost the connection to" : "cannot connect to";
      log(
        `ah-cache-plugin: ${what} Redis at ${endpoint}: ${error.message}; api.cache answers UNAVAILABLE until it is ` +
          "back (further failures are counted, and logged at most once a minute)",
        "warning",
      );
      return;
    }
    outage.failures += 1;
    outage.failuresSinceReport += 1;
    if (at - outage.reportedAt < OUTAGE_REMINDER_MS) return;
    log(
      `ah-cache-plugin: Redis at ${endpoint} still unreachable: ${attempts(outage.failuresSinceReport)} in the last ` +
        `${seconds(at - outage.reportedAt)} s (last error: ${error.message})`,
      "warning",
    );
    outage.reportedAt = at;
    outage.failuresSinceReport = 0;
  });

  client.on("ready", () => {
    if (outage) {
      log(
        `ah-cache-plugin: Redis at ${endpoint} is reachable again, after ${seconds(now() - outage.since)} s and ` +
          attempts(outage.failures),
        "info",
      );
    }
    outage = undefined;
    wasReady = true;
  });
}

function attempts(count: number): string {
  return `${count} failed attempt${count === 1 ? "" : "s"}`;
}

function seconds(ms: number): number {
  return Math.round(ms / 1000);
}
