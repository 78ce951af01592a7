/**
 * Per-stream arrival statistics the status bar shows, updated per batch (pure).
 */
import type { EventSummary } from '../../../src-main/shared/domain/summary';

export interface StreamActivity {
  /** Events in the last few seconds, as [time ms, count] samples. */
  samples: [number, number][];
  lastEventAt?: number;
  gaps: number;
}

export const RATE_WINDOW_MS = 5_000;

/** The activity after a batch arrived at `now`; the same object when the batch changes nothing. */
export function tallyActivity(
  prev: Record<string, StreamActivity>,
  summaries: readonly EventSummary[],
  now: number,
): Record<string, StreamActivity> {
  const counts: Record<string, { n: number; gaps: number }> = {};
  for (const s of summaries) {
    const c = (counts[s.streamId] ??= { n: 0, gaps: 0 });
    if (s.kind === 'event') c.n++;
    if (s.name === 'event-desk.gap') c.gaps++;
  }
  const ids = Object.keys(counts);
  if (ids.length === 0) return prev;
  const next = { ...prev };
  for (const id of ids) {
    const c = counts[id]!;
    const a = next[id] ?? { samples: [], gaps: 0 };
    const samples = a.samples.filter(([at]) => now - at < RATE_WINDOW_MS);
    if (c.n) samples.push([now, c.n]);
    const lastEventAt = c.n ? now : a.lastEventAt;
    next[id] = { samples, gaps: a.gaps + c.gaps, ...(lastEventAt !== undefined ? { lastEventAt } : {}) };
  }
  return next;
}

/** Events per second of one stream over the last few seconds. */
export function rateOf(a: StreamActivity | undefined, now: number): number {
  if (!a) return 0;
  const n = a.samples.filter(([at]) => now - at < RATE_WINDOW_MS).reduce((sum, [, c]) => sum + c, 0);
  return n / (RATE_WINDOW_MS / 1000);
}
