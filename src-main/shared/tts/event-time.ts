/**
 * `Date.parse` of an event's `time`, with the same result for every input, about ten times faster for the
 * server's own layout (`2025-06-15T15:06:40.006000441Z`).
 *
 * Ingest and import parsed each time two or three times (the session, the import's check, the summary),
 * ~0.3 µs each, 4 % of an event's cost. Events come in bursts within a second, so the second's value is
 * taken from `Date.parse` once and cached with its 19-character prefix; what follows is read here: nothing
 * or `.` and up to nine digits (the first three are milliseconds, the rest truncated, as `Date.parse` does),
 * then `Z`. Anything else (offsets, hour 24, a lowercase `z`, longer fractions) goes to `Date.parse` itself.
 */
let cachedPrefix = '';
let cachedMs = Number.NaN;

const digit = (text: string, i: number): number => {
  const d = text.charCodeAt(i) - 0x30;
  return d >= 0 && d <= 9 ? d : -1;
};

/** The second's prefix `YYYY-MM-DDTHH:MM:SS` with a time of day `Date.parse` reads without a special case. */
function plainSecond(text: string): boolean {
  if (text.length < 20) return false;
  for (let i = 0; i < 19; i++) {
    const c = text.charCodeAt(i);
    if (i === 4 || i === 7) {
      if (c !== 0x2d /* - */) return false;
    } else if (i === 10) {
      if (c !== 0x54 /* T */) return false;
    } else if (i === 13 || i === 16) {
      if (c !== 0x3a /* : */) return false;
    } else if (c < 0x30 || c > 0x39) return false;
  }
  // Hour 24 (the end of a day) is special in Date.parse; 60 seconds is not a time.
  return text.charCodeAt(11) <= 0x31 || (text.charCodeAt(11) === 0x32 && text.charCodeAt(12) <= 0x33);
}

/** `Date.parse(time)`; a time that is not a string (a broken server's) is NaN, as there. */
export function eventTimeMs(time: unknown): number {
  if (typeof time !== 'string') return Date.parse(time as string);
  const text = time;
  const len = text.length;
  if (len < 20 || text.charCodeAt(len - 1) !== 0x5a /* Z */) return Date.parse(text);
  if (!text.startsWith(cachedPrefix) || cachedPrefix === '') {
    if (!plainSecond(text)) return Date.parse(text);
    const prefix = text.slice(0, 19);
    const ms = Date.parse(`${prefix}Z`);
    if (Number.isNaN(ms)) return Date.parse(text);
    cachedPrefix = prefix;
    cachedMs = ms;
  }
  if (len === 20) return cachedMs;
  // `.` and one to nine digits (nanoseconds; Date.parse reads longer fractions its own way), then the `Z`.
  if (text.charCodeAt(19) !== 0x2e /* . */ || len === 21 || len > 30) return Date.parse(text);
  let milli = 0;
  for (let i = 20; i < len - 1; i++) {
    const d = digit(text, i);
    if (d < 0) return Date.parse(text);
    if (i < 23) milli = milli * 10 + d;
  }
  // `.1` is 100 ms, `.18` 180 ms.
  for (let i = Math.min(len - 1, 23); i < 23; i++) milli *= 10;
  return cachedMs + milli;
}
