/**
 * One capture on disk: every entry appended as one JSON line before anything else happens to it.
 *
 * Events are stored as the server's own JSON text, so the file is NDJSON of raw events; the app's
 * own entries (stream start, reconnect, gap, stop) are lines of the form `{"_eventDesk":{…}}`.
 * Writes are batched (no per-event fsync): a crash loses at most the last unflushed batch, and a
 * torn last line is ignored (and reported) on reopen.
 */
import { promises as fs, createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

/** An entry the app itself records in a capture. */
export interface StatusEntry {
  kind: 'stream-start' | 'reconnect' | 'gap' | 'stopped' | 'warning' | 'retention';
  time: string;
  message: string;
  /** Gap window (RFC 3339). */
  from?: string;
  to?: string;
  /** Server-confirmed names filter from `events.stream.start`. */
  filter?: string[];
}

export const STATUS_KEY = '_eventDesk';

export interface ReopenReport {
  lines: number;
  /** Bytes of a torn last line that were cut off, if any. */
  tornBytes: number;
}

export class CaptureFile {
  #handle: FileHandle;
  #pending: string[] = [];
  #pendingBytes = 0;
  #size: number;
  #writing: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #failed: Error | undefined;

  private constructor(readonly path: string, handle: FileHandle, size: number, private readonly flushMs: number, private readonly onError: (e: Error) => void) {
    this.#handle = handle;
    this.#size = size;
  }

  /** Open (or create) a capture file; a torn last line from a crash is cut off and reported. */
  static async open(
    path: string,
    options: { flushMs?: number; onError?: (e: Error) => void; onLine?: (line: string, offset: number) => void } = {},
  ): Promise<{ file: CaptureFile; report: ReopenReport }> {
    let size = 0;
    let lines = 0;
    let tornBytes = 0;
    try {
      const stat = await fs.stat(path);
      size = stat.size;
    } catch {
      /* a new capture */
    }
    if (size > 0) {
      const complete = await scanLines(path, (line, offset) => {
        lines++;
        options.onLine?.(line, offset);
      });
      tornBytes = size - complete;
      if (tornBytes > 0) {
        await fs.truncate(path, complete);
        size = complete;
      }
    }
    const handle = await fs.open(path, 'a');
    const file = new CaptureFile(path, handle, size, options.flushMs ?? 50, options.onError ?? (() => {}));
    return { file, report: { lines, tornBytes } };
  }

  /** Bytes written or queued so far: the offset the next line starts at. */
  get size(): number {
    return this.#size + this.#pendingBytes;
  }

  /** Queue one line (without its newline); returns its offset and byte length. */
  append(line: string): { offset: number; length: number } {
    if (this.#failed) throw this.#failed;
    const text = `${line}\n`;
    const length = Buffer.byteLength(text);
    const offset = this.size;
    this.#pending.push(text);
    this.#pendingBytes += length;
    if (this.#pendingBytes >= 1024 * 1024) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), this.flushMs);
    return { offset, length };
  }

  /** Write everything queued. Resolves when it is in the OS (no fsync: see the class comment). */
  flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#pending.length === 0) return this.#writing;
    const data = this.#pending.join('');
    const bytes = this.#pendingBytes;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#size += bytes;
    this.#writing = this.#writing.then(async () => {
      if (this.#failed) return;
      try {
        await this.#handle.write(data);
      } catch (e) {
        this.#failed = e as Error;
        this.onError(e as Error);
      }
    });
    return this.#writing;
  }

  /** Read one line back by its offset and length. */
  async read(offset: number, length: number): Promise<string> {
    if (offset + length > this.#size) await this.flush();
    await this.#writing;
    const buf = Buffer.alloc(length);
    const reader = await fs.open(this.path, 'r');
    try {
      await reader.read(buf, 0, length, offset);
    } finally {
      await reader.close();
    }
    return buf.toString('utf8').replace(/\n$/, '');
  }

  async close(): Promise<void> {
    await this.flush();
    await this.#handle.close();
  }
}

/** Call `onLine` for every complete line; returns the byte length of the complete part. */
async function scanLines(path: string, onLine: (line: string, offset: number) => void): Promise<number> {
  let offset = 0;
  let carry: Buffer | undefined;
  for await (const chunk of createReadStream(path)) {
    let buf = chunk as Buffer;
    if (carry) buf = Buffer.concat([carry, buf]);
    let start = 0;
    let nl = buf.indexOf(0x0a, start);
    while (nl >= 0) {
      if (nl > start) onLine(buf.toString('utf8', start, nl), offset + start);
      start = nl + 1;
      nl = buf.indexOf(0x0a, start);
    }
    offset += start;
    carry = start < buf.length ? buf.subarray(start) : undefined;
  }
  return offset;
}
