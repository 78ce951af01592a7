/**
 * One segment of a capture: one NDJSON file and the columns that index its lines.
 *
 * Every entry is a row: typed columns for its numbers and string-table ids for its repeated strings.
 * Correlation IDs, gateways and the device are "links" (term, previous link with the same term), so
 * the entries of one correlation ID are a walk through the segment, newest first, with no list per ID.
 * Summaries are built only for the rows someone asks for.
 */
import type { EventSummary } from '../../shared/domain/summary.js';
import { f64, i16, i32, u16, u32, u8, type Column } from './columns.js';
import type { CaptureFile } from './capture-file.js';
import { CorrKeys } from './corr-key.js';
import { flat, StringTable } from './string-table.js';

/** Bits of the `bits` column: nanoseconds within the ms (20 bits), then fraction digits and flags. */
const NANOS = 0xfffff;
const DIGITS_SHIFT = 20;
const KIND_STATUS = 1 << 22;
const BACKFILLED = 1 << 23;
const HAS_FPORT = 1 << 24;
const HAS_FCNT = 1 << 25;
const HAS_GATEWAYS = 1 << 26;
/** The time is kept as text (it does not round-trip through ms, nanos and digits). */
const ODD_TIME = 1 << 27;

/** Link kinds, in the top bits of a link's term. */
const CORR = 0;
const GATEWAY = 1;
const DEVICE = 2;
const KIND_SHIFT = 30;
const TERM = (1 << KIND_SHIFT) - 1;

/** Term prefixes of `withTerm`: a gateway ID or a device key instead of a correlation ID. */
export const GATEWAY_TERM = '\u0001';
export const DEVICE_TERM = '\u0002';

/** Strings shared by every segment of an index (bounded cardinality: names, IDs, EUIs, kinds). */
export class SharedTables {
  readonly names = new StringTable();
  /** Entity kinds and message directions: a handful of values (one byte per row). */
  readonly kinds = new StringTable();
  /** Data rates and error names: hundreds of values at most. */
  readonly small = new StringTable();
  readonly ids = new StringTable();
  readonly devices = new StringTable();
  readonly corr = new CorrKeys();
}

/** What a stream's segment belongs to. */
export interface Owner {
  streamId: string;
  workspaceId: string;
}

/** A narrow column with a sentinel for "absent" and a sparse map for values that do not fit. */
class Narrow {
  readonly #wide = new Map<number, number>();
  constructor(
    readonly col: Column<Uint8Array | Uint16Array | Int16Array | Uint32Array>,
    private readonly fits: (v: number) => boolean,
    private readonly escape: number,
    private readonly scale = 1,
    private readonly absent = NaN,
  ) {}
  push(v: number | undefined, absent: number): void {
    if (v === undefined) return void this.col.push(absent);
    const scaled = v * this.scale;
    if (this.fits(scaled) && Number.isInteger(scaled)) return void this.col.push(scaled);
    this.#wide.set(this.col.push(this.escape), v);
  }
  get(row: number): number {
    const v = this.col.get(row);
    if (v === this.absent) return NaN;
    return v === this.escape ? (this.#wide.get(row) ?? NaN) : v / this.scale;
  }
}

const I16_ABSENT = -32768;
const I16_ESCAPE = -32767;

export class Segment {
  readonly #ms = f64();
  readonly #bits = u32();
  readonly #offset = new Narrow(u32(), (v) => v < 0xffffffff, 0xffffffff);
  readonly #length = u32();
  readonly #entityKind = new Narrow(u8(), (v) => v < 255, 255);
  readonly #direction = new Narrow(u8(), (v) => v < 255, 255);
  readonly #name = new Narrow(u16(), (v) => v < 0xffff, 0xffff);
  readonly #dataRate = new Narrow(u16(), (v) => v < 0xffff, 0xffff);
  readonly #errorName = new Narrow(u16(), (v) => v < 0xffff, 0xffff);
  readonly #entity = u32();
  readonly #application = u32();
  readonly #devEui = u32();
  readonly #devAddr = u32();
  readonly #fPort = new Narrow(u8(), (v) => v >= 0 && v < 255, 255);
  readonly #fCnt = new Narrow(u32(), (v) => v >= 0 && v < 0xffffffff, 0xffffffff);
  readonly #rssi = new Narrow(i16(), (v) => v > I16_ESCAPE && v <= 32767, I16_ESCAPE, 100, I16_ABSENT);
  readonly #snr = new Narrow(i16(), (v) => v > I16_ESCAPE && v <= 32767, I16_ESCAPE, 100, I16_ABSENT);
  readonly #gateways = new Narrow(u8(), (v) => v >= 0 && v < 255, 255);
  /** A frame header's cheap bits (shared/domain/frame-bits.ts): message type, ADR, ACK; 0 = none. */
  readonly #frame = u8();
  /** First link of each row; a row's links end where the next row's begin. */
  readonly #linkStart = u32();
  readonly #linkTerm = u32();
  /** The previous link (in this segment) with the same term, or -1. */
  readonly #linkNext = i32();
  /** Correlation IDs of this segment (compact keys), and the newest link of each. */
  readonly #corr = new StringTable();
  readonly #corrHead = i32();
  /** Newest link of each gateway and device (by shared-table id). */
  readonly #heads = [new Map<number, number>(), new Map<number, number>(), new Map<number, number>()];
  readonly #preview: string[] = [];
  readonly #oddTimes = new Map<number, string>();
  /** Other streams of the workspace that delivered the same event (one event, one row). */
  readonly #alsoOn = new Map<number, string[]>();
  #events = 0;
  #lastMs = 0;
  /** The view `summary` reads a row through (one per segment, not one per call). */
  #summaryView: RowView | undefined;

