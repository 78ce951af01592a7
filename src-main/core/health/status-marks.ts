/**
 * The capture's status entries (gaps, reconnects, retention, stops, warnings) as overview marks and gap
 * windows. A status row is found once per segment as it grows; a gap's window is read from its full
 * line once (a status entry never changes).
 */
import type { CaptureIndex } from '../capture/capture-index.js';
import type { Segment } from '../capture/segment.js';
import type { OverviewMark } from '../../shared/health/overview.js';
import type { GapWindow } from '../../shared/health/frames.js';
import { STATUS_KEY, type StatusEntry } from '../capture/capture-file.js';

/** Marks kept per request at most, the newest (each gap's line is read once). */
const MAX_MARKS = 2000;
const MARK_KINDS: Record<string, OverviewMark['kind']> = {
  'event-desk.gap': 'gap',
  'event-desk.reconnect': 'reconnect',
  'event-desk.retention': 'retention',
  'event-desk.stopped': 'stopped',
  'event-desk.warning': 'warning',
};

export class StatusMarks {
  constructor(private readonly index: CaptureIndex) {}

  /** Marks read from status lines, by entry id (a status entry never changes; ids are never reused). */
  readonly #markOf = new Map<number, OverviewMark>();

  /** A workspace's newest `MAX_MARKS` status entries (gaps, reconnects, …) with their windows. */
  async marks(workspaceId: string): Promise<OverviewMark[]> {
    const found: { id: number; kind: OverviewMark['kind']; ms: number; text: string; streamId: string }[] = [];
    for (const seg of this.index.segmentsOf(workspaceId)) {
      for (const row of this.#statusRows(seg)) {
        const kind = MARK_KINDS[seg.name(row)];
        if (kind)
          found.push({
            id: seg.base + row,
            kind,
            ms: seg.ms(row),
            text: seg.summary(row).preview,
            streamId: seg.owner.streamId,
          });
      }
    }
    const out: OverviewMark[] = [];
    for (const f of found.slice(-MAX_MARKS)) {
      const known = this.#markOf.get(f.id);
      if (known) {
        out.push(known);
        continue;
      }
      let from = f.ms;
      let to = f.ms;
      if (f.kind === 'gap') {
        const entry = await this.#statusEntry(f.id);
        const a = Date.parse(entry?.from ?? '');
        const b = Date.parse(entry?.to ?? '');
        if (Number.isFinite(a) && Number.isFinite(b)) [from, to] = [a, b];
      }
      const mark: OverviewMark = { kind: f.kind, fromMs: from, toMs: to, text: f.text, streamId: f.streamId };
      this.#markOf.set(f.id, mark);
      out.push(mark);
    }
    return out;
  }

  /** Status rows of a segment, kept up to date as it grows (a handful among millions of events). */
  readonly #status = new WeakMap<Segment, { done: number; rows: number[] }>();
  #statusRows(seg: Segment): number[] {
    let c = this.#status.get(seg);
    if (!c) this.#status.set(seg, (c = { done: 0, rows: [] }));
    for (let row = c.done; row < seg.rows; row++) if (seg.isStatus(row)) c.rows.push(row);
    c.done = seg.rows;
    return c.rows;
  }

  async #statusEntry(id: number): Promise<StatusEntry | undefined> {
    const raw = await this.index.raw(id);
    if (raw === undefined) return undefined;
    try {
      return (JSON.parse(raw) as Record<string, StatusEntry>)[STATUS_KEY];
    } catch {
      return undefined;
    }
  }

  /** The workspace's capture gaps as windows (a gap entry's from/to), for the health computations. */
  async gaps(workspaceId: string): Promise<GapWindow[]> {
    return (await this.marks(workspaceId))
      .filter((m) => m.kind === 'gap' && m.toMs > m.fromMs)
      .map((m) => ({ fromMs: m.fromMs, toMs: m.toMs, ...(m.streamId ? { streamId: m.streamId } : {}) }));
  }
}
