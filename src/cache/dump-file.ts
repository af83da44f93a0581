import { createHash } from "crypto";
import * as fs from "fs";
import { CacheError, CacheErrorCodes } from "./errors";

/** Room on a dump line beyond the value itself: the key (up to 4096 characters, JSON-escaped), field names, timestamps. */
export const ENTRY_OVERHEAD_BYTES = 64 * 1024;
const CHUNK_BYTES = 64 * 1024;
const NEWLINE = 0x0a;

export interface DumpLine {
  text: string;
  number: number;
}

function invalid(message: string, cause?: unknown): CacheError {
  return new CacheError(CacheErrorCodes.INVALID_DUMP, message, cause === undefined ? {} : { cause });
}

/**
 * A dump file opened for reading, once, so both passes of a restore read the same file. Only regular files are
 * opened (a FIFO, a device or a directory could block, never end, or not be a dump at all), lines are read with
 * bounded memory, and every pass hashes what it read so a file that changed between passes is detected.
 * Messages name the file and the line, never what the file holds.
 */
export class DumpFile {
  private constructor(
    readonly path: string,
    private readonly handle: fs.promises.FileHandle,
    private readonly opened: fs.Stats,
  ) {}

  static async open(path: string): Promise<DumpFile> {
    let stat: fs.Stats;
    try {
      stat = await fs.promises.stat(path);
    } catch (error) {
      throw invalid(`cannot read the dump file ${path} (${(error as NodeJS.ErrnoException).code ?? "error"})`, error);
    }
    if (!stat.isFile())
      throw invalid(`${path} is not a regular file (a directory, FIFO or device); a dump is a regular file`);
    let handle: fs.promises.FileHandle;
    try {
      // O_NONBLOCK: should the path have been swapped for a FIFO since the stat, opening it still returns at once.
      handle = await fs.promises.open(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    } catch (error) {
      throw invalid(`cannot read the dump file ${path} (${(error as NodeJS.ErrnoException).code ?? "error"})`, error);
    }
    const opened = await handle.stat();
    if (!opened.isFile() || opened.ino !== stat.ino) {
      await handle.close();
      throw invalid(`${path} changed while it was being opened; a dump is a regular file`);
    }
    return new DumpFile(path, handle, opened);
  }

  /**
   * The file's lines from its start, each decoded as UTF-8 without its line break. A line longer than
   * `maxLineBytes` is refused as soon as that many bytes have been read, so memory stays bounded whatever the
   * file holds. `digest` receives the SHA-256 of every byte read once the last line has been read.
   */
  async *lines(maxLineBytes: number, digest: (hex: string) => void): AsyncIterable<DumpLine> {
    const hash = createHash("sha256");
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let number = 0;
    const tooLong = () =>
      invalid(
        `${this.path} line ${number + 1}: the line is longer than ${maxLineBytes} bytes (maxValueBytes plus entry overhead)`,
      );
    const take = (piece: Buffer): string => {
      const bytes = pending.length === 0 ? piece : Buffer.concat([...pending, piece]);
      pending = [];
      pendingBytes = 0;
      number += 1;
      const text = bytes.toString("utf8");
      return text.endsWith("\r") ? text.slice(0, -1) : text;
    };
    for (let position = 0; ;) {
      const { bytesRead } = await this.handle.read(buffer, 0, CHUNK_BYTES, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      hash.update(buffer.subarray(0, bytesRead));
      let start = 0;
      for (
        let end = buffer.indexOf(NEWLINE, start);
        end >= 0 && end < bytesRead;
        end = buffer.indexOf(NEWLINE, start)
      ) {
        if (pendingBytes + end - start > maxLineBytes) throw tooLong();
        const text = take(buffer.subarray(start, end));
        start = end + 1;
        yield { text, number };
      }
      if (pendingBytes + bytesRead - start > maxLineBytes) throw tooLong();
      if (start < bytesRead) {
        pending.push(Buffer.from(buffer.subarray(start, bytesRead)));
        pendingBytes += bytesRead - start;
      }
    }
    if (pendingBytes > 0) {
      const text = take(Buffer.alloc(0));
      yield { text, number };
    }
    digest(hash.digest("hex"));
  }

  /** True while the file has the size and modification time it had when it was opened. */
  async unchanged(): Promise<boolean> {
    const now = await this.handle.stat();
    return now.size === this.opened.size && now.mtimeMs === this.opened.mtimeMs && now.ctimeMs === this.opened.ctimeMs;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}
