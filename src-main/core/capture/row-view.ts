/**
 * A reusable view of one segment row at a time, shaped as an `EventSummary`: a query over a million
 * rows moves one view along instead of building a million objects.
 */
import { newSummary, type EventSummary } from '../../shared/domain/summary.js';

/** Bits of a segment's `bits` column: nanoseconds within the ms (20 bits), then fraction digits and flags. */
export const NANOS = 0xfffff;
export const DIGITS_SHIFT = 20;
export const KIND_STATUS = 1 << 22;
export const BACKFILLED = 1 << 23;
export const HAS_FPORT = 1 << 24;
export const HAS_FCNT = 1 << 25;
export const HAS_GATEWAYS = 1 << 26;
/** The time is kept as text (it does not round-trip through ms, nanos and digits). */
export const ODD_TIME = 1 << 27;
/** The row's line does not start where the previous row's ended (its offset is kept apart). */
export const JUMP = 1 << 28;
/** A simulated uplink (`EventSummary.simulated`). */
export const SIMULATED = 1 << 29;

/** What a view reads through: the owning segment. */
export interface RowSource {
  readonly base: number;
  readonly owner: { streamId: string };
  ms(row: number): number;
  time(row: number): string;
}

export interface Readers {
  bits(r: number): number;
  entityKind(r: number): string;
  direction(r: number): string | undefined;
  name(r: number): string;
  entity(r: number): string;
  application(r: number): string | undefined;
  devEui(r: number): string | undefined;
  devAddr(r: number): string | undefined;
  dataRate(r: number): string | undefined;
  errorName(r: number): string | undefined;
  fPort(r: number): number;
  fCnt(r: number): number;
  rssi(r: number): number;
  snr(r: number): number;
  gateways(r: number): number;
  frame(r: number): number;
  preview(r: number): string;
  correlationIds(r: number): string[];
  gatewayIds(r: number): string[];
  alsoOn(r: number): string[] | undefined;
}

/** "No links" without an array per row (a view never hands this one out to be changed). */
export const NONE: string[] = [];

const num = (v: number): number | undefined => (Number.isNaN(v) ? undefined : v);

/**
 * An `EventSummary` whose fields are read from the columns of the current row when asked: a query
 * over a million rows moves one view along instead of building a million objects.
 */

export class RowView implements EventSummary {
  row = 0;
  constructor(
    private readonly segment: RowSource,
    private readonly r: Readers,
  ) {}
  get id(): number {
    return this.segment.base + this.row;
  }
  get streamId(): string {
    return this.segment.owner.streamId;
  }
  get kind(): 'event' | 'status' {
    return this.r.bits(this.row) & KIND_STATUS ? 'status' : 'event';
  }
  get ms(): number {
    return this.segment.ms(this.row);
  }
  get time(): string {
    return this.segment.time(this.row);
  }
  get name(): string {
    return this.r.name(this.row);
  }
  get entity(): string {
    return this.r.entity(this.row);
  }
  get entityKind(): string {
    return this.r.entityKind(this.row);
  }
  get direction(): Direction {
    return this.r.direction(this.row) as Direction;
  }
  get application(): string | undefined {
    return this.r.application(this.row);
  }
  get devEui(): string | undefined {
    return this.r.devEui(this.row);
  }
  get devAddr(): string | undefined {
    return this.r.devAddr(this.row);
  }
  get dataRate(): string | undefined {
    return this.r.dataRate(this.row);
  }
  get errorName(): string | undefined {
    return this.r.errorName(this.row);
  }
  get fPort(): number | undefined {
    return this.r.bits(this.row) & HAS_FPORT ? this.r.fPort(this.row) : undefined;
  }
  get fCnt(): number | undefined {
    return this.r.bits(this.row) & HAS_FCNT ? this.r.fCnt(this.row) : undefined;
  }
  get rssi(): number | undefined {
    return num(this.r.rssi(this.row));
  }
  get snr(): number | undefined {
    return num(this.r.snr(this.row));
  }
  get frame(): number | undefined {
    return this.r.frame(this.row) || undefined;
  }
  get gateways(): number | undefined {
    return this.r.bits(this.row) & HAS_GATEWAYS ? this.r.gateways(this.row) : undefined;
  }
  get backfilled(): boolean | undefined {
    return this.r.bits(this.row) & BACKFILLED ? true : undefined;
  }
  get simulated(): true | undefined {
    return this.r.bits(this.row) & SIMULATED ? true : undefined;
  }
  get preview(): string {
    return this.r.preview(this.row);
  }
  get correlationIds(): string[] {
    const c = this.r.correlationIds(this.row);
    return c === NONE ? [] : c;
  }
  get gatewayIds(): string[] | undefined {
    const g = this.r.gatewayIds(this.row);
    return g.length ? g : undefined;
  }
  get streamIds(): string[] | undefined {
    const a = this.r.alsoOn(this.row);
    return a ? [this.segment.owner.streamId, ...a] : undefined;
  }
}

