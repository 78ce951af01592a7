/**
 * The correlation IDs of one segment as terms: `<class>:<ULID>` IDs as 18-byte records in one byte
 * column, found through an open-addressing table of term numbers (no string or Map entry per ID).
 * Other shapes are rare and kept as strings. Each term has the newest link carrying it (`head`).
 *
 * A sealed segment gets no new terms, so `seal` packs its records tighter (a one-byte class and the
 * ULID's 48-bit time as 24 or 32 bits after the segment's earliest: 14 or 15 bytes) and replaces the hash table,
 * a third empty on average, by the terms sorted by hash (4 bytes a term, found by binary search).
 */
import { i32, u8 } from './columns.js';
import { PACKED_BYTES, packCorr, unpackCorr, type CorrKeys } from './corr-key.js';

/** Marks a record whose ID is kept as a string (`#raw`). */
const RAW = 0xffff;
/** Correlation IDs whose terms are kept by text (a few seconds of a busy stream). */
const RECENT = 4096;
/** Texts of terms kept per segment for reading (a few hundred flows' IDs; ~60 KB). */
const TEXTS = 1024;
/**
 * Sealed records: class (1 byte, RAW_SEALED for raw), time after `timeBase` (3 bytes when the segment's
 * IDs span under 4.6 hours, else 4), the ULID's last 10 bytes.
 */
const RAW_SEALED = 0xff;
/** Where the ULID's time (6 bytes) and random part (10 bytes) start in an open record. */
const TIME_AT = 2;
const RANDOM_AT = 8;

interface Sealed {
  records: Uint8Array;
  /** Bytes of the time (3 or 4) and of a record (11 + timeBytes). */
  timeBytes: number;
  stride: number;
  /** Terms of packed IDs ordered by hash, then term. */
  sorted: Uint32Array;
  timeBase: number;
}

export class CorrTerms {
  #records = u8();
  readonly head = i32();
  /** Term + 1 per slot, 0 = empty; the hash is the ULID's random tail. */
  #table = new Uint32Array(1024);
  #used = 0;
  #sealed: Sealed | undefined;
  readonly #raw = new Map<string, number>();
  readonly #rawOf = new Map<number, string>();
  readonly #scratch = new Uint8Array(PACKED_BYTES);

  constructor(private readonly keys: CorrKeys) {}

  get size(): number {
    return this.head.length;
  }

  get bytes(): number {
    const s = this.#sealed;
    const index = s ? s.records.byteLength + s.sorted.byteLength : this.#records.bytes;
    return index + this.head.bytes + this.#table.byteLength;
  }

  /**
   * Terms of the correlation IDs seen last, by their text: the events of a flow repeat its IDs, and a map
   * lookup of the text costs a fraction of packing it again (packing and probing was ~8 % of ingest).
   */
  #recent = new Map<string, number>();

