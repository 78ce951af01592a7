/**
 * The stored lines of a workspace's entries, for exports: read sequentially from each capture's
 * segment files in large windows and merged by event time across captures, handed out in runs of
 * lines (no summary or object per entry; memory stays at a window per capture).
 */
import type { Predicate } from '../../shared/query/query.js';
import type { CaptureIndex } from '../capture/capture-index.js';
import type { Segment } from '../capture/segment.js';
import { byCapture, lineWindows } from '../capture/capture-lines.js';

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
  const captures = byCapture(index.segmentsOf(workspaceId));
  // Times and ids are only for merging captures by time: one capture is in order as it is.
  const merging = captures.length > 1;
  const readers = captures.map((segments) => readRuns(segments, want, merging, transient && !merging));
  return readers.length === 1 ? (readers[0] as AsyncGenerator<LineRun>) : merge(readers);
}

const emptyRun = (): Run => ({ lines: [], status: [], newline: [], ms: [], ids: [] });

/** One capture's lines in file order, a run per window of its file (see `lineWindows`). */
async function* readRuns(segments: Segment[], want: Predicate, merging: boolean, reuse: boolean): AsyncGenerator<Run> {
  for await (const { segment, buf, rows, from, to } of lineWindows(segments, want, reuse)) {
    const run = emptyRun();
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const end = to[i]!;
      const newline = end > from[i]! && buf[end - 1] === 10;
      run.lines.push(buf.subarray(from[i], newline ? end - 1 : end));
      run.newline.push(newline);
      run.status.push(segment.isStatus(row));
      if (merging) {
        run.ms.push(segment.ms(row));
        run.ids.push(segment.base + row);
      }
    }
    yield run;
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
