/**
 * One segment of a capture: one NDJSON file and the columns that index its lines.
 *
 * Every entry is a row: typed columns for its numbers and string-table ids for its repeated strings.
 * Correlation IDs, gateways and the device are "links": (term, previous row with the same term), so
 * the entries of one correlation ID are a walk through the segment, newest first, with no list per ID.
 * Summaries are built only for the rows someone asks for.
 */
import type { EventSummary } from '../../shared/domain/summary.js';
import { f32, f64, i32, u16, u32, u8 } from './columns.js';
import type { CaptureFile } from './capture-file.js';
import { flat, StringTable } from './string-table.js';

/** Terms of the link columns: correlation IDs as they are; gateways and devices behind a prefix. */
export const GATEWAY_TERM = '\u0001';
export const DEVICE_TERM = '\u0002';

const KIND_STATUS = 1;
const BACKFILLED = 2;
const HAS_FPORT = 4;
const HAS_FCNT = 8;
const HAS_GATEWAYS = 16;
/** Bits 5-6: how many fraction digits the time had (0, 3, 6 or 9); 7: the time is kept as text. */
const DIGITS_SHIFT = 5;
const ODD_TIME = 128;

/** Strings shared by every segment of an index (bounded cardinality: names, IDs, EUIs, kinds). */
export class SharedTables {
  readonly fields = new StringTable();
}

/** What a stream's segment belongs to. */
export interface Owner {
  streamId: string;
  workspaceId: string;
}

export class Segment {
  readonly #ms = f64();
  readonly #nanos = u32();
  readonly #offset = f64();
  readonly #length = u32();
  readonly #flags = u8();
  readonly #entityKind = u8();
  /** Uplink, downlink or join (string-table id; 0 when the event carries no LoRaWAN message). */
  readonly #direction = u8();
  readonly #name = u32();
  readonly #entity = u32();
  readonly #application = u32();
  readonly #devEui = u32();
  readonly #devAddr = u32();
  readonly #dataRate = u32();
  readonly #errorName = u32();
  readonly #fPort = u16();
  readonly #fCnt = u32();
  readonly #rssi = f32();
  readonly #snr = f32();
  readonly #gateways = u8();
  /** First link of each row; a row's links end where the next row's begin. */
  readonly #linkStart = u32();
  readonly #linkTerm = u32();
  /** The previous link (in this segment) with the same term, or -1. */
  readonly #linkNext = i32();
  readonly #terms = new StringTable();
  /** Newest link of each term. */
  readonly #termHead = i32();
  readonly #preview: string[] = [];
  /** Times that do not round-trip through (ms, nanos, digits), by row. */
  readonly #oddTimes = new Map<number, string>();
  /** Other streams of the workspace that delivered the same event (one event, one row). */
  readonly #alsoOn = new Map<number, string[]>();
  #events = 0;
  #lastMs = 0;

