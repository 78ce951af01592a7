/**
 * One segment of a capture: one NDJSON file and the columns that index its lines.
 *
 * Every entry is a row of narrow typed columns: time as a 32-bit delta from the segment's first row,
 * line length (offsets are summed from every 64th row), and two tuple ids: "what" (name, direction,
 * data rate, error, frame bits) and "who" (entity kind, entity, application, DevEUI, DevAddr). The
 * preview is UTF-8 in a byte pool. Correlation IDs, gateways and the device are "links" (term,
 * distance to the previous link with the same term), so the entries of one correlation ID are a walk
 * through the segment, newest first, with no list per ID. Summaries are built only when asked for.
 */
import type { EventSummary } from '../../shared/domain/summary.js';
import { Column, f64, i16, Ids, LocalIds, u16, u32, u8 } from './columns.js';
import type { CaptureFile } from './capture-file.js';
import { CorrKeys } from './corr-key.js';
import { CorrTerms } from './corr-terms.js';
import { PreviewPool } from './preview-pool.js';
import * as B from './row-view.js';
import { deviceKeyOf, formatTime, NONE, RowView, timeBits } from './row-view.js';
import { flat, StringTable, TupleTable } from './string-table.js';

export { deviceKeyOf, formatTime, RowView, timeBits, timeParts } from './row-view.js';

/** Link kinds, in the top bits of a link. */
const CORR = 0;
const GATEWAY = 1;
const DEVICE = 2;
/** The term did not fit the link: it is in `#farTerm`. */
const FAR = 3;
const KIND_SHIFT = 30;
const TERM_SHIFT = 16;
const TERM_BITS = 0x3fff;
/** A correlation term is kept relative to the block's first new term (recent terms fit 14 bits). */
const TERM_BIAS = 0x2000;
const NEXT_FAR = 0xffff;

/** Every 64th row keeps where its file line, links and terms begin. */
const BLOCK_SHIFT = 6;
const BLOCK = 1 << BLOCK_SHIFT;

/** Fields of the "what" and "who" tuples. */
const W_NAME = 0;
const W_DIR = 1;
const W_DR = 2;
const W_ERR = 3;
const W_FRAME = 4;
const P_KIND = 0;
const P_ENTITY = 1;
const P_APP = 2;
const P_EUI = 3;
const P_ADDR = 4;
/** Fields of a "who" tuple; field 0 (the kind) is from `kinds`, the others from `ids`. */
export const WHO_WIDTH = 5;

/** Term prefixes of `withTerm`: a gateway ID or a device key instead of a correlation ID. */
export const GATEWAY_TERM = '\u0001';
export const DEVICE_TERM = '\u0002';

/** Strings shared by every segment of an index (bounded cardinality: names, IDs, EUIs, kinds). */
export class SharedTables {
  readonly names = new StringTable();
  /** Entity kinds and message directions: a handful of values. */
  readonly kinds = new StringTable();
  /** Data rates and error names: hundreds of values at most. */
  readonly small = new StringTable();
  readonly ids = new StringTable();
  readonly devices = new StringTable();
  readonly corr = new CorrKeys();
  readonly what = new TupleTable(5);
  readonly who = new TupleTable(5);
  /** `devices` id + 1 of each "who" tuple of a device (0 = not known yet): no key string per entry. */
  deviceOfWho = new Uint32Array(1024);
  /** Reused for the tuple of each new row (the tables copy the values). */
  readonly scratch = [0, 0, 0, 0, 0];