  /** The term of a correlation ID, added (with no links yet) when new. */
  id(corr: string): number {
    const known = this.#recent.get(corr);
    if (known !== undefined) return known;
    const term = this.#id(corr);
    if (this.#recent.size >= RECENT) this.#recent = new Map();
    this.#recent.set(corr, term);
    return term;
  }

  #id(corr: string): number {
    const t = this.find(corr, true);
    if (t !== undefined) return t;
    // A sealed segment is not appended to; should one be, it goes back to the open layout first.
    if (this.#sealed) this.#unseal();
    const term = this.head.push(-1);
    if (this.#packed) {
      for (let i = 0; i < PACKED_BYTES; i++) this.#records.push(this.#scratch[i]!);
      this.#insert(term);
    } else {
      for (let i = 0; i < PACKED_BYTES; i++) this.#records.push(i < 2 ? 0xff : 0);
      this.#raw.set(corr, term);
      this.#rawOf.set(term, corr);
    }
    return term;
  }

  #packed = false;

  /** The term of a correlation ID, if this segment has it. */
  find(corr: string, add = false): number | undefined {
    this.#packed = packCorr(this.keys, corr, this.#scratch, add);
    if (!this.#packed) return this.#raw.get(corr);
    const h = hashIn(this.#scratch, 0);
    if (this.#sealed) return this.#findSealed(this.#sealed, h);
    const mask = this.#table.length - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const t = this.#table[slot]!;
      if (t === 0) return undefined;
      if (this.#same(t - 1)) return t - 1;
    }
  }

  #same(term: number): boolean {
    const at = term * PACKED_BYTES;
    for (let i = PACKED_BYTES - 1; i >= 0; i--) if (this.#records.get(at + i) !== this.#scratch[i]) return false;
    return true;
  }

  #findSealed(s: Sealed, h: number): number | undefined {
    let lo = 0;
    let hi = s.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sealedHash(s, s.sorted[mid]!) < h) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < s.sorted.length && sealedHash(s, s.sorted[i]!) === h; i++) {
      const term = s.sorted[i]!;
      if (sameSealed(s, term, this.#scratch)) return term;
    }
    return undefined;
  }

  #insert(term: number): void {
    if (++this.#used * 10 > this.#table.length * 7) {
      const old = this.#table;
      this.#table = new Uint32Array(old.length * 2);
      for (const t of old) if (t !== 0) this.#place(t - 1);
    }
    this.#place(term);
  }

  #place(term: number): void {
    const mask = this.#table.length - 1;
    const at = term * PACKED_BYTES;
    const rec = this.#records;
    let slot = hashOf(rec.get(at + 1), rec.get(at + 14), rec.get(at + 15), rec.get(at + 16), rec.get(at + 17)) & mask;
    while (this.#table[slot] !== 0) slot = (slot + 1) & mask;
    this.#table[slot] = term + 1;
  }

  /**
   * Texts of the terms read last: a page's rows are in time order, so a flow's events (and a gateway's
   * connection) name the same IDs one after another, and building the text again was ~a fifth of a page.
   */
  #texts = new Map<number, string>();

  /** The correlation ID of a term. */
  str(term: number): string {
    let text = this.#texts.get(term);
    if (text === undefined) {
      if (this.#texts.size >= TEXTS) this.#texts = new Map();
      this.#texts.set(term, (text = this.#text(term)));
    }
    return text;
  }

  #text(term: number): string {
    const s = this.#sealed;
    if (s) {
      if (s.records[term * s.stride] === RAW_SEALED) return this.#rawOf.get(term) ?? '';
      const open = new Uint8Array(PACKED_BYTES);
      unsealRecord(s, term, open, 0);
      return unpackCorr(this.keys, (i) => open[i]!, 0);
    }
    const at = term * PACKED_BYTES;
    const get = (i: number) => this.#records.get(i);
    if (((get(at) << 8) | get(at + 1)) === RAW) return this.#rawOf.get(term) ?? '';
    return unpackCorr(this.keys, get, at);
  }

  trim(): void {
    this.#records.trim();
    this.head.trim();
  }

  /**
   * No new term will come: pack the records and drop the hash table. Kept open when a class id is past
   * one byte or the IDs' times span more than 32 bits of ms (49 days): the layout would not hold them.
   */
  seal(): void {
    this.#recent = new Map();
    this.trim();
    if (this.#sealed) return;
    const n = this.size;
    // One contiguous copy of the records: reading them through the column a byte at a time was most of
    // the cost, and sealing runs on the ingest path.
    const r = new Uint8Array(n * PACKED_BYTES);
    for (let c = 0, at = 0; at < r.length; c++) {
      const chunk = this.#records.chunk(c).subarray(0, r.length - at);
      r.set(chunk, at);
      at += chunk.length;
    }
    const timeOf = (at: number) =>
      ((r[at + TIME_AT]! << 8) | r[at + TIME_AT + 1]!) * 2 ** 32 +
      ((r[at + TIME_AT + 2]! << 24) >>> 0) +
      ((r[at + TIME_AT + 3]! << 16) | (r[at + TIME_AT + 4]! << 8) | r[at + TIME_AT + 5]!);
    let min = Infinity;
    let max = -Infinity;
    for (let at = 0; at < r.length; at += PACKED_BYTES) {
      const cls = (r[at]! << 8) | r[at + 1]!;
      if (cls === RAW) continue;
      if (cls >= RAW_SEALED) return;
      const time = timeOf(at);
      if (time < min) min = time;
      if (time > max) max = time;
    }
    if (max - min > 0xffffffff) return;
    const timeBytes = n === 0 || max - min <= 0xffffff ? 3 : 4;
    const stride = 11 + timeBytes;
    const records = new Uint8Array(n * stride);
    const order: number[] = [];
    const hashOfTerm = new Uint32Array(n);
    for (let term = 0; term < n; term++) {
      const at = term * PACKED_BYTES;
      const o = term * stride;
      const cls = (r[at]! << 8) | r[at + 1]!;
      if (cls === RAW) {
        records[o] = RAW_SEALED;
        continue;
      }
      records[o] = cls;
      let delta = timeOf(at) - min;
      for (let i = timeBytes; i >= 1; i--, delta = Math.floor(delta / 256)) records[o + i] = delta % 256;
      records.set(r.subarray(at + RANDOM_AT, at + PACKED_BYTES), o + 1 + timeBytes);
      hashOfTerm[term] = hashIn(r, at);
      order.push(term);
    }
    this.#sealed = { records, timeBytes, stride, sorted: byHash(order, hashOfTerm, n), timeBase: min };
    this.#records = u8();
    this.#table = new Uint32Array(0);
  }

  #unseal(): void {
    const s = this.#sealed!;
    this.#sealed = undefined;
    const n = this.size;
    const open = new Uint8Array(PACKED_BYTES);
    this.#records = u8();
    this.#table = new Uint32Array(1024);
    this.#used = 0;
    for (let term = 0; term < n; term++) {
      const raw = s.records[term * s.stride] === RAW_SEALED;
      if (raw) open.fill(0).fill(0xff, 0, 2);
      else unsealRecord(s, term, open, 0);
      for (let i = 0; i < PACKED_BYTES; i++) this.#records.push(open[i]!);
      if (!raw) this.#insert(term);
    }
  }
}

/**
 * Terms ordered by hash, then term. Sealing happens on the ingest path (a segment is full): a numeric
 * sort of hash·2^k + term (native, no comparator calls) instead of a comparator sort of ~700k terms.
 */
function byHash(terms: number[], hashOf: Uint32Array, n: number): Uint32Array {
  const k = Math.max(1, Math.ceil(Math.log2(n + 1)));
  if (32 + k > 53) {
    terms.sort((a, b) => hashOf[a]! - hashOf[b]! || a - b);
    return Uint32Array.from(terms);
  }
  const scale = 2 ** k;
  const keys = new Float64Array(terms.length);
  for (let i = 0; i < terms.length; i++) keys[i] = hashOf[terms[i]!]! * scale + terms[i]!;
  keys.sort();
  const out = new Uint32Array(terms.length);
  for (let i = 0; i < keys.length; i++) out[i] = keys[i]! % scale;
  return out;
}

/** The time of a sealed record, as ms after `timeBase`. */
function sealedDelta(s: Sealed, at: number): number {
  let delta = 0;
  for (let i = 1; i <= s.timeBytes; i++) delta = delta * 256 + s.records[at + i]!;
  return delta;
}

/** A sealed record in the open layout, written to `out` at `o`. */
function unsealRecord(s: Sealed, term: number, out: Uint8Array, o: number): void {
  const at = term * s.stride;
  const r = s.records;
  out[o] = 0;
  out[o + 1] = r[at]!;
  let time = s.timeBase + sealedDelta(s, at);
  for (let i = 5; i >= 0; i--) {
    out[o + TIME_AT + i] = time % 256;
    time = Math.floor(time / 256);
  }
  for (let i = 0; i < 10; i++) out[o + RANDOM_AT + i] = r[at + 1 + s.timeBytes + i]!;
}

/** `hashOf` of a sealed record: the same bytes (random tail, class) at their sealed places. */
function sealedHash(s: Sealed, term: number): number {
  const at = term * s.stride;
  const r = s.records;
  const end = at + s.stride;
  const random = (r[end - 4]! << 24) | (r[end - 3]! << 16) | (r[end - 2]! << 8) | r[end - 1]!;
  return (random ^ Math.imul(r[at]!, 0x9e3779b1)) >>> 0;
}

/** Whether sealed `term` is the open-layout record `open`. */
function sameSealed(s: Sealed, term: number, open: Uint8Array): boolean {
  const at = term * s.stride;
  const r = s.records;
  if (open[0] !== 0 || r[at] !== open[1]) return false;
  for (let i = 0; i < 10; i++) if (r[at + 1 + s.timeBytes + i] !== open[RANDOM_AT + i]) return false;
  let time = 0;
  for (let i = 0; i < 6; i++) time = time * 256 + open[TIME_AT + i]!;
  return time - s.timeBase === sealedDelta(s, at);
}

/**
 * The last four bytes of the ULID (random bits) mixed with the class. XOR, not OR: OR-ing the class's
 * product in set the same low bits for every ID of a class, so the open-addressing table (indexed by the
 * low bits) clustered, and `find` was 30 % of the client's profile.
 */
function hashOf(cls: number, r0: number, r1: number, r2: number, r3: number): number {
  return (((r0 << 24) | (r1 << 16) | (r2 << 8) | r3) ^ Math.imul(cls, 0x9e3779b1)) >>> 0;
}

/** `hashOf` of the packed record at `at` of `a` (no closure per call: one was made per lookup). */
const hashIn = (a: Uint8Array, at: number): number =>
  hashOf(a[at + 1]!, a[at + 14]!, a[at + 15]!, a[at + 16]!, a[at + 17]!);
