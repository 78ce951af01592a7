import { describe, expect, it } from 'vitest';
import { formatTime, timeParts } from '../../../../../src-main/core/capture/row-view.js';

/** What formatTime gave before it kept the second's text: the whole ISO string per call. */
function reference(ms: number, nanos: number, digits: number): string {
  if (!Number.isFinite(ms) || ms < 0 || ms > 253402300799999) return '';
  const iso = new Date(ms).toISOString();
  if (digits === 0) return `${iso.slice(0, 19)}Z`;
  if (digits === 3) return iso;
  return `${iso.slice(0, 23)}${String(nanos)
    .padStart(6, '0')
    .slice(0, digits - 3)}Z`;
}

describe('formatTime', () => {
  it('gives the same text as the ISO string for times in order, out of order and at the edges', () => {
    let seed = 7;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const times: number[] = [0, 999, 1000, 1001, 59_999, 60_000, 253402300799999, 1.5, 1999.999];
    let t = Date.UTC(2026, 10, 30, 9, 59, 58, 990);
    for (let i = 0; i < 5_000; i++) times.push((t += Math.floor(rand() * 40))); // a page: rows share seconds
    for (let i = 0; i < 5_000; i++) times.push(Math.floor(rand() * 4e12)); // anywhere, in any order
    for (const ms of times)
      for (const digits of [0, 3, 6, 9]) {
        const nanos = Math.floor(rand() * 1e6);
        expect(formatTime(ms, nanos, digits)).toBe(reference(ms, nanos, digits));
      }
    for (const bad of [-1, NaN, Infinity, 253402300800000]) expect(formatTime(bad, 0, 3)).toBe('');
  });

  it('gives back the server text timeParts calls exact', () => {
    for (const time of [
      '2026-11-30T10:00:00Z',
      '2026-11-30T10:00:00.007Z',
      '2026-11-30T10:00:00.123456Z',
      '2026-11-30T10:00:59.999999999Z',
    ]) {
      const ms = Date.parse(time);
      const p = timeParts(time, ms);
      expect(p.exact).toBe(true);
      expect(formatTime(ms, p.nanos, p.digits)).toBe(time);
    }
  });
});
