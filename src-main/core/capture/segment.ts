/**
 * One segment of a capture: one NDJSON file and the columns that index its lines.
 *
 * Every entry is a row of narrow typed columns: time as a 32-bit delta from the segment's first row,
 * line length (offsets are summed from every 64th row), and two tuple ids: "what" (name, direction,
 * data rate, error, frame bits) and "who" (entity kind, entity, application, DevEUI, DevAddr). The
 * preview is UTF-8 in a byte pool. Correlation IDs, gateways and the device are "links" (segment-links.ts),
 * so the entries of one correlation ID are a walk through the segment, newest first, with no list per ID.
 * Summaries are built only when asked for.
 */
import type { EventSummary } from '../../shared/domain/summary.js';
import { Column, f64, i16, Ids, LocalIds, Narrow, u16, u32, u8 } from './columns.js';
import type { CaptureFile } from './capture-file.js';
import { PreviewPool } from './preview-pool.js';
import * as B from './row-view.js';
import { formatTime, RowView, summaryOf, timeBits } from './row-view.js';
import { BLOCK, BLOCK_SHIFT, CORR, GATEWAY, SegmentLinks } from './segment-links.js';
import {
  P_ADDR,
  P_APP,
  P_ENTITY,
  P_EUI,
  P_KIND,
  SharedTables,
  W_DIR,
  W_DR,
  W_ERR,
  W_FRAME,
  W_NAME,
} from './shared-tables.js';
import { flat } from './string-table.js';

export { deviceKeyOf, formatTime, RowView, timeBits, timeParts } from './row-view.js';
export { DEVICE_TERM, GATEWAY_TERM } from './segment-links.js';
export { SharedTables, WHO_WIDTH } from './shared-tables.js';

/** What a stream's segment belongs to. */
export interface Owner {
  streamId: string;
  workspaceId: string;
}

const I16_ABSENT = -32768;
const I16_ESCAPE = -32767;
const I32_ESCAPE = -0x80000000;

export class Segment {
  /** Event time as ms after the first row's (`#baseMs`); others in `#msFar`. */
  readonly #ms = new Narrow(new Column((n) => new Int32Array(n)), I32_ESCAPE + 1, 0x7fffffff, I32_ESCAPE);
  #baseMs = 0;
  readonly #bits = u32();
  readonly #length = new Narrow(u16(), 0, 0xfffe, 0xffff);
  /** File offset of rows 0, 64, 128, … and of rows that do not follow their predecessor (JUMP). */
  readonly #offsetAt = f64();
  readonly #jumps = new Map<number, number>();
  #end = 0;
  readonly #what = new Ids();
  readonly #who = new LocalIds();
  readonly #fPort = new Narrow(u8(), 0, 254, 255);
  readonly #fCnt = new Ids();
  readonly #fCntFar = new Map<number, number>();
  readonly #rssi = new Narrow(i16(), I16_ESCAPE + 1, 32767, I16_ESCAPE, 100, I16_ABSENT);
  readonly #snr = new Narrow(i16(), I16_ESCAPE + 1, 32767, I16_ESCAPE, 100, I16_ABSENT);
  readonly #gateways = new Narrow(u8(), 0, 254, 255);
  readonly #preview = new PreviewPool();
  readonly #links: SegmentLinks;
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
    this.#links = new SegmentLinks(t);
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
    if (s.simulated) bits |= B.SIMULATED;
    if (s.fPort !== undefined) bits |= B.HAS_FPORT;
    if (s.fCnt !== undefined) bits |= B.HAS_FCNT;
    if (s.gateways !== undefined) bits |= B.HAS_GATEWAYS;
    if (!exact) {
      bits |= B.ODD_TIME;
      this.#oddTimes.set(row, flat(s.time));
    }
    if ((row & (BLOCK - 1)) === 0) {
      this.#offsetAt.push(slot.offset);
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
    this.#links.add(s, who, row);
    if (s.ms > this.#lastMs) this.#lastMs = s.ms;
    return row;
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
    this.#links.withCorrelationId(id, visit);
  }

  /** Rows of one device (`application/device`), newest first. */
  withDevice(deviceKey: string, visit: (row: number) => boolean | void): void {
    this.#links.withDevice(deviceKey, visit);
  }

  /** Rows naming a gateway, newest first. */
  withGateway(gatewayId: string, visit: (row: number) => boolean | void): void {
    this.#links.withGateway(gatewayId, visit);
  }

  /** Rows of a correlation ID, or of `GATEWAY_TERM + id` / `DEVICE_TERM + key`, newest first. */
  withTerm(term: string, visit: (row: number) => boolean | void): void {
    this.#links.withTerm(term, visit);
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
    return summaryOf(v);
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

  /** Field `f` (0 … WHO_WIDTH - 1: kind, entity, application, DevEUI, DevAddr) of shared "who" tuple `id`. */
  whoField(id: number, f: number): number {
    return this.t.who.field(id, f);
  }

  /**
   * Rows (1 in a byte per row) linked to a gateway `accept`s (by shared-table id), from the postings;
   * `undefined` when it accepts none of this segment's gateways.
   */
  gatewayRows(accept: (gatewayId: number) => boolean): Uint8Array | undefined {
    return this.#links.gatewayRows(accept);
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
    const links = this.#links;
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
      correlationIds: (r) => links.strings(r, CORR),
      gatewayIds: (r) => links.strings(r, GATEWAY),
      alsoOn: (r) => this.#alsoOn.get(r),
    });
  }

  /** Bytes of index memory this segment's columns and pools hold (not the shared tables). */
  get columnBytes(): number {
    return this.#columns().reduce((n, c) => n + c.bytes, 0) + this.#who.bytes + this.#preview.bytes + this.#links.bytes;
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
    ];
  }

  /** The segment is full: give back the columns' spare capacity. */
  seal(): void {
    for (const c of this.#columns()) c.trim();
    this.#who.trim();
    this.#preview.trim();
    this.#links.seal();
    void this.file?.release();
  }
}
