/**
 * The link postings of one segment: correlation IDs, gateways and the device of each row are "links"
 * (kind, term, distance to the previous link with the same term), so the rows of one term are a walk
 * back through the segment, newest first, with no list per term.
 */
import { Column, f64, Narrow, u32, u8 } from './columns.js';
import { CorrTerms } from './corr-terms.js';
import { NONE } from './row-view.js';
import type { SharedTables } from './shared-tables.js';

/** Link kinds, in the top bits of a link. */
export const CORR = 0;
export const GATEWAY = 1;
export const DEVICE = 2;
/** The term did not fit the link: it is in `#farTerm`. */
const FAR = 3;
const KIND_SHIFT = 30;
const TERM_SHIFT = 16;
const TERM_BITS = 0x3fff;
/** A correlation term is kept relative to the block's first new term (recent terms fit 14 bits). */
const TERM_BIAS = 0x2000;
const NEXT_FAR = 0xffff;

/** Every 64th row keeps where its file line, links and terms begin. */
export const BLOCK_SHIFT = 6;
export const BLOCK = 1 << BLOCK_SHIFT;

/** Term prefixes of `withTerm`: a gateway ID or a device key instead of a correlation ID. */
export const GATEWAY_TERM = '\u0001';
export const DEVICE_TERM = '\u0002';

/** What a row links to, as `add` reads it (an `EventSummary` is one). */
export interface RowLinks {
  correlationIds: readonly string[];
  gatewayIds?: readonly string[];
  entityKind: string;
  application?: string;
  entity: string;
}

/**
 * What did not fit a link (its term, or the distance back), by link. Links are added in order, so these are
 * two columns found by binary search: a Map cost ~30 bytes an entry and slowed every append once a segment
 * was large, because a long-lived ID (a gateway's connection) is far from the block's terms in most rows
 * (441,749 far terms and 102,020 far distances for the 361,308 events of a 480 MB file).
 */
class FarLinks {
  readonly #links = u32();
  readonly #values = u32();

  get columns(): Column<Uint32Array>[] {
    return [this.#links, this.#values];
  }

  /** `link` is past every link set before. */
  set(link: number, value: number): void {
    this.#links.push(link);
    this.#values.push(value);
  }

  get(link: number): number | undefined {
    let lo = 0;
    let hi = this.#links.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const at = this.#links.get(mid);
      if (at === link) return this.#values.get(mid);
      if (at < link) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }
}

export class SegmentLinks {
  /** Links per row; the first link and the first new correlation term of rows 0, 64, 128, … */
  readonly #linkCount = new Narrow(u8(), -Infinity, 254, 255);
  readonly #linkAt = f64();
  readonly #termAt = f64();
  /** Each link: kind, term and the distance back to the previous link with the same term. */
  readonly #link = u32();
  readonly #farTerm = new FarLinks();
  readonly #farNext = new FarLinks();
  /** Correlation IDs of this segment, each with its newest link. */
  readonly #corr: CorrTerms;
  /** Newest link of each gateway and device (by shared-table id). */
  readonly #heads = [new Map<number, number>(), new Map<number, number>(), new Map<number, number>()];

  constructor(private readonly t: SharedTables) {
    this.#corr = new CorrTerms(t.corr);
  }

  /** Rows linked so far (one `add` per row of the segment). */
  get #rows(): number {
    return this.#linkCount.col.length;
  }

  /** Link row `row` (the next row of the segment) to its terms; `who` is the row's "who" tuple id. */
  add(s: RowLinks, who: number, row: number): void {
    const t = this.t;
    if ((row & (BLOCK - 1)) === 0) {
      this.#linkAt.push(this.#link.length);
      this.#termAt.push(this.#corr.size);
    }
    const first = this.#link.length;
    for (const c of s.correlationIds) this.#addLink(CORR, this.#corr.id(c), row);
    for (const g of s.gatewayIds ?? []) this.#addLink(GATEWAY, t.ids.id(g), row);
    if (s.entityKind === 'device') this.#addLink(DEVICE, t.deviceTerm(who, s.application, s.entity), row);
    this.#linkCount.push(this.#link.length - first, 0);
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

  /** The strings of one row's links of one kind (no array when there are none). */
  strings(r: number, kind: typeof CORR | typeof GATEWAY): string[] {
    const start = this.#linkStart(r);
    const end = start + this.#linkCount.get(r);
    let out: string[] | undefined;
    for (let l = start; l < end; l++) {
      const x = this.#term(l, r);
      if (x.kind === kind) (out ??= []).push(kind === CORR ? this.#corr.str(x.term) : this.t.ids.str(x.term));
    }
    return out ?? NONE;
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

  /**
   * Rows (1 in a byte per row) linked to a gateway `accept`s (by shared-table id), from the postings;
   * `undefined` when it accepts none of this segment's gateways.
   */
  gatewayRows(accept: (gatewayId: number) => boolean): Uint8Array | undefined {
    let hits: Uint8Array | undefined;
    for (const [id, head] of this.#heads[GATEWAY]!)
      if (accept(id)) {
        const h = (hits ??= new Uint8Array(this.#rows));
        this.#walk(head, (row) => void (h[row] = 1));
      }
    return hits;
  }

  #walk(head: number, visit: (row: number) => boolean | void): void {
    let row = this.#rows - 1;
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

  /** Bytes of index memory the links hold (columns and this segment's correlation terms). */
  get bytes(): number {
    return this.#columns().reduce((n, c) => n + c.bytes, 0) + this.#corr.bytes;
  }

  #columns(): Column<Uint8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float64Array>[] {
    return [
      this.#linkCount.col,
      this.#linkAt,
      this.#termAt,
      this.#link,
      ...this.#farTerm.columns,
      ...this.#farNext.columns,
    ];
  }

  /** The segment is full: give back the columns' spare capacity. */
  seal(): void {
    for (const c of this.#columns()) c.trim();
    this.#corr.seal();
  }
}
