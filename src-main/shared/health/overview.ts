/**
 * The capture overview: event rate over the whole capture in a fixed number of bins, with errors per
 * bin and the capture's gaps, reconnects and retention cuts marked. Built from two columns (time and
 * what kind of row), so main computes it over millions of entries without building summaries.
 */
export interface OverviewMark {
  kind: 'gap' | 'reconnect' | 'retention' | 'stopped' | 'warning';
  /** Point marks have `toMs` = `fromMs`. */
  fromMs: number;
  toMs: number;
  text: string;
  /** The stream the status entry belongs to. */
  streamId?: string;
}

export interface Overview {
  /** Bin i covers [startMs + i·binMs, startMs + (i+1)·binMs). */
  startMs: number;
  binMs: number;
  events: number[];
  errors: number[];
  marks: OverviewMark[];
  total: number;
  firstMs: number;
  lastMs: number;
}

/** One row as the overview needs it. */
export type OverviewRow = { ms: number; error: boolean };

export const EMPTY_OVERVIEW: Overview = {
  startMs: 0,
  binMs: 1000,
  events: [],
  errors: [],
  marks: [],
  total: 0,
  firstMs: 0,
  lastMs: 0,
};

const NICE = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400].map(
  (s) => s * 1000,
);

/** A round bin width (1 s, 2 s, 5 s, … 1 h, … days) that spreads `[firstMs, lastMs]` over at most `bins` bins. */
export function binWidth(firstMs: number, lastMs: number, bins: number): number {
  const raw = (lastMs - firstMs + 1) / Math.max(1, bins);
  for (const n of NICE) if (n >= raw) return n;
  return Math.ceil(raw / 86_400_000) * 86_400_000;
}

/**
 * Bin events by time. `each(visit)` calls `visit(ms, events, errors)` for every server event (1, 0|1)
 * or for a run of them in one second (a cache's per-second counts: bins are whole seconds, so a second
 * never straddles two bins); status entries are passed as `marks`. Two passes: the range, then the
 * counts, so no list of times is kept.
 */
export function overviewOf(
  each: (visit: (ms: number, events: number, errors: number) => void) => void,
  marks: readonly OverviewMark[],
  bins = 600,
): Overview {
  let first = Infinity;
  let last = -Infinity;
  let total = 0;
  each((ms, n) => {
    if (ms <= 0) return;
    if (ms < first) first = ms;
    if (ms > last) last = ms;
    total += n;
  });
  for (const m of marks) {
    if (m.fromMs > 0 && m.fromMs < first) first = m.fromMs;
    if (m.toMs > last) last = m.toMs;
  }
  if (!Number.isFinite(first)) return { ...EMPTY_OVERVIEW, marks: [...marks] };
  let binMs = binWidth(first, last, bins);
  // Bins start on a multiple of their width (whole minutes, hours): the axis reads naturally. Aligning
  // may need one bin more than asked; then the next width up.
  let startMs = Math.floor(first / binMs) * binMs;
  while (Math.floor((last - startMs) / binMs) + 1 > bins) {
    binMs = binWidth(0, binMs, 1); // the next round width up
    startMs = Math.floor(first / binMs) * binMs;
  }
  const n = Math.floor((last - startMs) / binMs) + 1;
  const events = new Array<number>(n).fill(0);
  const errors = new Array<number>(n).fill(0);
  each((ms, count, errs) => {
    if (ms <= 0) return;
    const i = Math.floor((ms - startMs) / binMs);
    events[i]! += count;
    errors[i]! += errs;
  });
  return {
    startMs,
    binMs,
    events,
    errors,
    marks: [...marks].sort((a, b) => a.fromMs - b.fromMs),
    total,
    firstMs: first,
    lastMs: last,
  };
}

/** The overview of a list of rows (tests, small captures). */
export function overviewOfRows(rows: readonly OverviewRow[], marks: readonly OverviewMark[], bins = 600): Overview {
  return overviewOf(
    (visit) => {
      for (const r of rows) visit(r.ms, 1, r.error ? 1 : 0);
    },
    marks,
    bins,
  );
}

/** Whether an event name reports an error (drop, failure, rejection). */
export const isErrorName = (name: string): boolean =>
  name.endsWith('.fail') || name.endsWith('.drop') || name.endsWith('.reject');

/**
 * Error names of a gateway's copy of an uplink that the Network Server dropped because another gateway's copy
 * was already in: `duplicate` ("uplink is a duplicate", v3.8–3.17, which log `ns.up.join.drop` /
 * `ns.up.data.drop` for every extra copy), `duplicate_uplink` later. Deduplication working, not a fault.
 */
export const DUPLICATE_ERRORS: readonly string[] = ['duplicate', 'duplicate_uplink'];

export const isDuplicate = (errorName: string | undefined): boolean =>
  errorName !== undefined && DUPLICATE_ERRORS.includes(errorName);

/**
 * Whether an event is an error of its device or gateway, what device error counts and the overview's error bins
 * count: an error name, but not a duplicate's drop (a device heard by three gateways is not two errors per frame).
 */
export const isErrorEvent = (name: string, errorName: string | undefined): boolean =>
  isErrorName(name) && !isDuplicate(errorName);
