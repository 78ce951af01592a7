/**
 * The times the built-in stack stamps on its events, as TTS writes them: RFC 3339 with nanosecond digits.
 * Live events are stamped "now", strictly increasing; realistic flows put each event at its own moment.
 * Deterministic under the scenario's random source; the clock is a parameter.
 */
import type { Random } from '../../shared/ids.js';

/** `2024-10-28T10:00:00.123` of a millisecond, cached: at full speed many events share one. */
let isoMs = NaN;
let isoText = '';
function isoToMs(ms: number): string {
  if (ms !== isoMs) {
    isoMs = ms;
    isoText = new Date(ms).toISOString().slice(0, 23);
  }
  return isoText;
}

/** Six digits (the sub-millisecond part of a time): a number below 1,000,000, zero-padded. */
const sixDigits = (n: number): string => (n >= 100_000 ? String(n) : String(n).padStart(6, '0'));

export class EventTimes {
  /** The last stamp given by `now`: the next one is after it. */
  ms = 0;
  time = '';
  #lastMs = 0;
  #lastSub = 0;

  constructor(
    private readonly clock: () => number,
    private readonly random: Random,
  ) {}

  /** Stamp `ms`/`time` with the time at `ms` with random sub-millisecond digits (a realistic flow's event). */
  at(ms: number): void {
    const sub = Math.floor(this.random() * 1_000_000);
    this.ms = ms;
    this.time = `${isoToMs(ms)}${sixDigits(sub)}Z`;
  }

  /** Stamp `ms`/`time` with now, strictly increasing with nanosecond digits as TTS writes them. */
  now(): void {
    let ms = Math.floor(this.clock());
    let sub = Math.floor(this.random() * 1000);
    if (ms <= this.#lastMs) {
      ms = this.#lastMs;
      sub = this.#lastSub + 1 + Math.floor(this.random() * 50);
      if (sub > 999_999) {
        ms += 1;
        sub = 0;
      }
    }
    this.#lastMs = ms;
    this.#lastSub = sub;
    this.ms = ms;
    this.time = `${isoToMs(ms)}${sixDigits(sub)}Z`;
  }
}