  /** The `devices` id of a device's "who" tuple (its `application/device` key). */
  deviceTerm(who: number, application: string | undefined, entity: string): number {
    if (who >= this.deviceOfWho.length) {
      const grown = new Uint32Array(Math.max(who + 1, this.deviceOfWho.length * 2));
      grown.set(this.deviceOfWho);
      this.deviceOfWho = grown;
    }
    const known = this.deviceOfWho[who]!;
    if (known !== 0) return known - 1;
    const id = this.devices.id(deviceKeyOf(application, entity));
    this.deviceOfWho[who] = id + 1;
    return id;
  }
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
    readonly col: Column<Uint8Array | Uint16Array | Int16Array | Uint32Array | Int32Array>,
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
const I32_ESCAPE = -0x80000000;

/** An empty summary, for a probe to set what one tuple of a row says, nothing else. */
const probe = (): EventSummary => ({
  id: 0,
  streamId: '',
  kind: 'event',
  ms: NaN,
  time: '',
  name: '',
  entity: '',
  entityKind: '',
  preview: '',
  correlationIds: [],
});

export class Segment {
  /** Event time as ms after the first row's (`#baseMs`); others in `#msFar`. */
  readonly #ms = new Narrow(new Column((n) => new Int32Array(n)), (v) => v > I32_ESCAPE && v <= 0x7fffffff, I32_ESCAPE);
  #baseMs = 0;
  readonly #bits = u32();
  readonly #length = new Narrow(u16(), (v) => v >= 0 && v < 0xffff, 0xffff);
  /** File offset of rows 0, 64, 128, … and of rows that do not follow their predecessor (JUMP). */
  readonly #offsetAt = f64();
  readonly #jumps = new Map<number, number>();
  #end = 0;
  readonly #what = new Ids();
  readonly #who = new LocalIds();
  readonly #fPort = new Narrow(u8(), (v) => v >= 0 && v < 255, 255);
  readonly #fCnt = new Ids();
  readonly #fCntFar = new Map<number, number>();
  readonly #rssi = new Narrow(i16(), (v) => v > I16_ESCAPE && v <= 32767, I16_ESCAPE, 100, I16_ABSENT);
  readonly #snr = new Narrow(i16(), (v) => v > I16_ESCAPE && v <= 32767, I16_ESCAPE, 100, I16_ABSENT);
  readonly #gateways = new Narrow(u8(), (v) => v >= 0 && v < 255, 255);
  readonly #preview = new PreviewPool();
  /** Links per row; the first link and the first new correlation term of rows 0, 64, 128, … */
  readonly #linkCount = new Narrow(u8(), (v) => v < 255, 255);
  readonly #linkAt = f64();
  readonly #termAt = f64();
  /** Each link: kind, term and the distance back to the previous link with the same term. */
  readonly #link = u32();
  readonly #farTerm = new Map<number, number>();
  readonly #farNext = new Map<number, number>();
  /** Correlation IDs of this segment, each with its newest link. */
  readonly #corr: CorrTerms;
  /** Newest link of each gateway and device (by shared-table id). */
  readonly #heads = [new Map<number, number>(), new Map<number, number>(), new Map<number, number>()];
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
  ) {
    this.#corr = new CorrTerms(t.corr);
  }

  /** Give a segment rebuilt from its file that file, to append to. */
  attach(file: CaptureFile): void {
    this.file = file;
  }

  get rows(): number {
    return this.#bits.length;
  }

  get events(): number {
    return this.#events;
  }

  /** Time (ms) of the newest entry by event time. */
  get lastMs(): number {
    return this.#lastMs;
  }

