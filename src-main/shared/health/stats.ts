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

/**
 * A multiset of readings (dB values repeat a lot: a few hundred distinct values among millions of
 * uplinks), kept as counts per value so a spread is exact and costs the distinct values, not the
 * readings. The spread is cached until the next change.
 */
export class ValueCounts {
  readonly #counts = new Map<number, number>();
  #n = 0;
  #cached: Spread | undefined | null = null;

  get count(): number {
    return this.#n;
  }

  add(v: number, times = 1): void {
    this.#counts.set(v, (this.#counts.get(v) ?? 0) + times);
    this.#n += times;
    this.#cached = null;
  }

  addAll(other: ValueCounts): void {
    for (const [v, n] of other.#counts) this.add(v, n);
  }

  /** The same as `spread` of the readings. */
  spread(): Spread | undefined {
    if (this.#cached !== null) return this.#cached;
    if (this.#n === 0) return (this.#cached = undefined);
    const keys = Float64Array.from(this.#counts.keys()).sort();
    const n = this.#n;
    // The median is the mean of the values at positions lo and hi (0-based, equal when n is odd).
    const lo = Math.floor((n - 1) / 2);
    const hi = Math.floor(n / 2);
    let seen = 0;
    let a: number | undefined;
    let b: number | undefined;
    for (const k of keys) {
      seen += this.#counts.get(k)!;
      if (a === undefined && seen > lo) a = k;
      if (seen > hi) {
        b = k;
        break;
      }
    }
    const median = (a! + b!) / 2;
    return (this.#cached = {
      min: keys[0]!,
      median: Math.round(median * 100) / 100,
      max: keys[keys.length - 1]!,
      count: n,
    });
  }
}
