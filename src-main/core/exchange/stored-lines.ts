/**
 * The stored lines of a workspace's entries, for exports: read sequentially from each capture's
 * segment files in large windows and merged by event time across captures, handed out in runs of
 * lines (no summary or object per entry; memory stays at a window per capture).
 */
import { open } from 'node:fs/promises';
import type { Predicate } from '../../shared/query/query.js';
import type { CaptureIndex } from '../capture/capture-index.js';
import type { Segment } from '../capture/segment.js';

/**
 * Lines in export order, each without its newline, which of them are the app's status entries, and
 * whether the newline was stored after the line (it then follows the line in the same memory: an export
 * writes runs of lines as they lie in the window read, without copying them).
 */
export interface LineRun {
  lines: Buffer[];
  status: boolean[];
  newline: boolean[];
}

interface Run extends LineRun {
  ms: number[];
  ids: number[];
}

const WINDOW = 4 * 1024 * 1024;
const RUN = 4096;

/**
 * Every entry of the workspace that `want` accepts, oldest event time first (then capture order).
 *
 * `transient`: the caller is done with a run's lines when it asks for the next run (it copies what it
 * keeps). One capture's reader then reads every window into the same buffer: a fresh 4 MB buffer per
 * window made the redacted export ~15 % slower here (first use of new memory is slow on these machines).
 * Runs merged across captures, and lines written as they lie in the window, keep their windows.
 */
export function storedLines(
  index: CaptureIndex,
  workspaceId: string,
  want: Predicate,
  transient = false,
): AsyncGenerator<LineRun> {
  const byCapture = new Map<string, Segment[]>();
  for (const s of index.segmentsOf(workspaceId)) {
    const list = byCapture.get(s.owner.streamId);
    if (list) list.push(s);
    else byCapture.set(s.owner.streamId, [s]);
  }
  // Times and ids are only for merging captures by time: one capture is in order as it is.
  const merging = byCapture.size > 1;
  const readers = [...byCapture.values()].map((segments) => readRuns(segments, want, merging, transient && !merging));
  return readers.length === 1 ? (readers[0] as AsyncGenerator<LineRun>) : merge(readers);
}

const emptyRun = (): Run => ({ lines: [], status: [], newline: [], ms: [], ids: [] });

/** One capture's lines in file order, a window of its file at a time. */
async function* readRuns(segments: Segment[], want: Predicate, merging: boolean, reuse: boolean): AsyncGenerator<Run> {
  // Read into again only once the run from it was handed out and the next one asked for.
  let window: Buffer<ArrayBuffer> | undefined;
  for (const segment of segments) {
    const file = segment.file;
    if (!file) continue;
    // The rows there are now, then their lines written: rows a live stream adds meanwhile may not be on disk yet,
    // and reading one gave a cut line ("Unexpected end of JSON input" in an export during streaming).
    const count = segment.rows;
    await file.flush();
    const view = segment.view();
    const handle = await open(file.path, 'r');
    let buf = Buffer.alloc(0);
    let bufStart = 0;
    let run = emptyRun();
    let prev = 0;
    try {
      for (let row = 0; row < count; row++) {
        // Every row's offset follows from the one before: kept up for rows the filter skips too.
        const { offset, length } = segment.nextSlot(row, prev);
        prev = offset;
        view.row = row;
        if (!want(view)) continue;
        if (offset < bufStart || offset + length > bufStart + buf.length) {
          if (run.lines.length) yield run;
          run = emptyRun();
          // Else a fresh buffer per window: the lines of the run just handed out still point into the old one.
          const size = Math.max(WINDOW, length);
          const next = reuse && size === WINDOW ? (window ??= Buffer.allocUnsafe(WINDOW)) : Buffer.allocUnsafe(size);
          const { bytesRead } = await handle.read(next, 0, size, offset);
          buf = next.subarray(0, bytesRead);
          bufStart = offset;
        }
        const from = offset - bufStart;
        const to = Math.min(from + length, buf.length);
        const newline = to > from && buf[to - 1] === 10;
        run.lines.push(buf.subarray(from, newline ? to - 1 : to));
        run.newline.push(newline);
        run.status.push(segment.isStatus(row));
        if (merging) {
          run.ms.push(segment.ms(row));
          run.ids.push(segment.base + row);
        }
      }
      if (run.lines.length) yield run;
    } finally {
      await handle.close();
    }
  }
}

/** K-way merge of captures (each in file order) by event time, then id, in runs of up to RUN lines. */
async function* merge(readers: AsyncGenerator<Run>[]): AsyncGenerator<LineRun> {
  const heads: (Run | undefined)[] = [];
  const at: number[] = [];
  try {
    for (const r of readers) {
      const n = await r.next();
      heads.push(n.done ? undefined : n.value);
      at.push(0);
    }
    let out: LineRun = { lines: [], status: [], newline: [] };
    for (;;) {
      let best = -1;
      for (let i = 0; i < heads.length; i++) {
        const h = heads[i];
        if (!h) continue;
        if (best < 0) {
          best = i;
          continue;
        }
        const b = heads[best]!;
        const d = h.ms[at[i]!]! - b.ms[at[best]!]!;
        if (d < 0 || (d === 0 && h.ids[at[i]!]! < b.ids[at[best]!]!)) best = i;
      }
      if (best < 0) break;
      const h = heads[best]!;
      const k = at[best]!;
      out.lines.push(h.lines[k]!);
      out.status.push(h.status[k]!);
      out.newline.push(h.newline[k]!);
      if (out.lines.length >= RUN) {
        yield out;
        out = { lines: [], status: [], newline: [] };
      }
      if (k + 1 < h.lines.length) at[best] = k + 1;
      else {
        const n = await readers[best]!.next();
        heads[best] = n.done ? undefined : n.value;
        at[best] = 0;
      }
    }
    if (out.lines.length) yield out;
  } finally {
    // A consumer that stops early (cancel) must still close every capture's file handle.
    await Promise.all(readers.map((r) => r.return(undefined)));
  }
}
