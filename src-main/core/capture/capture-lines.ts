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

/** Lines of a capture's segments in file order, one handle and 4 MB reads at a time. */
export async function* readLines(
  segments: Segment[],
  want: Predicate,
): AsyncGenerator<{ summary: EventSummary; line: Buffer }> {
  for (const segment of segments) {
    const file = segment.file;
    if (!file) continue;
    // The rows there are now, then their lines written (rows a live stream adds meanwhile may not be on disk).
    const count = segment.rows;
    await file.flush();
    const view = segment.view();
    const handle = await open(file.path, 'r');
    const WINDOW = 4 * 1024 * 1024;
    let buf = Buffer.alloc(0);
    let bufStart = 0;
    try {
      for (let row = 0; row < count; row++) {
        view.row = row;
        if (!want(view)) continue;
        const slot = segment.slot(row);
        if (slot.offset < bufStart || slot.offset + slot.length > bufStart + buf.length) {
          const size = Math.max(WINDOW, slot.length);
          // A fresh buffer per window: lines handed out earlier may still be referenced by the caller.
          const next = Buffer.allocUnsafe(size);
          const { bytesRead } = await handle.read(next, 0, size, slot.offset);
          buf = next.subarray(0, bytesRead);
          bufStart = slot.offset;
        }
        const from = slot.offset - bufStart;
        yield { summary: segment.summary(row), line: buf.subarray(from, from + slot.length) };
      }
    } finally {
      await handle.close();
    }
  }
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
