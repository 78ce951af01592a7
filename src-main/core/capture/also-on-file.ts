/**
 * "One event, one row" across restarts: when a second stream of a workspace delivers an event the
 * index already holds, the line is not stored again, so the second stream's name would live only in
 * memory. Each such note is appended to a small file next to the segment that holds the line
 * (`<segment>.also`, one JSON line per note, keyed by the line's file offset) and read back on reopen.
 *
 * Crash-safe without fsync: a note is one short appended line, so a crash loses at most the notes of
 * the last moments and a torn last note is skipped; a note whose line never reached the segment file
 * (the crash cut it) names no row and is ignored.
 */
import { promises as fs } from 'node:fs';

export const alsoOnPath = (segmentFile: string): string => `${segmentFile}.also`;

export class AlsoOnLog {
  /** Appends per file, in order (two notes must not interleave their bytes). */
  readonly #writing = new Map<string, Promise<void>>();
  /**
   * Notes waiting for the file's write in flight: a device stream inside an application stream notes
   * most of its events, so they go to the file in batches, not one append each.
   */
  readonly #queued = new Map<string, { text: string }>();

  constructor(private readonly log?: (m: string) => void) {}

  /** Note that `streamId` delivered the line at `offset` of `segmentFile` too. */
  add(segmentFile: string, offset: number, streamId: string): void {
    const file = alsoOnPath(segmentFile);
    const line = `${JSON.stringify({ offset, stream: streamId })}\n`;
    const queued = this.#queued.get(file);
    if (queued) {
      queued.text += line;
      return;
    }
    const batch = { text: line };
    this.#queued.set(file, batch);
    const next = (this.#writing.get(file) ?? Promise.resolve())
      .then(() => {
        if (this.#queued.get(file) === batch) this.#queued.delete(file);
        return fs.appendFile(file, batch.text, { mode: 0o600 });
      })
      .catch((e: Error) => this.log?.(`could not note a second stream in ${file}: ${e.message}`));
    this.#writing.set(file, next);
    void next.then(() => {
      if (this.#writing.get(file) === next) this.#writing.delete(file);
    });
  }

  /** Resolves once every note asked for so far is written. */
  async written(): Promise<void> {
    await Promise.all(this.#writing.values());
  }

  /** Delete a segment's notes (with the segment), after any write to them in flight. */
  async remove(segmentFile: string): Promise<void> {
    const file = alsoOnPath(segmentFile);
    await this.#writing.get(file);
    await fs.unlink(file).catch(() => undefined);
  }
}

/** The notes of a segment: the other streams of each line, by the line's offset (none: empty). */
export async function readAlsoOn(segmentFile: string): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  let text: string;
  try {
    text = await fs.readFile(alsoOnPath(segmentFile), 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    if (!line) continue;
    let note: unknown;
    try {
      note = JSON.parse(line);
    } catch {
      continue; // a note torn by a crash
    }
    const { offset, stream } = (note ?? {}) as { offset?: unknown; stream?: unknown };
    if (typeof offset !== 'number' || typeof stream !== 'string') continue;
    const list = out.get(offset);
    if (!list) out.set(offset, [stream]);
    else if (!list.includes(stream)) list.push(stream);
  }
  return out;
}
