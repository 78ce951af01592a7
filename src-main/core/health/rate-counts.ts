/**
 * The capture overview's counts: per segment, events and errors per second, kept up to date as rows are
 * appended (segments only grow, and retention drops whole segments), so an overview costs the seconds
 * of the capture, not its events. A sparse segment (under 4 events a second on average) is scanned instead.
 */
import { isErrorEvent } from '../../shared/health/overview.js';
import type { Segment } from '../capture/segment.js';
import { W_ERR } from '../capture/shared-tables.js';

export class RateCounts {
  readonly #perSecond = new WeakMap<
    Segment,
    { done: number; events: Map<number, number>; errors: Map<number, number>; sparse: boolean }
  >();

  #seconds(seg: Segment) {
    let c = this.#perSecond.get(seg);
    if (!c) this.#perSecond.set(seg, (c = { done: 0, events: new Map(), errors: new Map(), sparse: false }));
    if (c.sparse) return c;
    // Rows come nearly in time order: count a run of one second, then add it to the maps (two map
    // updates per row made the first overview over 1M events ~110 ms).
    const { events, errors } = c;
    let sec = NaN;
    let n = 0;
    let bad = 0;
    const flush = () => {
      if (n > 0) events.set(sec, (events.get(sec) ?? 0) + n);
      if (bad > 0) errors.set(sec, (errors.get(sec) ?? 0) + bad);
    };
    for (let row = c.done; row < seg.rows; row++) {
      if (seg.isStatus(row)) continue;
      const s = Math.floor(seg.ms(row) / 1000);
      if (s !== sec) {
        flush();
        sec = s;
        n = 0;
        bad = 0;
      }
      n++;
      if (this.#isErrorRow(seg, row)) bad++;
    }
    flush();
    c.done = seg.rows;
    if (events.size > 10_000 && events.size * 4 > seg.rows) {
      c.sparse = true;
      events.clear();
      errors.clear();
    }
    return c;
  }

  /** Whether a row is an error (its name and error name), decided once per "what" tuple (ids shared by the index's segments). */
  #errorByWhat = new Int8Array(256);
  #isErrorRow(seg: Segment, row: number): boolean {
    const id = seg.whatId(row);
    if (id >= this.#errorByWhat.length) {
      const grown = new Int8Array(Math.max(id + 1, this.#errorByWhat.length * 2));
      grown.set(this.#errorByWhat);
      this.#errorByWhat = grown;
    }
    let e = this.#errorByWhat[id]!;
    if (e === 0) {
      const error = isErrorEvent(seg.name(row), seg.tables.small.opt(seg.what(row, W_ERR)));
      this.#errorByWhat[id] = e = error ? 1 : -1;
    }
    return e > 0;
  }

  /** Visit (time, events, errors) over these segments: per second where counted, per row where sparse. */
  over(segments: readonly Segment[]): (visit: (ms: number, events: number, errors: number) => void) => void {
    const counted = segments.map((seg) => ({ seg, cache: this.#seconds(seg) }));
    return (visit) => {
      for (const { seg, cache } of counted) {
        if (!cache.sparse) {
          for (const [sec, n] of cache.events) visit(sec * 1000, n, cache.errors.get(sec) ?? 0);
          continue;
        }
        for (let row = 0; row < seg.rows; row++)
          if (!seg.isStatus(row)) visit(seg.ms(row), 1, this.#isErrorRow(seg, row) ? 1 : 0);
      }
    };
  }
}
