/**
 * Labels for a chart's time axis in 24-hour time, in UTC or local time as the app shows times. uPlot's own
 * labels put the hour and minute on a second line (cut off in one-line axes, leaving ":00 :30 :00") and
 * follow the computer's time zone whatever the UTC switch says.
 */
import type uPlot from 'uplot';
import { clockParts } from './format';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** The label of one tick at `ms`, ticks `incr` ms apart. */
export function timeTick(ms: number, incr: number, utc: boolean): string {
  const { month, day, h, m, s, milli } = clockParts(ms, utc);
  const p = (n: number, width = 2) => String(n).padStart(width, '0');
  const date = `${p(month)}-${p(day)}`;
  if (incr >= DAY) return date;
  // A tick at midnight names the day instead.
  if (incr >= MINUTE) return h === 0 && m === 0 ? date : `${p(h)}:${p(m)}`;
  // Under a second apart: whole seconds say the time, the ticks between only their milliseconds.
  if (incr >= 1000 || milli === 0) return `${p(h)}:${p(m)}:${p(s)}`;
  return `.${p(milli, 3)}`;
}

/** A time axis's labels (`utc` is read at each draw) and room for them between ticks. */
export function timeAxis(utc: () => boolean): Partial<uPlot.Axis> {
  return {
    values: (_u, splits, _axis, _space, incr) => splits.map((ms) => timeTick(ms, incr, utc())),
    space: 64,
  };
}
