/** Small numeric helpers for health summaries. */

export interface Spread {
  min: number;
  median: number;
  max: number;
  count: number;
}

/** Min, median and max of the values (undefined when there are none). Sorts a copy. */
export function spread(values: readonly number[]): Spread | undefined {
  if (values.length === 0) return undefined;
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const median = n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  return { min: sorted[0]!, median: Math.round(median * 100) / 100, max: sorted[n - 1]!, count: n };
}

/** Counts of values in fixed-width bins from `start` (e.g. dB), for distributions. */
export function histogram(
  values: readonly number[],
  width: number,
): { start: number; width: number; counts: number[] } {
  if (values.length === 0) return { start: 0, width, counts: [] };
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const start = Math.floor(lo / width) * width;
  const counts = new Array<number>(Math.floor((hi - start) / width) + 1).fill(0);
  for (const v of values) counts[Math.floor((v - start) / width)]!++;
  return { start, width, counts };
}

/** A bucket width (ms) that gives at most `maxBuckets` buckets over a span: 1 s, 10 s, 1 min, 5 min, … */
export function bucketWidth(spanMs: number, maxBuckets: number): number {
  const steps = [
    1_000,
    5_000,
    10_000,
    30_000,
    60_000,
    300_000,
    600_000,
    1_800_000,
    3_600_000,
    6 * 3_600_000,
    86_400_000,
    7 * 86_400_000,
  ];
  for (const s of steps) if (spanMs / s <= maxBuckets) return s;
  return Math.ceil(spanMs / maxBuckets / 86_400_000) * 86_400_000;
}