  /**
   * Index one entry whose line is at `slot` in this segment's file; returns its row. Only the fields
   * of `EventSummary` are read (nothing of `s` is kept), so a caller may build `s` however it likes.
   */
  add(s: EventSummary, slot: { offset: number; length: number }): number {
    const t = this.t;
    const row = this.#bits.length;
    const time = timeBits(s.time, s.ms);
    const exact = time >= 0;
    let bits = exact ? time : 0;
    if (s.kind === 'status') bits |= B.KIND_STATUS;
    else this.#events++;
    if (s.backfilled) bits |= B.BACKFILLED;
    if (s.fPort !== undefined) bits |= B.HAS_FPORT;
    if (s.fCnt !== undefined) bits |= B.HAS_FCNT;
    if (s.gateways !== undefined) bits |= B.HAS_GATEWAYS;
    if (!exact) {
      bits |= B.ODD_TIME;
      this.#oddTimes.set(row, flat(s.time));
    }
    const block = (row & (BLOCK - 1)) === 0;
    if (block) {
      this.#offsetAt.push(slot.offset);
      this.#linkAt.push(this.#link.length);
      this.#termAt.push(this.#corr.size);
    } else if (slot.offset !== this.#end) {
      bits |= B.JUMP;
      this.#jumps.set(row, slot.offset);
    }
    this.#end = slot.offset + slot.length;
    if (row === 0 && Number.isFinite(s.ms)) this.#baseMs = s.ms;
    this.#ms.push(s.ms - this.#baseMs, 0);
    this.#bits.push(bits >>> 0);
    this.#length.push(slot.length, 0);
    const direction = (s as { direction?: string }).direction;
    const tuple = t.scratch;
    tuple[W_NAME] = t.names.id(s.name);
    tuple[W_DIR] = t.kinds.id(direction);
    tuple[W_DR] = t.small.id(s.dataRate);
    tuple[W_ERR] = t.small.id(s.errorName);
    tuple[W_FRAME] = s.frame ?? 0;
    this.#what.push(t.what.id(tuple));
    tuple[P_KIND] = t.kinds.id(s.entityKind);
    tuple[P_ENTITY] = t.ids.id(s.entity);
    tuple[P_APP] = t.ids.id(s.application);
    tuple[P_EUI] = t.ids.id(s.devEui);
    tuple[P_ADDR] = t.ids.id(s.devAddr);
    const who = t.who.id(tuple);
    this.#who.push(who);
    this.#fPort.push(s.fPort, 0);
    const fCnt = s.fCnt ?? 0;
    if (Number.isInteger(fCnt) && fCnt >= 0 && fCnt < 0xffffffff) this.#fCnt.push(fCnt);
    else this.#fCntFar.set(this.#fCnt.push(0xffffffff), fCnt);
    this.#rssi.push(s.rssi, I16_ABSENT);
    this.#snr.push(s.snr, I16_ABSENT);
    this.#gateways.push(s.gateways, 0);
    this.#preview.push(s.preview ?? '');
    const first = this.#link.length;
    for (const c of s.correlationIds) this.#addLink(CORR, this.#corr.id(c), row);
    for (const g of s.gatewayIds ?? []) this.#addLink(GATEWAY, t.ids.id(g), row);
    if (s.entityKind === 'device') this.#addLink(DEVICE, t.deviceTerm(who, s.application, s.entity), row);
    this.#linkCount.push(this.#link.length - first, 0);
    if (s.ms > this.#lastMs) this.#lastMs = s.ms;
    return row;
  }

  #addLink(kind: number, term: number, row: number): void {
    const link = this.#link.length;
    const head = kind === CORR ? this.#corr.head.get(term) : (this.#heads[kind]!.get(term) ?? -1);
    let field = kind === CORR ? term - this.#termAt.get(row >>> BLOCK_SHIFT) + TERM_BIAS : term;
    let k = kind;
    if (field < 0 || field > TERM_BITS) {
      this.#farTerm.set(link, (kind << KIND_SHIFT) | term);
      k = FAR;
      field = 0;
    }
    let next = head < 0 ? 0 : link - head;
    if (next >= NEXT_FAR) {
      this.#farNext.set(link, head);
      next = NEXT_FAR;
    }
    this.#link.push(((k << KIND_SHIFT) | (field << TERM_SHIFT) | next) >>> 0);
    if (kind === CORR) this.#corr.head.set(term, link);
    else this.#heads[kind]!.set(term, link);
  }

  /** Kind and term of a link of `row`. */
  #term(link: number, row: number): { kind: number; term: number } {
    const v = this.#link.get(link);
    const kind = v >>> KIND_SHIFT;
    if (kind === FAR) {
      const f = this.#farTerm.get(link)!;
      return { kind: f >>> KIND_SHIFT, term: f & ((1 << KIND_SHIFT) - 1) };
    }
    const field = (v >>> TERM_SHIFT) & TERM_BITS;
    return { kind, term: kind === CORR ? field - TERM_BIAS + this.#termAt.get(row >>> BLOCK_SHIFT) : field };
  }

