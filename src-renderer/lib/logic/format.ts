import type { EventSummary } from '../../../src-main/shared/domain/summary';
import type { StreamState } from '../../../src-main/shared/domain/stream';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** A moment's calendar and clock fields, in UTC or local time. */
export function clockParts(ms: number, utc: boolean) {
  const d = new Date(ms);
  return utc
    ? {
        year: d.getUTCFullYear(),
        month: d.getUTCMonth() + 1,
        day: d.getUTCDate(),
        h: d.getUTCHours(),
        m: d.getUTCMinutes(),
        s: d.getUTCSeconds(),
        milli: d.getUTCMilliseconds(),
      }
    : {
        year: d.getFullYear(),
        month: d.getMonth() + 1,
        day: d.getDate(),
        h: d.getHours(),
        m: d.getMinutes(),
        s: d.getSeconds(),
        milli: d.getMilliseconds(),
      };
}

/** `HH:MM:SS.mmm`, in UTC or local time. */
export function formatClock(ms: number, utc: boolean): string {
  const c = clockParts(ms, utc);
  return `${pad(c.h)}:${pad(c.m)}:${pad(c.s)}.${pad(c.milli, 3)}`;
}

/** `HH:MM:SS`: when something happened today (a clear, a count), in UTC or local time. */
export const formatSeconds = (ms: number, utc: boolean): string => formatClock(ms, utc).slice(0, 8);

/** `YYYY-MM-DD HH:MM:SS`, in UTC or local time (say which with `zoneName`, or use `formatWhen`). */
export function formatDateTime(ms: number, utc: boolean): string {
  const c = clockParts(ms, utc);
  return `${c.year}-${pad(c.month)}-${pad(c.day)} ${pad(c.h)}:${pad(c.m)}:${pad(c.s)}`;
}

/** What the times are in, as the headers and labels say it. */
export const zoneName = (utc: boolean): string => (utc ? 'UTC' : 'local');

/** `YYYY-MM-DD HH:MM:SS UTC` or `… local`: a moment in running text. */
export const formatWhen = (ms: number, utc: boolean): string => `${formatDateTime(ms, utc)} ${zoneName(utc)}`;

/** The typed preview column: port, counter, radio, then payload or error. */
const DIRECTION_ARROW = { up: '↑ up', down: '↓ down', join: '⇄ join' } as const;

export function previewText(s: EventSummary): string {
  const parts: string[] = [];
  if (s.direction) parts.push(DIRECTION_ARROW[s.direction]);
  // The Console's "Simulate uplink": its gateway `test` and RSSI +42 are made up (health leaves it out).
  if (s.simulated) parts.push('simulated');
  if (s.fPort !== undefined) parts.push(`FPort ${s.fPort}`);
  if (s.fCnt !== undefined) parts.push(`FCnt ${s.fCnt}`);
  // Best of each over all gateways (they may come from different gateways): say so when there are several.
  const best = s.gateways !== undefined && s.gateways > 1 ? 'best ' : '';
  if (s.rssi !== undefined) parts.push(`${best}RSSI ${s.rssi}`);
  if (s.snr !== undefined) parts.push(`${best}SNR ${s.snr}`);
  if (s.gateways !== undefined && s.gateways > 1) parts.push(`${s.gateways} gateways`);
  if (s.dataRate) parts.push(s.dataRate);
  if (s.preview) parts.push(s.preview);
  return parts.join(' · ');
}

/** A stream state in words, with a live countdown for retries. */
export function describeState(s: StreamState, now: number): string {
  switch (s.kind) {
    case 'idle':
      return 'idle';
    case 'connecting':
      return s.attempt > 1 ? `connecting (attempt ${s.attempt})` : 'connecting';
    case 'open':
      return 'live';
    case 'retrying':
      return `retrying in ${Math.max(0, Math.ceil((s.retryAt - now) / 1000))} s: ${s.lastError.message}`;
    case 'stopped':
      return `stopped: ${s.error ? s.error.message : s.reason}`;
  }
}

/** A stream that cannot deliver: retrying, or stopped by an error (not by the user). */
export function isStreamProblem(s: StreamState): boolean {
  return s.kind === 'retrying' || (s.kind === 'stopped' && !!s.error);
}

/** "3 min" style durations for hints. */
export function minutes(ms: number): string {
  const m = Math.floor(ms / 60_000);
  return m >= 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${m} min`;
}

/** Live streams carry no heartbeat: silence is normal for a quiet fleet, but past this the status bar says so. */
export const QUIET_AFTER_MS = 2 * 60_000;

/** The "no events for N min" hint of a stream, or undefined while it is not live or not quiet long enough. */
export function quietHint(state: StreamState, lastEventAt: number | undefined, now: number): string | undefined {
  if (state.kind !== 'open') return undefined;
  const quietFor = now - Math.max(lastEventAt ?? 0, state.since);
  return quietFor > QUIET_AFTER_MS ? `no events for ${minutes(quietFor)}` : undefined;
}

/**
 * How full the view is, for the status bar: "<1%" rather than "0%" while it holds anything (22 entries of
 * 100,000 are not none), and never "100%" before it is (it goes past 100% when older pages are added).
 */
export function viewFill(entries: number, capacity: number): string {
  if (entries <= 0) return '0%';
  const pct = (entries / capacity) * 100;
  if (pct < 1) return '<1%';
  return `${Math.floor(pct)}%`;
}

/** A count and its noun, agreeing: "1 message", "1,204 messages", "0 events". */
export function counted(n: number, noun: string, plural = `${noun}s`): string {
  return `${n.toLocaleString('en')} ${n === 1 ? noun : plural}`;
}
