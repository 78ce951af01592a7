/**
 * A window's status entries (stream starts, reconnects, gaps, stops) as list rows, read once per
 * window: they are few (a handful per stream and day) and the list shows them among the events of each
 * page, with the same ids every time, as a capture does.
 */
import type { EventSummary } from '../../shared/domain/summary.js';
import type { ClickHouseWindow } from './window.js';

/** More than this many status entries in one window are not shown (a flapping stream); events are unaffected. */
const MAX_STATUSES = 10_000;

const read = new WeakMap<ClickHouseWindow, Promise<EventSummary[]>>();

export function windowStatuses(w: ClickHouseWindow): Promise<EventSummary[]> {
  let p = read.get(w);
  if (!p) {
    p = w.statuses().then(
      (all) => all.slice(0, MAX_STATUSES),
      () => {
        // Asked again with the next page (ClickHouse may be back by then).
        read.delete(w);
        return [];
      },
    );
    read.set(w, p);
  }
  return p;
}
