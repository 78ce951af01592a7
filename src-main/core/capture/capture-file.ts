/**
 * One capture on disk: every entry appended as one JSON line before anything else happens to it.
 *
 * Events are stored as the server's own JSON text, so the file is NDJSON of raw events; the app's
 * own entries (stream start, reconnect, gap, stop) are lines of the form `{"_eventDesk":{…}}`.
 * Writes are batched (no per-event fsync): a crash loses at most the last unflushed batch, and a
 * torn last line is ignored (and reported) on reopen.
 */
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { LineAssembler } from '../stream/line-assembler.js';
import { writevAll } from '../storage/writev-all.js';
import { fileChunks } from '../storage/file-chunks.js';

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

/** Queued bytes that start a write at once (otherwise a timer writes them after `flushMs`). */
const FLUSH_BYTES = 1024 * 1024;
/** Room for one batch and the longest line that can still join it. */
const BATCH_BUFFER = 2 * FLUSH_BYTES;

const EMPTY = Buffer.alloc(0);

export interface ReopenReport {
  lines: number;
  /** Bytes of a torn last line that were cut off, if any. */
  tornBytes: number;
}

export class CaptureFile {
  #handle: FileHandle;
  /**
   * Lines queued since the last write, encoded once straight into one buffer (an array of strings joined
   * and encoded at flush cost a fifth of the client's CPU at full speed).
   */
  #pending: Buffer = Buffer.allocUnsafe(BATCH_BUFFER);
  #pendingBytes = 0;
  /** Batch buffers whose writes have completed, reused for the next batches (no copy, no fresh pages per flush). */
  #spares: Buffer[] = [];
  /** Bytes handed to writes that have not completed, and who waits for them to drop (back-pressure). */
  #inFlight = 0;
  #waiters: { limit: number; resolve: () => void }[] = [];
  #size: number;
  /** Batches flushed and not yet handed to a write, oldest first. */
  #queued: { full: Buffer; bytes: number }[] = [];
  #writerRunning = false;
  /** File size written so far (`#size` less what is queued or being written), and who waits for it. */
  #written: number;
  #flushWaiters: { upTo: number; resolve: () => void }[] = [];
  #timer: NodeJS.Timeout | undefined;
  #failed: Error | undefined;

