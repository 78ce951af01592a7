/**
 * How much of each stream's capture is kept, in whole segment files: when the segment being written
 * is full, and which of the oldest segments go. No I/O here: the index rotates files and deletes them.
 */
import type { Segment } from './segment.js';

/** How much of each stream's capture is kept (on disk and in the index). */
export interface Retention {
  maxEvents: number;
  maxBytes: number;
}

export const DEFAULT_RETENTION: Retention = { maxEvents: 2_000_000, maxBytes: 4 * 1024 ** 3 };

/**
 * How full the segment being written is: 1 is full (an eighth of the limits, so the limit is kept in
 * about eight files), by events or bytes, whichever is further along.
 */
export function segmentFill(segment: Segment, r: Retention): number {
  return Math.max(
    segment.rows / Math.max(1000, r.maxEvents / 8),
    segment.file!.size / Math.max(1024 * 1024, r.maxBytes / 8),
  );
}

/** What retention removes: the oldest segments, the events they held, and the time of the newest one. */
export interface Dropped {
  segments: Segment[];
  events: number;
  /** The time of the newest entry removed ('' when none). */
  before: string;
}

/**
 * Remove from the front of `segments` (oldest first, the last being written) the whole segments whose
 * removal still leaves at least the limit, oldest first.
 */
export function dropOldest(segments: Segment[], r: Retention): Dropped {
  let events = segments.reduce((a, x) => a + x.rows, 0);
  let bytes = segments.reduce((a, x) => a + x.file!.size, 0);
  const out: Dropped = { segments: [], events: 0, before: '' };
  while (segments.length > 1) {
    const oldest = segments[0]!;
    if (events - oldest.rows < r.maxEvents && bytes - oldest.file!.size < r.maxBytes) break;
    segments.shift();
    events -= oldest.rows;
    bytes -= oldest.file!.size;
    out.events += oldest.events;
    out.before = oldest.rows ? oldest.time(oldest.rows - 1) : out.before;
    out.segments.push(oldest);
  }
  return out;
}

/** The status message that says what retention removed. */
export function retentionMessage(d: Dropped, r: Retention): string {
  const limit = `${r.maxEvents.toLocaleString('en')} events / ${(r.maxBytes / 1024 ** 3).toFixed(1)} GB`;
  return (
    `Retention removed ${d.events.toLocaleString('en')} older events (up to ${d.before}) ` +
    `to stay within ${limit} for this stream. Change the limit under Retention.`
  );
}