  constructor(
    readonly no: number,
    readonly owner: Owner,
    /** The segment's file; none for entries kept in memory only (backfilled). */
    public file: CaptureFile | undefined,
    private readonly shared: SharedTables,
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
    const f = this.shared.fields;
    const row = this.#ms.length;
    const { nanos, digits, exact } = timeParts(s.time, s.ms);
    this.#ms.push(s.ms);
    this.#nanos.push(nanos);
    if (!exact) this.#oddTimes.set(row, flat(s.time));
    this.#offset.push(slot.offset);
    this.#length.push(slot.length);
    let flags = (digits / 3) << DIGITS_SHIFT;
    if (s.kind === 'status') flags |= KIND_STATUS;
    else this.#events++;
    if (s.backfilled) flags |= BACKFILLED;
    if (s.fPort !== undefined && s.fPort >= 0 && s.fPort <= 65535) flags |= HAS_FPORT;
    if (s.fCnt !== undefined && s.fCnt >= 0 && s.fCnt <= 0xffffffff) flags |= HAS_FCNT;
    if (s.gateways !== undefined) flags |= HAS_GATEWAYS;
    if (!exact) flags |= ODD_TIME;
    this.#flags.push(flags);
    this.#entityKind.push(f.id(s.entityKind));
    this.#direction.push(f.id((s as { direction?: string }).direction));
    this.#name.push(f.id(s.name));
    this.#entity.push(f.id(s.entity));
    this.#application.push(f.id(s.application));
    this.#devEui.push(f.id(s.devEui));
    this.#devAddr.push(f.id(s.devAddr));
    this.#dataRate.push(f.id(s.dataRate));
    this.#errorName.push(f.id(s.errorName));
    this.#fPort.push(flags & HAS_FPORT ? s.fPort! : 0);
    this.#fCnt.push(flags & HAS_FCNT ? s.fCnt! : 0);
    this.#rssi.push(s.rssi ?? NaN);
    this.#snr.push(s.snr ?? NaN);
    this.#gateways.push(Math.min(255, s.gateways ?? 0));
    this.#preview.push(s.preview ? flat(s.preview) : '');
    this.#linkStart.push(this.#linkTerm.length);
    for (const c of s.correlationIds) this.#link(c);
    for (const g of s.gatewayIds ?? []) this.#link(GATEWAY_TERM + g);
    if (s.entityKind === 'device') this.#link(DEVICE_TERM + deviceKeyOf(s.application, s.entity));
    if (s.ms > this.#lastMs) this.#lastMs = s.ms;
    return row;
  }

  #link(term: string): void {
    const t = this.#terms.id(term);
    while (this.#termHead.length <= t) this.#termHead.push(-1);
    this.#linkNext.push(this.#termHead.get(t));
    this.#termHead.set(t, this.#linkTerm.push(t));
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

  /** Rows carrying `term`, newest first; stop by returning false from `visit`. */
  withTerm(term: string, visit: (row: number) => boolean | void): void {
    const t = this.#terms.find(term);
    if (t === undefined) return;
    for (let link = this.#termHead.get(t); link >= 0; link = this.#linkNext.get(link)) {
      if (visit(this.#rowOfLink(link)) === false) return;
    }
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
    return (this.#flags.get(row) & KIND_STATUS) !== 0;
  }

  name(row: number): string {
    return this.shared.fields.str(this.#name.get(row));
  }

  time(row: number): string {
    const flags = this.#flags.get(row);
    if (flags & ODD_TIME) return this.#oddTimes.get(row) ?? '';
    return formatTime(this.#ms.get(row), this.#nanos.get(row), ((flags >> DIGITS_SHIFT) & 3) * 3);
  }

  /** The list summary of one row, built now (nothing of it is kept). */
  summary(row: number): EventSummary {
    const f = this.shared.fields;
    const flags = this.#flags.get(row);
    const links = this.#links(row);
    const s: EventSummary = {
      id: this.base + row,
      streamId: this.owner.streamId,
      kind: flags & KIND_STATUS ? 'status' : 'event',
      ms: this.#ms.get(row),
      time: this.time(row),
      name: f.str(this.#name.get(row)),
      entity: f.str(this.#entity.get(row)),
      entityKind: f.str(this.#entityKind.get(row)),
      preview: this.#preview[row]!,
      correlationIds: links.correlationIds,
    };
    const opt = (key: 'application' | 'devEui' | 'devAddr' | 'dataRate' | 'errorName', id: number) => {
      if (id !== 0) s[key] = f.str(id);
    };
    opt('application', this.#application.get(row));
    opt('devEui', this.#devEui.get(row));
    opt('devAddr', this.#devAddr.get(row));
    opt('dataRate', this.#dataRate.get(row));
    opt('errorName', this.#errorName.get(row));
    const direction = this.#direction.get(row);
    if (direction !== 0) (s as { direction?: string }).direction = f.str(direction);
    if (links.gatewayIds.length) s.gatewayIds = links.gatewayIds;
    if (flags & HAS_FPORT) s.fPort = this.#fPort.get(row);
    if (flags & HAS_FCNT) s.fCnt = this.#fCnt.get(row);
    const rssi = this.#rssi.get(row);
    const snr = this.#snr.get(row);
    if (!Number.isNaN(rssi)) s.rssi = decimal(rssi);
    if (!Number.isNaN(snr)) s.snr = decimal(snr);
    if (flags & HAS_GATEWAYS) s.gateways = this.#gateways.get(row);
    if (flags & BACKFILLED) s.backfilled = true;
    const also = this.#alsoOn.get(row);
    if (also) s.streamIds = [this.owner.streamId, ...also];
    return s;
  }

  #links(row: number): { correlationIds: string[]; gatewayIds: string[] } {
    const end = row + 1 < this.rows ? this.#linkStart.get(row + 1) : this.#linkTerm.length;
    const correlationIds: string[] = [];
    const gatewayIds: string[] = [];
    for (let l = this.#linkStart.get(row); l < end; l++) {
      const term = this.#terms.str(this.#linkTerm.get(l));
      const c = term.charCodeAt(0);
      if (c === 1) gatewayIds.push(term.slice(1));
      else if (c !== 2) correlationIds.push(term);
    }
    return { correlationIds, gatewayIds };
  }

  /** A reusable view of one row at a time, for evaluating a query without building summaries. */
  view(): RowView {
    return new RowView(this, this.shared.fields, {
      flags: (r) => this.#flags.get(r),
      entityKind: (r) => this.#entityKind.get(r),
      direction: (r) => this.#direction.get(r),
      name: (r) => this.#name.get(r),
      entity: (r) => this.#entity.get(r),
      application: (r) => this.#application.get(r),
      devEui: (r) => this.#devEui.get(r),
      devAddr: (r) => this.#devAddr.get(r),
      dataRate: (r) => this.#dataRate.get(r),
      errorName: (r) => this.#errorName.get(r),
      fPort: (r) => this.#fPort.get(r),
      fCnt: (r) => this.#fCnt.get(r),
      rssi: (r) => this.#rssi.get(r),
      snr: (r) => this.#snr.get(r),
      gateways: (r) => this.#gateways.get(r),
      preview: (r) => this.#preview[r]!,
      links: (r) => this.#links(r),
      alsoOn: (r) => this.#alsoOn.get(r),
    });
  }

  /** Bytes of index memory this segment's columns hold (not its strings). */
  get columnBytes(): number {
    return [this.#ms, this.#nanos, this.#offset, this.#length, this.#flags, this.#entityKind, this.#direction, this.#name, this.#entity, this.#application, this.#devEui, this.#devAddr, this.#dataRate, this.#errorName, this.#fPort, this.#fCnt, this.#rssi, this.#snr, this.#gateways, this.#linkStart, this.#linkTerm, this.#linkNext, this.#termHead].reduce((n, c) => n + c.bytes, 0);
  }

  /** The segment is full: give back the columns' spare capacity. */
  seal(): void {
    for (const c of [this.#ms, this.#nanos, this.#offset, this.#length, this.#flags, this.#entityKind, this.#direction, this.#name, this.#entity, this.#application, this.#devEui, this.#devAddr, this.#dataRate, this.#errorName, this.#fPort, this.#fCnt, this.#rssi, this.#snr, this.#gateways, this.#linkStart, this.#linkTerm, this.#linkNext, this.#termHead]) c.trim();
  }
}

interface Readers {
  flags(r: number): number;
  entityKind(r: number): number;
  direction(r: number): number;
  name(r: number): number;
  entity(r: number): number;
  application(r: number): number;
  devEui(r: number): number;
  devAddr(r: number): number;
  dataRate(r: number): number;
  errorName(r: number): number;
  fPort(r: number): number;
  fCnt(r: number): number;
  rssi(r: number): number;
  snr(r: number): number;
  gateways(r: number): number;
  preview(r: number): string;
  links(r: number): { correlationIds: string[]; gatewayIds: string[] };
  alsoOn(r: number): string[] | undefined;
}

/**
 * An `EventSummary` whose fields are read from the columns of the current row when asked: a query
 * over a million rows moves one view along instead of building a million objects.
 */
export class RowView implements EventSummary {
  row = 0;
  constructor(private readonly segment: Segment, private readonly f: StringTable, private readonly r: Readers) {}
  get id(): number { return this.segment.base + this.row; }
  get streamId(): string { return this.segment.owner.streamId; }
  get kind(): 'event' | 'status' { return this.r.flags(this.row) & KIND_STATUS ? 'status' : 'event'; }
  get ms(): number { return this.segment.ms(this.row); }
  get time(): string { return this.segment.time(this.row); }
  get name(): string { return this.f.str(this.r.name(this.row)); }
  get entity(): string { return this.f.str(this.r.entity(this.row)); }
  get entityKind(): string { return this.f.str(this.r.entityKind(this.row)); }
  get direction(): Direction { return this.f.opt(this.r.direction(this.row)) as Direction; }
  get application(): string | undefined { return this.f.opt(this.r.application(this.row)); }
  get devEui(): string | undefined { return this.f.opt(this.r.devEui(this.row)); }
  get devAddr(): string | undefined { return this.f.opt(this.r.devAddr(this.row)); }
  get dataRate(): string | undefined { return this.f.opt(this.r.dataRate(this.row)); }
  get errorName(): string | undefined { return this.f.opt(this.r.errorName(this.row)); }
  get fPort(): number | undefined { return this.r.flags(this.row) & HAS_FPORT ? this.r.fPort(this.row) : undefined; }
  get fCnt(): number | undefined { return this.r.flags(this.row) & HAS_FCNT ? this.r.fCnt(this.row) : undefined; }
  get rssi(): number | undefined { const v = this.r.rssi(this.row); return Number.isNaN(v) ? undefined : decimal(v); }
  get snr(): number | undefined { const v = this.r.snr(this.row); return Number.isNaN(v) ? undefined : decimal(v); }
  get gateways(): number | undefined { return this.r.flags(this.row) & HAS_GATEWAYS ? this.r.gateways(this.row) : undefined; }
  get backfilled(): boolean | undefined { return this.r.flags(this.row) & BACKFILLED ? true : undefined; }
  get preview(): string { return this.r.preview(this.row); }
  get correlationIds(): string[] { return this.r.links(this.row).correlationIds; }
  get gatewayIds(): string[] | undefined { const g = this.r.links(this.row).gatewayIds; return g.length ? g : undefined; }
  get streamIds(): string[] | undefined { const a = this.r.alsoOn(this.row); return a ? [this.segment.owner.streamId, ...a] : undefined; }
}

/** A float32 back as the decimal it was written as (-80.5, 6.8): seven significant digits. */
const decimal = (v: number): number => Number(v.toPrecision(7));

/** The type of `EventSummary.direction` (a LoRaWAN message's direction), whatever it is declared as. */
type Direction = EventSummary extends { direction?: infer D } ? D : undefined;

export const deviceKeyOf = (application: string | undefined, entity: string): string => `${application ?? ''}/${entity}`;

/**
 * Split an RFC 3339 time into what the columns keep: nanoseconds within the millisecond and how many
 * fraction digits it had. `exact` says whether `formatTime` gives the same text back.
 */
export function timeParts(time: string, ms: number): { nanos: number; digits: 0 | 3 | 6 | 9; exact: boolean } {
  const dot = time.indexOf('.', 19);
  const fraction = dot === 19 ? time.slice(20, time.length - 1) : '';
  const digits = fraction.length as 0 | 3 | 6 | 9;
  const nanos = digits > 3 ? Number(fraction.slice(3).padEnd(6, '0')) : 0;
  const exact = (digits === 0 || digits === 3 || digits === 6 || digits === 9) && Number.isFinite(nanos) && formatTime(ms, nanos, digits) === time;
  return { nanos: exact ? nanos : 0, digits: exact ? digits : 0, exact };
}

export function formatTime(ms: number, nanos: number, digits: number): string {
  if (!Number.isFinite(ms) || ms < 0 || ms > 253402300799999) return '';
  const iso = new Date(ms).toISOString();
  if (digits === 0) return `${iso.slice(0, 19)}Z`;
  if (digits === 3) return iso;
  const sub = String(nanos).padStart(6, '0').slice(0, digits - 3);
  return `${iso.slice(0, 23)}${sub}Z`;
}