  #prev(link: number): number {
    const next = this.#link.get(link) & 0xffff;
    if (next === 0) return -1;
    return next === NEXT_FAR ? this.#farNext.get(link)! : link - next;
  }

  /** First link of a row. */
  #linkStart(row: number): number {
    let at = this.#linkAt.get(row >>> BLOCK_SHIFT);
    for (let r = row & ~(BLOCK - 1); r < row; r++) at += this.#linkCount.get(r);
    return at;
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
    const term = this.#corr.find(id);
    if (term !== undefined) this.#walk(this.#corr.head.get(term), visit);
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
    let row = this.rows - 1;
    for (let link = head; link >= 0; link = this.#prev(link)) {
      row = this.#rowOfLink(link, row);
      if (visit(row) === false) return;
    }
  }

  /** The row of a link, searching at or before `hint` (walks go backwards). */
  #rowOfLink(link: number, hint: number): number {
    let lo = 0;
    let hi = Math.min(this.#linkAt.length - 1, hint >>> BLOCK_SHIFT);
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.#linkAt.get(mid) <= link) lo = mid;
      else hi = mid - 1;
    }
    let row = lo << BLOCK_SHIFT;
    let at = this.#linkAt.get(lo);
    for (;;) {
      const n = this.#linkCount.get(row);
      if (link < at + n) return row;
      at += n;
      row++;
    }
  }

  ms(row: number): number {
    return this.#ms.get(row) + this.#baseMs;
  }

  slot(row: number): { offset: number; length: number } {
    let offset = this.#offsetAt.get(row >>> BLOCK_SHIFT);
    for (let r = row & ~(BLOCK - 1); r <= row; r++) {
      if (r > 0 && this.#bits.get(r) & B.JUMP) offset = this.#jumps.get(r)!;
      if (r < row) offset += this.#length.get(r);
    }
    return { offset, length: this.#length.get(row) };
  }

  /**
   * The slot of `row` in a scan that just read `row - 1` at `prevOffset`: O(1), where `slot` walks from its
   * block's anchor (a sequential export through `slot` cost ~32 column reads per row).
   */
  nextSlot(row: number, prevOffset: number): { offset: number; length: number } {
    if (row === 0 || (row & (BLOCK - 1)) === 0) return this.slot(row);
    const offset = this.#bits.get(row) & B.JUMP ? this.#jumps.get(row)! : prevOffset + this.#length.get(row - 1);
    return { offset, length: this.#length.get(row) };
  }

  isStatus(row: number): boolean {
    return (this.#bits.get(row) & B.KIND_STATUS) !== 0;
  }

  name(row: number): string {
    return this.t.names.str(this.t.what.field(this.#what.get(row), W_NAME));
  }

  time(row: number): string {
    const bits = this.#bits.get(row);
    if (bits & B.ODD_TIME) return this.#oddTimes.get(row) ?? '';
    return formatTime(this.ms(row), bits & B.NANOS, ((bits >>> B.DIGITS_SHIFT) & 3) * 3);
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
    // Each optional field only when set (no closure per call: summaries are built by the thousand).
    const application = v.application;
    if (application !== undefined) s.application = application;
    const devEui = v.devEui;
    if (devEui !== undefined) s.devEui = devEui;
    const devAddr = v.devAddr;
    if (devAddr !== undefined) s.devAddr = devAddr;
    const gatewayIds = v.gatewayIds;
    if (gatewayIds !== undefined) s.gatewayIds = gatewayIds;
    const direction = v.direction;
    if (direction !== undefined) (s as { direction?: unknown }).direction = direction;
    const fPort = v.fPort;
    if (fPort !== undefined) s.fPort = fPort;
    const fCnt = v.fCnt;
    if (fCnt !== undefined) s.fCnt = fCnt;
    const rssi = v.rssi;
    if (rssi !== undefined) s.rssi = rssi;
    const snr = v.snr;
    if (snr !== undefined) s.snr = snr;
    const gateways = v.gateways;
    if (gateways !== undefined) s.gateways = gateways;
    const frame = v.frame;
    if (frame !== undefined) s.frame = frame;
    const dataRate = v.dataRate;
    if (dataRate !== undefined) s.dataRate = dataRate;
    const errorName = v.errorName;
    if (errorName !== undefined) s.errorName = errorName;
    const backfilled = v.backfilled;
    if (backfilled !== undefined) s.backfilled = backfilled;
    const streamIds = v.streamIds;
    if (streamIds !== undefined) s.streamIds = streamIds;
    return s;
  }

  /** The tables this segment's ids refer to (a query's per-id answers are kept per table). */
  get tables(): SharedTables {
    return this.t;
  }

  /** Column chunk `c` (rows `c << CHUNK_SHIFT` on) of the "what" ids and of the local "who" ids. */
  whatChunk(c: number): Uint16Array | Uint32Array {
    return this.#what.col.chunk(c);
  }
  whoLocalChunk(c: number): Uint16Array | Uint32Array {
    return this.#who.rows.col.chunk(c);
  }

  /** Field `f` of a row's "what" / "who" tuple. */
  what(row: number, f: number): number {
    return this.t.what.field(this.#what.get(row), f);
  }
  who(row: number, f: number): number {
    return this.t.who.field(this.#who.get(row), f);
  }

  /** The shared "what" / "who" tuple id of a row (a query tests each id once: segment-query.ts). */
  whatId(row: number): number {
    return this.#what.get(row);
  }
  whoId(row: number): number {
    return this.#who.get(row);
  }
  /** The segment-local "who" id of a row (0 … whoCount - 1), and the shared id of a local one. */
  whoLocal(row: number): number {
    return this.#who.rows.get(row);
  }
  get whoCount(): number {
    return this.#who.distinct;
  }
  whoGlobal(local: number): number {
    return this.#who.globalOf(local);
  }

  /** A summary holding only the fields of "what" tuple `id` (the rest empty), to test a term on. */
  whatProbe(id: number): EventSummary {
    const { what, names, kinds, small } = this.t;
    const s = probe();
    s.name = names.str(what.field(id, W_NAME));
    const direction = kinds.opt(what.field(id, W_DIR));
    if (direction !== undefined) (s as { direction?: string }).direction = direction;
    const dataRate = small.opt(what.field(id, W_DR));
    if (dataRate !== undefined) s.dataRate = dataRate;
    const errorName = small.opt(what.field(id, W_ERR));
    if (errorName !== undefined) s.errorName = errorName;
    const frame = what.field(id, W_FRAME);
    if (frame) s.frame = frame;
    return s;
  }

  whoProbe(id: number): EventSummary {
    const { who, kinds, ids } = this.t;
    const s = probe();
    s.entityKind = kinds.str(who.field(id, P_KIND));
    s.entity = ids.str(who.field(id, P_ENTITY));
    const application = ids.opt(who.field(id, P_APP));
    if (application !== undefined) s.application = application;
    const devEui = ids.opt(who.field(id, P_EUI));
    if (devEui !== undefined) s.devEui = devEui;
    const devAddr = ids.opt(who.field(id, P_ADDR));
    if (devAddr !== undefined) s.devAddr = devAddr;
    return s;
  }

  /** Field `f` (0 … WHO_WIDTH - 1: kind, entity, application, DevEUI, DevAddr) of shared "who" tuple `id`. */
  whoField(id: number, f: number): number {
    return this.t.who.field(id, f);
  }

  /** A summary with only field `f` of a "who" tuple set, to `value` (a string-table id), as `whoProbe` sets it. */
  whoFieldProbe(f: number, value: number): EventSummary {
    const { kinds, ids } = this.t;
    const s = probe();
    if (f === P_KIND) s.entityKind = kinds.str(value);
    else if (f === P_ENTITY) s.entity = ids.str(value);
    else {
      const v = ids.opt(value);
      if (v !== undefined) s[f === P_APP ? 'application' : f === P_EUI ? 'devEui' : 'devAddr'] = v;
    }
    return s;
  }

  /** A summary naming only gateway `id` (a shared-table id). */
  gatewayProbe(id: number): EventSummary {
    const s = probe();
    s.gatewayIds = [this.t.ids.str(id)];
    return s;
  }

  /**
   * Rows (1 in a byte per row) linked to a gateway `accept`s (by shared-table id), from the postings;
   * `undefined` when it accepts none of this segment's gateways.
   */
  gatewayRows(accept: (gatewayId: number) => boolean): Uint8Array | undefined {
    let hits: Uint8Array | undefined;
    for (const [id, head] of this.#heads[GATEWAY]!)
      if (accept(id)) {
        const h = (hits ??= new Uint8Array(this.rows));
        this.#walk(head, (row) => void (h[row] = 1));
      }
    return hits;
  }

  /**
   * Mark in `out` (`out[i]` for row `from + i`; rows of one column chunk) the rows whose preview `re` finds:
   * `re` is a global, case-insensitive regular expression of an ASCII word of `length` characters.
   */
  searchPreviews(re: RegExp, length: number, from: number, to: number, out: Uint8Array): void {
    this.#preview.search(re, length, from, to, out);
  }

  /** A reusable view of one row at a time, for evaluating a query without building summaries. */
  view(): RowView {
    const t = this.t;
    /** The strings of one row's links of one kind (no array when there are none). */
    const links = (r: number, kind: number, str: (term: number) => string): string[] => {
      const start = this.#linkStart(r);
      const end = start + this.#linkCount.get(r);
      let out: string[] | undefined;
      for (let l = start; l < end; l++) {
        const x = this.#term(l, r);
        if (x.kind === kind) (out ??= []).push(str(x.term));
      }
      return out ?? NONE;
    };
    const corr = (term: number) => this.#corr.str(term);
    const gateway = (term: number) => t.ids.str(term);
    return new RowView(this, {
      bits: (r) => this.#bits.get(r),
      entityKind: (r) => t.kinds.str(this.who(r, P_KIND)),
      direction: (r) => t.kinds.opt(this.what(r, W_DIR)),
      name: (r) => t.names.str(this.what(r, W_NAME)),
      entity: (r) => t.ids.str(this.who(r, P_ENTITY)),
      application: (r) => t.ids.opt(this.who(r, P_APP)),
      devEui: (r) => t.ids.opt(this.who(r, P_EUI)),
      devAddr: (r) => t.ids.opt(this.who(r, P_ADDR)),
      dataRate: (r) => t.small.opt(this.what(r, W_DR)),
      errorName: (r) => t.small.opt(this.what(r, W_ERR)),
      fPort: (r) => this.#fPort.get(r),
      fCnt: (r) => {
        const v = this.#fCnt.get(r);
        return v === 0xffffffff ? (this.#fCntFar.get(r) ?? NaN) : v;
      },
      rssi: (r) => this.#rssi.get(r),
      snr: (r) => this.#snr.get(r),
      gateways: (r) => this.#gateways.get(r),
      frame: (r) => this.what(r, W_FRAME),
      preview: (r) => this.#preview.get(r),
      correlationIds: (r) => links(r, CORR, corr),
      gatewayIds: (r) => links(r, GATEWAY, gateway),
      alsoOn: (r) => this.#alsoOn.get(r),
    });
  }

  /** Bytes of index memory this segment's columns and pools hold (not the shared tables). */
  get columnBytes(): number {
    return this.#columns().reduce((n, c) => n + c.bytes, 0) + this.#who.bytes + this.#preview.bytes + this.#corr.bytes;
  }

  #columns(): Column<Uint8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float64Array>[] {
    return [
      this.#ms.col,
      this.#bits,
      this.#length.col,
      this.#offsetAt,
      this.#what.col,
      this.#fPort.col,
      this.#fCnt.col,
      this.#rssi.col,
      this.#snr.col,
      this.#gateways.col,
      this.#linkCount.col,
      this.#linkAt,
      this.#termAt,
      this.#link,
    ];
  }

  /** The segment is full: give back the columns' spare capacity. */
  seal(): void {
    for (const c of this.#columns()) c.trim();
    this.#who.trim();
    this.#preview.trim();
    this.#corr.seal();
    void this.file?.release();
  }
}
