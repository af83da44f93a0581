import { log } from "actionhero";

/** What the plugin has to say about its start: the options in effect, and anything an operator must know. */
export interface StartupNote {
  level: "info" | "notice" | "warning" | "error";
  message: string;
}

let pending: StartupNote[] = [];

export function addStartupNote(level: StartupNote["level"], message: string): void {
  pending.push({ level, message: `ah-cache-plugin: ${message}` });
}

function take(): StartupNote[] {
  const notes = pending;
  pending = [];
  return notes;
}

/**
 * A server logs the notes when it starts. They wait until then because a CLI command initializes actionhero
 * without starting it, and actionhero's console logger writes to stdout, where the command's results go.
 */
export function logStartupNotes(): void {
  for (const note of take()) log(note.message, note.level);
}

/** CLI commands print the notes on stderr, as plain text: stdout carries only the command's results. */
export function printStartupNotes(stream: { write(text: string): boolean } = process.stderr): void {
  for (const note of take()) stream.write(`${note.level === "info" ? "" : `${note.level}: `}${note.message}\n`);
}

/** A start-up failure as one line, no stack: actionhero prints it in full, and this one has nothing to trace. */
export function startupFailure(message: string): Error {
  const error = new Error(message);
  error.stack = `Error: ${message}`;
  return error;
}
