/**
 * The byte path of an export: stored lines go to the file as bytes, never as strings or objects.
 *
 * - Lines exported as stored (NDJSON or a bundle without redaction) are not copied at all: a run of
 *   lines that lie one after another in the window read from the capture file is written from that
 *   window as one piece (with `writev`), newlines included.
 * - Redacted lines and the JSON array's separators are written into one of two buffers that take
 *   turns: one is being written while the next is filled (a fresh buffer per write cost page faults
 *   and GC).
 * - One write is in flight while the next batch is produced, so the disk and the CPU work at once.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { ByteSink } from './redact-line.js';
import type { LineRun } from './stored-lines.js';
import { writevAll } from '../storage/writev-all.js';

/** Bytes gathered before a write. */
const BATCH = 4 * 1024 * 1024;
/** Pieces per `writev` at most (the OS takes 1,024 buffers per call). */
const MAX_PIECES = 1024;
const NEWLINE = Buffer.from('\n');

/** A file written in large writes, one in flight at a time. */
export class ExportFile {
  #inflight: Promise<void> = Promise.resolve();
  #bytes = 0;

  private constructor(private readonly handle: FileHandle) {}

  static async create(file: string): Promise<ExportFile> {
    return new ExportFile(await open(file, 'w', 0o600));
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Start writing `pieces` once the previous write is done (its error, if any, is thrown here). */
  async write(pieces: Buffer[]): Promise<void> {
    await this.#inflight;
    const p = this.#writeAll(pieces);
    // Handled when awaited by the next write or `close`; this branch only keeps it from being "unhandled".
    p.catch(() => undefined);
    this.#inflight = p;
  }

  async #writeAll(pieces: Buffer[]): Promise<void> {
    this.#bytes += pieces.reduce((n, b) => n + b.length, 0);
    await writevAll(this.handle, pieces);
  }

  /** Wait for the last write and close; throws what a write failed with. */
  async close(): Promise<void> {
    try {
      await this.#inflight;
    } finally {
      await this.handle.close();
    }
  }

  /** Close after a failure, ignoring what is still in flight. */
  async abort(): Promise<void> {
    await this.#inflight.catch(() => undefined);
    await this.handle.close().catch(() => undefined);
  }
}

export interface LinePlan {
  format: 'json' | 'ndjson' | 'bundle';
  /** Redacts an event line into `into`; false when it cannot read the line (then `slowLine` does). */
  redactLine?: (line: Buffer, into: ByteSink) => boolean;
  /** The text of a status line, or of an event line the byte redactor could not read. */
  slowLine: (line: Buffer, status: boolean) => string;
  cancelled: () => boolean;
  /** Called after each write is started. */
  progress: (done: number) => void;
}

/**
 * Write every line `lines` reads to `out` as `plan` says; returns how many entries were written. Lines
 * copied into the write buffers are read `transient`ly (see `storedLines`); lines written as stored are not.
 */
export async function writeLines(
  lines: (transient: boolean) => AsyncIterable<LineRun>,
  out: ExportFile,
  plan: LinePlan,
): Promise<number> {
  const asStored = plan.format !== 'json' && !plan.redactLine;
  return asStored ? writeAsStored(lines(false), out, plan) : writeCopied(lines(true), out, plan);
}

/** NDJSON or a bundle of lines as stored: pieces of the read windows, status lines made anew. */
async function writeAsStored(runs: AsyncIterable<LineRun>, out: ExportFile, plan: LinePlan): Promise<number> {
  const withStatus = plan.format === 'bundle';
  let pieces: Buffer[] = [];
  let pending = 0;
  // The open piece: bytes `from` … `to` of one window's memory.
  let memory: ArrayBufferLike | undefined;
  let from = 0;
  let to = 0;
  const close = () => {
    if (memory && to > from) {
      pieces.push(Buffer.from(memory, from, to - from));
      pending += to - from;
    }
    memory = undefined;
  };
  let done = 0;
  for await (const run of runs) {
    if (plan.cancelled()) break;
    for (let i = 0; i < run.lines.length; i++) {
      const line = run.lines[i]!;
      if (run.status[i]) {
        if (!withStatus) continue;
        close();
        const text = Buffer.from(`${plan.slowLine(line, true)}\n`);
        pieces.push(text);
        pending += text.length;
      } else if (memory === line.buffer && line.byteOffset === to) {
        to += line.length;
      } else {
        close();
        memory = line.buffer;
        from = line.byteOffset;
        to = from + line.length;
      }
      if (!run.status[i]) {
        // The newline stored after the line goes with it; a line stored without one gets one.
        if (run.newline[i]) to++;
        else {
          close();
          pieces.push(NEWLINE);
          pending++;
        }
      }
      done++;
      if (pieces.length >= MAX_PIECES) {
        close();
        await flush();
      }
    }
    if (pending + (memory ? to - from : 0) >= BATCH) {
      close();
      await flush();
    }
  }
  close();
  await flush();
  return done;

  async function flush(): Promise<void> {
    if (pieces.length === 0) return;
    const batch = pieces;
    pieces = [];
    pending = 0;
    await out.write(batch);
    plan.progress(done);
  }
}

/** A JSON array, or redacted lines: written into two buffers that take turns. */
async function writeCopied(runs: AsyncIterable<LineRun>, out: ExportFile, plan: LinePlan): Promise<number> {
  const json = plan.format === 'json';
  const separator = Buffer.from(json ? ',\n' : '\n');
  const sinks = [new ByteSink(BATCH + BATCH / 4), new ByteSink(BATCH + BATCH / 4)];
  let sink = sinks[0]!;
  let turn = 0;
  let first = true;
  let done = 0;
  for await (const run of runs) {
    if (plan.cancelled()) break;
    for (let i = 0; i < run.lines.length; i++) {
      const line = run.lines[i]!;
      const status = run.status[i]!;
      if (status && plan.format !== 'bundle') continue;
      if (json && !first) sink.put(separator, 0, separator.length);
      first = false;
      if (status || (plan.redactLine && !plan.redactLine(line, sink))) {
        const piece = Buffer.from(plan.slowLine(line, status));
        sink.put(piece, 0, piece.length);
      } else if (!plan.redactLine) sink.put(line, 0, line.length);
      if (!json) sink.put(separator, 0, separator.length);
      done++;
      // Checked per line: a run is up to a 4 MB window, which would grow the buffer past its batch.
      if (sink.length >= BATCH) await flush();
    }
  }
  await flush();
  return done;

  async function flush(): Promise<void> {
    if (sink.length === 0) return;
    // The other buffer's write was awaited before this one starts (`write` waits): it is free to fill.
    const full = sink;
    turn ^= 1;
    sink = sinks[turn]!;
    await out.write([full.buf.subarray(0, full.length)]);
    full.length = 0;
    plan.progress(done);
  }
}
