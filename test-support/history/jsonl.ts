import * as fs from "fs";
import { type Op, toOp } from "./history";

/**
 * JSON Lines: one record per line, so a run can append as it goes and a failing run's file stays readable.
 * Infinity is not JSON: a field holding it is left out, which for effectBy means the same thing.
 */
export function formatJsonLines(records: readonly object[]): string {
  return records.map((record) => JSON.stringify(record, withoutInfinity) + "\n").join("");
}

function withoutInfinity(_field: string, value: unknown): unknown {
  return value === Infinity ? undefined : value;
}

/** Parses every non-empty line with `toRecord`; an error names the line. */
export function parseJsonLines<T>(text: string, toRecord: (raw: unknown) => T): T[] {
  const records: T[] = [];
  text.split("\n").forEach((line, index) => {
    if (line.trim() === "") return;
    try {
      records.push(toRecord(JSON.parse(line)));
    } catch (error) {
      throw new Error(`line ${index + 1}: ${(error as Error).message}`, { cause: error });
    }
  });
  return records;
}

/** Parses a history and checks that ids are unique: checkers and witnesses name operations by id. */
export function parseHistory(text: string): Op[] {
  const ops = parseJsonLines(text, toOp);
  const seen = new Set<number>();
  for (const op of ops) {
    if (seen.has(op.id)) throw new Error(`operation id ${op.id} appears twice`);
    seen.add(op.id);
  }
  return ops;
}

export function writeJsonLinesFile(file: string, records: readonly object[]): void {
  fs.writeFileSync(file, formatJsonLines(records));
}

export function readHistoryFile(file: string): Op[] {
  return parseHistory(fs.readFileSync(file, "utf8"));
}
