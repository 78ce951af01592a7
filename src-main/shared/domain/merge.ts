import type { EventSummary } from './summary.js';

/** A place in event order: event time, then capture order. */
export interface OrderKey {
  ms: number;
  id: number;
}

/** Whether `a` comes before `b` in event order (the order every list of entries keeps). */
export const before = (a: OrderKey, b: OrderKey): boolean => a.ms < b.ms || (a.ms === b.ms && a.id < b.id);

/**
 * Merge new entries into a time-ordered list (by event time, then capture order).
 *
 * Streams from several servers arrive interleaved and slightly out of order; batches are mostly
 * newer than what is shown, so only the overlapping tail is merged: O(batch + overlap), not O(n log n).
 */
export function mergeByTime(prev: readonly EventSummary[], incoming: readonly EventSummary[]): EventSummary[] {
  if (incoming.length === 0) return prev as EventSummary[];
  const add = [...incoming].sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
  let cut = prev.length;
  while (cut > 0 && before(add[0]!, prev[cut - 1]!)) cut--;
  const out = prev.slice(0, cut);
  let i = cut;
  let j = 0;
  while (i < prev.length && j < add.length) out.push(before(add[j]!, prev[i]!) ? add[j++]! : prev[i++]!);
  while (i < prev.length) out.push(prev[i++]!);
  while (j < add.length) out.push(add[j++]!);
  return out;
}