  constructor(
    readonly no: number,
    readonly owner: Owner,
    /** The segment's file; none for entries kept in memory only (backfilled). */
    public file: CaptureFile | undefined,
    private readonly t: SharedTables,
    /** Id of row 0; ids of this segment are `base + row`. */
    readonly base: number,
  ) {}

  /** Give a segment rebuilt from its file that file, to append to. */
  attach(file: CaptureFile): void {
    this.file = file;
  }

  get rows(): number {
    return this.#ms.length;
  }

  get events(): number {
    return this.#events;
  }

  /** Time (ms) of the newest entry by event time. */
  get lastMs(): number {
    return this.#lastMs;
  }

  /** Index one entry whose line is at `slot` in this segment's file; returns its row. */
  add(s: EventSummary, slot: { offset: number; length: number }): number {
    const t = this.t;
    const row = this.#ms.length;
    const { nanos, digits, exact } = timeParts(s.time, s.ms);
    let bits = nanos | ((digits / 3) << DIGITS_SHIFT);
    if (s.kind === 'status') bits |= KIND_STATUS;
    else this.#events++;
    if (s.backfilled) bits |= BACKFILLED;
    if (s.fPort !== undefined) bits |= HAS_FPORT;
    if (s.fCnt !== undefined) bits |= HAS_FCNT;
    if (s.gateways !== undefined) bits |= HAS_GATEWAYS;
    if (!exact) {
      bits |= ODD_TIME;
      this.#oddTimes.set(row, flat(s.time));
    }
    this.#ms.push(s.ms);
    this.#bits.push(bits >>> 0);
    this.#offset.push(slot.offset, 0);
    this.#length.push(slot.length);
    this.#entityKind.push(t.kinds.id(s.entityKind), 0);
    this.#direction.push(t.kinds.id((s as { direction?: string }).direction), 0);
    this.#name.push(t.names.id(s.name), 0);
    this.#dataRate.push(t.small.id(s.dataRate), 0);
    this.#errorName.push(t.small.id(s.errorName), 0);
    this.#entity.push(t.ids.id(s.entity));
    this.#application.push(t.ids.id(s.application));
    this.#devEui.push(t.ids.id(s.devEui));
    this.#devAddr.push(t.ids.id(s.devAddr));
    this.#fPort.push(s.fPort, 0);
    this.#fCnt.push(s.fCnt, 0);
    this.#rssi.push(s.rssi, I16_ABSENT);
    this.#snr.push(s.snr, I16_ABSENT);
    this.#gateways.push(s.gateways, 0);
    this.#frame.push(s.frame ?? 0);
    this.#preview.push(s.preview ? flat(s.preview) : '');
    this.#linkStart.push(this.#linkTerm.length);
    for (const c of s.correlationIds) this.#link(CORR, this.#corr.id(t.corr.key(c)));
    for (const g of s.gatewayIds ?? []) this.#link(GATEWAY, t.ids.id(g));
    if (s.entityKind === 'device') this.#link(DEVICE, t.devices.id(deviceKeyOf(s.application, s.entity)));
    if (s.ms > this.#lastMs) this.#lastMs = s.ms;
    return row;
  }

  #link(kind: number, term: number): void {
    let head: number;
    if (kind === CORR) {
      while (this.#corrHead.length <= term) this.#corrHead.push(-1);
      head = this.#corrHead.get(term);
    } else head = this.#heads[kind]!.get(term) ?? -1;
    this.#linkNext.push(head);
    const link = this.#linkTerm.push(((kind << KIND_SHIFT) | term) >>> 0);
    if (kind === CORR) this.#corrHead.set(term, link);
    else this.#heads[kind]!.set(term, link);
  }

  /** Note that another stream of the workspace delivered the entry at `row` too. */
  alsoOn(row: number, streamId: string): boolean {
    if (streamId === this.owner.streamId) return false;
    const list = this.#alsoOn.get(row) ?? [];
    if (list.includes(streamId)) return false;
    list.push(streamId);
    this.#alsoOn.set(row, list);
    return true;
  }

  /** Rows carrying a correlation ID, newest first; stop by returning false from `visit`. */
  withCorrelationId(id: string, visit: (row: number) => boolean | void): void {
    const key = this.t.corr.key(id, false);
    const term = key === undefined ? undefined : this.#corr.find(key);
    if (term !== undefined) this.#walk(this.#corrHead.get(term), visit);
  }

  /** Rows of one device (`application/device`), newest first. */
  withDevice(deviceKey: string, visit: (row: number) => boolean | void): void {
    const term = this.t.devices.find(deviceKey);
    if (term !== undefined) this.#walk(this.#heads[DEVICE]!.get(term) ?? -1, visit);
  }

  /** Rows naming a gateway, newest first. */
  withGateway(gatewayId: string, visit: (row: number) => boolean | void): void {
    const term = this.t.ids.find(gatewayId);
    if (term !== undefined) this.#walk(this.#heads[GATEWAY]!.get(term) ?? -1, visit);
  }

  /** Rows of a correlation ID, or of `GATEWAY_TERM + id` / `DEVICE_TERM + key`, newest first. */
  withTerm(term: string, visit: (row: number) => boolean | void): void {
    if (term.startsWith(GATEWAY_TERM)) this.withGateway(term.slice(1), visit);
    else if (term.startsWith(DEVICE_TERM)) this.withDevice(term.slice(1), visit);
    else this.withCorrelationId(term, visit);
  }

  #walk(head: number, visit: (row: number) => boolean | void): void {
    for (let link = head; link >= 0; link = this.#linkNext.get(link))
      if (visit(this.#rowOfLink(link)) === false) return;
  }

  #rowOfLink(link: number): number {
    let lo = 0;
    let hi = this.rows - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.#linkStart.get(mid) <= link) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  ms(row: number): number {
    return this.#ms.get(row);
  }

  slot(row: number): { offset: number; length: number } {
    return { offset: this.#offset.get(row), length: this.#length.get(row) };
  }

  isStatus(row: number): boolean {
    return (this.#bits.get(row) & KIND_STATUS) !== 0;
  }

  name(row: number): string {
    return this.t.names.str(this.#name.get(row));
  }

  time(row: number): string {
    const bits = this.#bits.get(row);
    if (bits & ODD_TIME) return this.#oddTimes.get(row) ?? '';
    return formatTime(this.#ms.get(row), bits & NANOS, ((bits >>> DIGITS_SHIFT) & 3) * 3);
  }

  /** The list summary of one row, built now (nothing of it is kept). */
  summary(row: number): EventSummary {
    const v = (this.#summaryView ??= this.view());
    v.row = row;
    const s: EventSummary = {
      id: v.id,
      streamId: v.streamId,
      kind: v.kind,
      ms: v.ms,
      time: v.time,
      name: v.name,
      entity: v.entity,
      entityKind: v.entityKind,
      preview: v.preview,
      correlationIds: v.correlationIds,
    };
    const opt = <K extends keyof EventSummary>(key: K, value: EventSummary[K] | undefined) => {
      if (value !== undefined) s[key] = value;
    };
    opt('application', v.application);
    opt('devEui', v.devEui);
    opt('devAddr', v.devAddr);
    opt('gatewayIds', v.gatewayIds);
    if (v.direction !== undefined) (s as { direction?: unknown }).direction = v.direction;
    opt('fPort', v.fPort);
    opt('fCnt', v.fCnt);
    opt('rssi', v.rssi);
    opt('snr', v.snr);
    opt('gateways', v.gateways);
    opt('frame', v.frame);
    opt('dataRate', v.dataRate);
    opt('errorName', v.errorName);
    opt('backfilled', v.backfilled);
    opt('streamIds', v.streamIds);
    return s;
  }

  /** A reusable view of one row at a time, for evaluating a query without building summaries. */
  view(): RowView {
    const t = this.t;
    /** The strings of one row's links of one kind (no array when there are none). */
    const links = (r: number, kind: number, str: (term: number) => string): string[] => {
      const end = r + 1 < this.rows ? this.#linkStart.get(r + 1) : this.#linkTerm.length;
      let out: string[] | undefined;
      for (let l = this.#linkStart.get(r); l < end; l++) {
        const term = this.#linkTerm.get(l);
        if (term >>> KIND_SHIFT === kind) (out ??= []).push(str(term & TERM));
      }
      return out ?? NONE;
    };
    const corr = (term: number) => t.corr.id(this.#corr.str(term));
    const gateway = (term: number) => t.ids.str(term);
    return new RowView(this, {
      bits: (r) => this.#bits.get(r),
      entityKind: (r) => t.kinds.str(this.#entityKind.get(r)),
      direction: (r) => t.kinds.opt(this.#direction.get(r)),
      name: (r) => t.names.str(this.#name.get(r)),
      entity: (r) => t.ids.str(this.#entity.get(r)),
      application: (r) => t.ids.opt(this.#application.get(r)),
      devEui: (r) => t.ids.opt(this.#devEui.get(r)),
      devAddr: (r) => t.ids.opt(this.#devAddr.get(r)),
      dataRate: (r) => t.small.opt(this.#dataRate.get(r)),
      errorName: (r) => t.small.opt(this.#errorName.get(r)),
      fPort: (r) => this.#fPort.get(r),
      fCnt: (r) => this.#fCnt.get(r),
      rssi: (r) => this.#rssi.get(r),
      snr: (r) => this.#snr.get(r),
      gateways: (r) => this.#gateways.get(r),
      frame: (r) => this.#frame.get(r),
      preview: (r) => this.#preview[r]!,
      correlationIds: (r) => links(r, CORR, corr),
      gatewayIds: (r) => links(r, GATEWAY, gateway),
      alsoOn: (r) => this.#alsoOn.get(r),
    });
  }

  /** Bytes of index memory this segment's columns hold (not its strings). */
  get columnBytes(): number {
    const cols = [
      this.#ms,
      this.#bits,
      this.#offset.col,
      this.#length,
      this.#entityKind.col,
      this.#direction.col,
      this.#name.col,
      this.#dataRate.col,
      this.#errorName.col,
      this.#entity,
      this.#application,
      this.#devEui,
      this.#devAddr,
      this.#fPort.col,
      this.#fCnt.col,
      this.#rssi.col,
      this.#snr.col,
      this.#gateways.col,
      this.#frame,
      this.#linkStart,
      this.#linkTerm,
      this.#linkNext,
      this.#corrHead,
    ];
    return cols.reduce((n, c) => n + c.bytes, 0);
  }

  /** The segment is full: give back the columns' spare capacity. */
  seal(): void {
    const cols = [
      this.#ms,
      this.#bits,
      this.#offset.col,
      this.#length,
      this.#entityKind.col,
      this.#direction.col,
      this.#name.col,
      this.#dataRate.col,
      this.#errorName.col,
      this.#entity,
      this.#application,
      this.#devEui,
      this.#devAddr,
      this.#fPort.col,
      this.#fCnt.col,
      this.#rssi.col,
      this.#snr.col,
      this.#gateways.col,
      this.#frame,
      this.#linkStart,
      this.#linkTerm,
      this.#linkNext,
      this.#corrHead,
    ];
    for (const c of cols) c.trim();
  }
}

interface Readers {
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
const NONE: string[] = [];

const num = (v: number): number | undefined => (Number.isNaN(v) ? undefined : v);

/**
 * An `EventSummary` whose fields are read from the columns of the current row when asked: a query
 * over a million rows moves one view along instead of building a million objects.
 */
export class RowView implements EventSummary {
  row = 0;
  constructor(
    private readonly segment: Segment,
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

export function formatTime(ms: number, nanos: number, digits: number): string {
  if (!Number.isFinite(ms) || ms < 0 || ms > 253402300799999) return '';
  const iso = new Date(ms).toISOString();
  if (digits === 0) return `${iso.slice(0, 19)}Z`;
  if (digits === 3) return iso;
  const sub = String(nanos)
    .padStart(6, '0')
    .slice(0, digits - 3);
  return `${iso.slice(0, 23)}${sub}Z`;
}
