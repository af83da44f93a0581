/** Output helpers of the plugin's CLI commands: results go to stdout, progress to stderr. */

/** One line per key: keys with control characters (a newline would split the line) are printed as JSON strings. */
export function printableKey(key: string): string {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f]/.test(key) ? JSON.stringify(key) : key;
}

export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): boolean;
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
