/**
 * Output helpers of the plugin's CLI commands: results go to stdout; everything else (the plugin's start-up notes,
 * warnings, progress, counts) goes to stderr, as plain text, so `actionhero cache-keys > keys.txt` holds only keys.
 */
import { printStartupNotes } from "./startup-notes";

export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): boolean;
}

export const IN_MEMORY_CLI_WARNING =
  "warning: ah-cache-plugin: this command runs in a process of its own on the in-memory store (config.redis.fake), " +
  "so it sees only that process's empty cache, never a running server's";

/** What every command prints on stderr before its own output. */
export function beginCommand(cache: { kind: string }, stderr: ProgressStream = process.stderr): void {
  printStartupNotes(stderr);
  if (cache.kind === "memory") stderr.write(`${IN_MEMORY_CLI_WARNING}\n`);
}

/** One line per key: keys with control characters (a newline would split the line) are printed as JSON strings. */
export function printableKey(key: string): string {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f]/.test(key) ? JSON.stringify(key) : key;
}

const PROGRESS_INTERVAL_MS = 200;

/**
 * A progress line for long dumps and restores, rewritten in place at most every PROGRESS_INTERVAL_MS, only when
 * `stream` is a terminal: redirected or piped stderr stays free of carriage-return noise.
 */
export function progressReporter(
  stream: ProgressStream,
  verb: string,
): { onProgress?: (entries: number) => void; done(entries: number): void } {
  if (!stream.isTTY) return { done: () => undefined };
  let lastWrite = 0;
  return {
    onProgress: (entries) => {
      const now = Date.now();
      if (now - lastWrite < PROGRESS_INTERVAL_MS) return;
      lastWrite = now;
      stream.write(`\r${verb} ${entries} entries…`);
    },
    done: (entries) => {
      stream.write(`\r${verb} ${entries} entries, done.\n`);
    },
  };
}
