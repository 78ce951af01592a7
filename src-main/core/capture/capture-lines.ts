/**
 * Reading a capture's stored lines back: one line as an entry (after a restart, on import), the lines
 * of a capture's segments in file order (exports, bundles), and several captures merged by event time.
 */
import { open } from 'node:fs/promises';
import type { EventSummary } from '../../shared/domain/summary.js';
import { summarizeEvent } from '../../shared/domain/summary.js';
import type { Predicate } from '../../shared/query/query.js';
import type { TtsEvent } from '../../shared/tts/types.js';
import { STATUS_KEY, type StatusEntry } from './capture-file.js';
import type { Segment } from './segment.js';
import { statusSummary } from './status-summary.js';

/** One stored line as an entry (status or event); `undefined` for a line that is not JSON. */
export function parseLine(
  line: string,
  id: number,
  streamId: string,
  seen?: (uniqueId: string, id: number, time: string) => void,
): EventSummary | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const status = (parsed as Record<string, unknown>)[STATUS_KEY] as StatusEntry | undefined;
  if (status) return statusSummary(status, id, streamId);
  const ev = parsed as TtsEvent;
  if (typeof ev.name !== 'string' || typeof ev.time !== 'string') return undefined;
  try {
    const summary = summarizeEvent(ev, id, streamId);
    if (seen && typeof ev.unique_id === 'string') seen(ev.unique_id, id, ev.time);
    return summary;
  } catch {
    return undefined;
  }
}

/** Segments grouped by their capture, each group in file order (how the readers below take them). */
export function byCapture(segments: Iterable<Segment>): Segment[][] {
  const groups = new Map<string, Segment[]>();
  for (const s of segments) {
    const list = groups.get(s.owner.streamId);
    if (list) list.push(s);
    else groups.set(s.owner.streamId, [s]);
  }
  return [...groups.values()];
}

/**
 * One window read from a capture's segment file: the rows `want` accepted whose lines lie in `buf`, row
 * `rows[i]`'s stored line (its newline included when one was stored) at `buf[from[i], to[i])`.
 */
export interface LineWindow {
  segment: Segment;
  buf: Buffer;
  rows: number[];
  from: number[];
  to: number[];
}

const WINDOW = 4 * 1024 * 1024;

/**
 * The lines of a capture's segments that `want` accepts, in file order, a 4 MB window of a file at a time
 * (one handle per segment). The one reader of stored lines: exports, bundles and merged reads all take it.
 *
 * `reuse`: the caller is done with a window when it asks for the next, so every window is read into the same
 * buffer (a fresh 4 MB buffer per window made the redacted export ~15 % slower: first use of new memory is slow
 * on these machines). Otherwise each window is a fresh buffer, as lines handed out may still be referenced.
 */
export async function* lineWindows(segments: Segment[], want: Predicate, reuse = false): AsyncGenerator<LineWindow> {
  let shared: Buffer<ArrayBuffer> | undefined;
  for (const segment of segments) {
    const file = segment.file;
    if (!file) continue;
    // The rows there are now, then their lines written: rows a live stream adds meanwhile may not be on disk yet,
    // and reading one gave a cut line ("Unexpected end of JSON input" in an export during streaming).
    const count = segment.rows;
    await file.flush();
    const view = segment.view();
    const handle = await open(file.path, 'r');
    let w: LineWindow = { segment, buf: Buffer.alloc(0), rows: [], from: [], to: [] };
    let bufStart = 0;
    let prev = 0;
    try {
      for (let row = 0; row < count; row++) {
        // Every row's offset follows from the one before: kept up for rows the filter skips too.
        const { offset, length } = segment.nextSlot(row, prev);
        prev = offset;
        view.row = row;
        if (!want(view)) continue;
        if (offset < bufStart || offset + length > bufStart + w.buf.length) {
          if (w.rows.length) yield w;
          const size = Math.max(WINDOW, length);
          const next = reuse && size === WINDOW ? (shared ??= Buffer.allocUnsafe(WINDOW)) : Buffer.allocUnsafe(size);
          const { bytesRead } = await handle.read(next, 0, size, offset);
          w = { segment, buf: next.subarray(0, bytesRead), rows: [], from: [], to: [] };
          bufStart = offset;
        }
        const from = offset - bufStart;
        w.rows.push(row);
        w.from.push(from);
        w.to.push(Math.min(from + length, w.buf.length));
      }
      if (w.rows.length) yield w;
    } finally {
      await handle.close();
    }
  }
}

/** Lines of a capture's segments in file order, each with its entry. */
export async function* readLines(
  segments: Segment[],
  want: Predicate,
): AsyncGenerator<{ summary: EventSummary; line: Buffer }> {
  for await (const { segment, buf, rows, from, to } of lineWindows(segments, want))
    for (let i = 0; i < rows.length; i++)
      yield { summary: segment.summary(rows[i]!), line: buf.subarray(from[i], to[i]) };
}

/** K-way merge of per-capture iterators (each in file order) by event time, then id. */
export async function* mergeByEventTime<T extends { summary: EventSummary }>(
  its: AsyncGenerator<T>[],
): AsyncGenerator<T> {
  if (its.length === 1) {
    yield* its[0]!;
    return;
  }
  try {
    const heads = await Promise.all(its.map((it) => it.next()));
    for (;;) {
      let best = -1;
      for (let i = 0; i < heads.length; i++) {
        const h = heads[i]!;
        if (h.done) continue;
        const b = best >= 0 ? heads[best]! : undefined;
        if (
          !b ||
          b.done ||
          h.value.summary.ms < b.value.summary.ms ||
          (h.value.summary.ms === b.value.summary.ms && h.value.summary.id < b.value.summary.id)
        )
          best = i;
      }
      if (best < 0) return;
      yield (heads[best] as IteratorYieldResult<T>).value;
      heads[best] = await its[best]!.next();
    }
  } finally {
    // A consumer that stops early (preview, cancel) must still close every capture's file handle.
    await Promise.all(its.map((it) => it.return(undefined)));
  }
}