/** The summary of a view's current row as a plain object (nothing of the view is kept). */
export function summaryOf(v: RowView): EventSummary {
  const s = newSummary(
    v.id,
    v.streamId,
    v.kind,
    v.ms,
    v.time,
    v.name,
    v.entity,
    v.entityKind,
    v.preview,
    v.correlationIds,
  );
  // The optional fields stay `undefined` where the row has none (one shape for every summary: see newSummary).
  s.application = v.application;
  s.devEui = v.devEui;
  s.devAddr = v.devAddr;
  s.gatewayIds = v.gatewayIds;
  (s as { direction?: unknown }).direction = v.direction;
  s.fPort = v.fPort;
  s.fCnt = v.fCnt;
  s.rssi = v.rssi;
  s.snr = v.snr;
  s.gateways = v.gateways;
  s.frame = v.frame;
  s.dataRate = v.dataRate;
  s.errorName = v.errorName;
  s.simulated = v.simulated;
  s.backfilled = v.backfilled;
  s.streamIds = v.streamIds;
  return s;
}

/** The type of `EventSummary.direction` (a LoRaWAN message's direction), whatever it is declared as. */
type Direction = EventSummary extends { direction?: infer D } ? D : undefined;

export const deviceKeyOf = (application: string | undefined, entity: string): string =>
  `${application ?? ''}/${entity}`;

/**
 * Split an RFC 3339 time into what the columns keep: nanoseconds within the millisecond and how many
 * fraction digits it had. `exact` says whether `formatTime` gives the same text back.
 */
export function timeParts(time: string, ms: number): { nanos: number; digits: 0 | 3 | 6 | 9; exact: boolean } {
  const dot = time.indexOf('.', 19);
  const fraction = dot === 19 ? time.slice(20, time.length - 1) : '';
  const digits = fraction.length as 0 | 3 | 6 | 9;
  const nanos = digits > 3 ? Number(fraction.slice(3).padEnd(6, '0')) : 0;
  const exact =
    (digits === 0 || digits === 3 || digits === 6 || digits === 9) &&
    Number.isInteger(nanos) &&
    nanos >= 0 &&
    formatTime(ms, nanos, digits) === time;
  return { nanos: exact ? nanos : 0, digits: exact ? digits : 0, exact };
}

/** The ISO text of the second last asked for (events arrive in time order: one toISOString a second). */
let cachedSecond = NaN;
let cachedPrefix = '';

/**
 * `timeParts` as the bits column keeps it (nanos | digits / 3 << DIGITS_SHIFT), or -1 when the time is not
 * exact; the same answer without building the formatted text per entry: the fixed layout is checked
 * character by character against the second's ISO text, computed once per second.
 */
export function timeBits(time: string, ms: number): number {
  const len = time.length;
  if (len !== 20 && len !== 24 && len !== 27 && len !== 30) return -1;
  if (time.charCodeAt(len - 1) !== 0x5a /* Z */) return -1;
  if (!Number.isFinite(ms) || ms < 0 || ms > 253402300799999) return -1;
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 19);
    cachedSecond = second;
  }
  if (!time.startsWith(cachedPrefix)) return -1;
  if (len === 20) return 0;
  if (time.charCodeAt(19) !== 0x2e /* . */) return -1;
  // The milliseconds, then any further digits (all decimal digits, or formatTime would not give them back).
  const milli = ms - second * 1000;
  if (
    time.charCodeAt(20) !== 0x30 + Math.floor(milli / 100) ||
    time.charCodeAt(21) !== 0x30 + (Math.floor(milli / 10) % 10) ||
    time.charCodeAt(22) !== 0x30 + (milli % 10)
  )
    return -1;
  let nanos = 0;
  for (let i = 23; i < len - 1; i++) {
    const d = time.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    nanos = nanos * 10 + d;
  }
  if (len === 27) nanos *= 1000;
  return nanos | (((len - 21) / 3) << DIGITS_SHIFT);
}

export function formatTime(time: number, nanos: number, digits: number): string {
  if (!Number.isFinite(time) || time < 0 || time > 253402300799999) return '';
  const ms = Math.trunc(time); // as a Date clips it
  // Pages are in time order, so rows share their second: `toISOString` once per second, not per row (it was
  // a tenth of building a page's summaries).
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastPrefix = new Date(second * 1000).toISOString().slice(0, 19);
  }
  if (digits === 0) return `${lastPrefix}Z`;
  const milli = ms - second * 1000;
  const frac = milli < 10 ? `00${milli}` : milli < 100 ? `0${milli}` : `${milli}`;
  if (digits === 3) return `${lastPrefix}.${frac}Z`;
  const sub = String(nanos)
    .padStart(6, '0')
    .slice(0, digits - 3);
  return `${lastPrefix}.${frac}${sub}Z`;
}
let lastSecond = NaN;
let lastPrefix = '';
