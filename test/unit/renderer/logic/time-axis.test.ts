import { describe, expect, it } from 'vitest';
import { timeTick } from '../../../../src-renderer/lib/logic/time-axis';

const at = Date.parse('2026-11-30T23:04:30.250Z');

describe("a chart's time axis", () => {
  it('names hours and minutes with every tick (30 s apart: not ":30 :00 :30")', () => {
    expect(timeTick(at, 30_000, true)).toBe('23:04:30');
    expect(timeTick(Date.parse('2026-11-30T23:05:00Z'), 30_000, true)).toBe('23:05:00');
    expect(timeTick(at, 5 * 60_000, true)).toBe('23:04');
  });

  it('says the date at midnight and for ticks a day apart', () => {
    expect(timeTick(Date.parse('2026-12-01T00:00:00Z'), 60 * 60_000, true)).toBe('12-01');
    expect(timeTick(at, 86_400_000, true)).toBe('11-30');
  });

  it('under a second apart: whole seconds say the time, the ticks between their milliseconds', () => {
    expect(timeTick(at, 250, true)).toBe('.250');
    expect(timeTick(Date.parse('2026-11-30T23:04:31Z'), 250, true)).toBe('23:04:31');
  });

  it("follows the UTC switch: local time is the computer's zone", () => {
    const local = new Date(at);
    const hh = String(local.getHours()).padStart(2, '0');
    const mm = String(local.getMinutes()).padStart(2, '0');
    expect(timeTick(at, 30_000, false)).toBe(`${hh}:${mm}:30`);
  });
});
