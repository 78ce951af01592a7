/**
 * A capture reopened after a restart: each of its segment files is read and every complete line is
 * indexed again (a torn tail is cut by the file reader), with the other streams that delivered it.
 */
import path from 'node:path';
import { readAlsoOn } from './also-on-file.js';
import { CaptureFile } from './capture-file.js';
import { parseLine } from './capture-lines.js';
import type { CaptureKind } from './catalog-file.js';
import type { Segment } from './segment.js';

/** A capture reopened after a restart. */
export interface Reopened {
  entries: number;
  lastMs: number;
  tornBytes: number;
  /** The `unique_id`s of its newest events (at most `RECENT_ON_REOPEN`), oldest first. */
  recentIds: string[];
}

/** Enough for the overlap of a replay (the server replays at most 1,024 events per request). */
const RECENT_ON_REOPEN = 20_000;

/** What reading a capture's files needs from the index. */
export interface ReopenHooks {
  /** A new, empty segment of the capture, known to the index (its ids are given out there). */
  segment(): Segment;
  /** A segment whose file could not be read: the index forgets it. */
  drop(segment: Segment): void;
  /** The `unique_id` of an event of a live stream's capture ("one event, one row" across streams). */
  remember(uniqueId: string, id: number, time: string): void;
  onDiskError(e: Error): void;
  log(message: string): void;
}

/**
 * Read a capture's segment files (`names`, oldest first, in `dir`) into new segments, each attached to
 * its file to append to. A file that cannot be read is left out (and logged); `segments` is empty when
 * none could be.
 */
export async function readSegments(
  dir: string,
  names: readonly string[],
  capture: { streamId: string; kind: CaptureKind },
  hooks: ReopenHooks,
): Promise<{ segments: Segment[]; reopened: Reopened }> {
  const segments: Segment[] = [];
  let entries = 0;
  let lastMs = 0;
  let tornBytes = 0;
  // The newest unique_ids, for the stream that carries on: what the server replays of them is not stored again.
  const recentIds: string[] = [];
  const seen = (uid: string, id: number, time: string) => {
    recentIds.push(uid);
    if (recentIds.length >= 2 * RECENT_ON_REOPEN) recentIds.splice(0, RECENT_ON_REOPEN);
    hooks.remember(uid, id, time);
  };
  for (const name of names) {
    const file = path.join(dir, path.basename(name));
    const segment = hooks.segment();
    try {
      const alsoOn = await readAlsoOn(file);
      const opened = await CaptureFile.open(file, {
        onLine: (line, offset) => {
          const s = parseLine(
            line,
            segment.base + segment.rows,
            capture.streamId,
            capture.kind === 'stream' ? seen : undefined,
          );
          if (!s) return;
          const row = segment.add(s, { offset, length: Buffer.byteLength(line) + 1 });
          for (const streamId of alsoOn.get(offset) ?? []) segment.alsoOn(row, streamId);
        },
        onError: (e) => hooks.onDiskError(e),
      });
      segment.attach(opened.file);
      tornBytes += opened.report.tornBytes;
    } catch (e) {
      hooks.drop(segment);
      hooks.log(`capture ${file} could not be reopened: ${(e as Error).message}`);
      continue;
    }
    entries += segment.rows;
    lastMs = Math.max(lastMs, segment.lastMs);
    segments.push(segment);
  }
  return { segments, reopened: { entries, lastMs, tornBytes, recentIds: recentIds.slice(-RECENT_ON_REOPEN) } };
}