  private constructor(
    readonly path: string,
    handle: FileHandle,
    size: number,
    private readonly flushMs: number,
    private readonly onError: (e: Error) => void,
  ) {
    this.#handle = handle;
    this.#size = size;
    this.#written = size;
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
      const scan = await scanLines(path, (line, offset) => {
        lines++;
        options.onLine?.(line, offset);
      });
      if (scan.rest !== undefined && isCompleteObject(scan.rest)) {
        // A whole object that only lost its newline (#13, failure 9): keep it, and end its line so the
        // next append starts a line of its own.
        await fs.appendFile(path, '\n');
        lines++;
        options.onLine?.(scan.rest, scan.complete);
        size += 1;
      } else {
        tornBytes = size - scan.complete;
        if (tornBytes > 0) {
          await fs.truncate(path, scan.complete);
          size = scan.complete;
        }
      }
    }
    // Captures hold what servers said about devices and networks: private to the user like every other file (#13).
    const handle = await fs.open(path, 'a', 0o600);
    const file = new CaptureFile(path, handle, size, options.flushMs ?? 50, options.onError ?? (() => {}));
    return { file, report: { lines, tornBytes } };
  }

  /** Bytes written or queued so far: the offset the next line starts at. */
  get size(): number {
    return this.#size + this.#pendingBytes;
  }

  /**
   * Queue one line (without its newline), as text or as the UTF-8 bytes it arrived in (copied as they
   * are); returns its offset and byte length.
   */
  append(line: string | Uint8Array): { offset: number; length: number } {
    if (this.#failed) throw this.#failed;
    const offset = this.size;
    // UTF-8 takes at most 3 bytes per UTF-16 unit: a line that may not fit goes after what is queued.
    const most = (typeof line === 'string' ? line.length * 3 : line.length) + 1;
    if (most > this.#pending.length - this.#pendingBytes) {
      if (this.#pendingBytes > 0) void this.flush();
      if (most > this.#pending.length) this.#pending = Buffer.allocUnsafe(Math.max(BATCH_BUFFER, most));
    }
    let written: number;
    if (typeof line === 'string') written = this.#pending.write(line, this.#pendingBytes, 'utf8');
    else {
      this.#pending.set(line, this.#pendingBytes);
      written = line.length;
    }
    this.#pending[this.#pendingBytes + written] = 0x0a;
    const length = written + 1;
    this.#pendingBytes += length;
    if (this.#pendingBytes >= FLUSH_BYTES) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), this.flushMs);
    return { offset, length };
  }

  /** Write everything queued. Resolves when it is in the OS (no fsync: see the class comment). */
  flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#pendingBytes > 0) {
      const bytes = this.#pendingBytes;
      // The write takes the batch buffer itself and appending goes on in a spare one; the buffer comes back
      // as a spare once written. A copy per flush (1 MB into freshly allocated pages) cost ~4 % of ingest.
      this.#queued.push({ full: this.#pending, bytes });
      this.#pending = this.#spares.pop() ?? Buffer.allocUnsafe(BATCH_BUFFER);
      this.#pendingBytes = 0;
      this.#size += bytes;
      this.#inFlight += bytes;
      if (!this.#writerRunning) void this.#writer();
    }
    const upTo = this.#size;
    if (this.#written >= upTo || this.#failed) return Promise.resolve();
    return new Promise((resolve) => this.#flushWaiters.push({ upTo, resolve }));
  }

  /**
   * Writes what is queued, all of it in one `writev` per round. One write per batch, each started only
   * once the previous one's completion reached this thread, wrote about one batch per turn of the event
   * loop: at full speed a turn is tens of milliseconds of socket reading, so the disk fell behind, reading
   * paused, and pushes waited ~100 ms for their lines (#14).
   */
  async #writer(): Promise<void> {
    this.#writerRunning = true;
    try {
      while (this.#queued.length > 0) {
        const round = this.#queued;
        this.#queued = [];
        let bytes = 0;
        for (const b of round) bytes += b.bytes;
        // After a failed write nothing more is written, but waiters are still let go (the stream is stopped).
        if (!this.#failed)
          try {
            await writevAll(
              this.#handle,
              round.map((b) => b.full.subarray(0, b.bytes)),
            );
          } catch (e) {
            this.#failed = e as Error;
            this.onError(e as Error);
          }
        // Only the usual size is kept (a buffer grown for one huge line is let go), and none once released.
        for (const { full } of round)
          if (full.length === BATCH_BUFFER && this.#pending !== EMPTY && this.#spares.length < 2)
            this.#spares.push(full);
        this.#inFlight -= bytes;
        this.#written += bytes;
        if (this.#waiters.length > 0)
          this.#waiters = this.#waiters.filter((w) => w.limit < this.#inFlight || void w.resolve());
        if (this.#flushWaiters.length > 0)
          this.#flushWaiters = this.#flushWaiters.filter(
            (w) => (w.upTo > this.#written && !this.#failed) || void w.resolve(),
          );
      }
    } finally {
      this.#writerRunning = false;
    }
  }

  /** Bytes appended and not yet written to the OS. */
  get backlog(): number {
    return this.#inFlight + this.#pendingBytes;
  }

  /**
   * Resolves once at most `limit` bytes are still being written (what is queued is sent now). Ingest waits
   * for part of its backlog, not all of it, so reading goes on while the rest is written.
   */
  drained(limit: number): Promise<void> {
    void this.flush();
    if (this.#inFlight <= limit) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ limit, resolve }));
  }

  /**
   * Nothing more will be appended for a while (a sealed segment): write what is queued and give back the
   * batch buffer (2 MB per file, kept by every retained segment, was ~2 B per event at 1M events per
   * segment). An append after all allocates it again.
   */
  release(): Promise<void> {
    const done = this.flush();
    this.#pending = EMPTY;
    this.#spares = [];
    return done;
  }

  /** Read one line back by its offset and length. */
  async read(offset: number, length: number): Promise<string> {
    if (offset + length > this.#written) await this.flush();
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

/**
 * Call `onLine` for every complete line, in time linear in the file (#13, failure 2). Returns the byte
 * length of the complete part and the text after the last newline, if any.
 */
async function scanLines(
  path: string,
  onLine: (line: string, offset: number) => void,
): Promise<{ complete: number; rest: string | undefined }> {
  const lines = new LineAssembler(
    {
      line: (bytes, offset) => {
        if (bytes.length > 0) onLine(bytes.toString('utf8'), offset);
      },
      // Nothing this app writes is that long: such a line is kept in the file but not indexed.
      tooLong: () => {},
    },
    { chunksReused: true },
  );
  // Two reused read buffers, not a fresh one per read (see fileChunks): the assembler copies unfinished lines.
  for await (const chunk of fileChunks(path)) lines.push(chunk);
  const complete = lines.completeBytes;
  const rest = lines.end();
  return { complete, rest: rest?.toString('utf8') };
}

/** A last line that is a whole JSON object, as opposed to one torn in the middle by a crash. */
function isCompleteObject(text: string): boolean {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}
