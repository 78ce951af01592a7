/**
 * The correlation IDs of one segment as terms: `<class>:<ULID>` IDs as 18-byte records in one byte
 * column, found through an open-addressing table of term numbers (no string or Map entry per ID).
 * Other shapes are rare and kept as strings. Each term has the newest link carrying it (`head`).
 */
import { i32, u8 } from './columns.js';
import { PACKED_BYTES, packCorr, unpackCorr, type CorrKeys } from './corr-key.js';

/** Marks a record whose ID is kept as a string (`#raw`). */
const RAW = 0xffff;

export class CorrTerms {
  readonly #records = u8();
  readonly head = i32();
  /** Term + 1 per slot, 0 = empty; the hash is the ULID's random tail. */
  #table = new Uint32Array(1024);
  #used = 0;
  readonly #raw = new Map<string, number>();
  readonly #rawOf = new Map<number, string>();
  readonly #scratch = new Uint8Array(PACKED_BYTES);

  constructor(private readonly keys: CorrKeys) {}

  get size(): number {
    return this.head.length;
  }

  get bytes(): number {
    return this.#records.bytes + this.head.bytes + this.#table.byteLength;
  }

  /** The term of a correlation ID, added (with no links yet) when new. */
  id(corr: string): number {
    const t = this.find(corr, true);
    if (t !== undefined) return t;
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
    const mask = this.#table.length - 1;
    for (let slot = hashOf(this.#scratch, 0, (i) => this.#scratch[i]!) & mask; ; slot = (slot + 1) & mask) {
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
    let slot = hashOf(this.#records, at, (i) => this.#records.get(i)) & mask;
    while (this.#table[slot] !== 0) slot = (slot + 1) & mask;
    this.#table[slot] = term + 1;
  }

  /** The correlation ID of a term. */
  str(term: number): string {
    const at = term * PACKED_BYTES;
    const get = (i: number) => this.#records.get(i);
    if (((get(at) << 8) | get(at + 1)) === RAW) return this.#rawOf.get(term) ?? '';
    return unpackCorr(this.keys, get, at);
  }

  trim(): void {
    this.#records.trim();
    this.head.trim();
  }
}

/**
 * The last four bytes of the ULID (random bits) mixed with the class. XOR, not OR: OR-ing the class's
 * product in set the same low bits for every ID of a class, so the open-addressing table (indexed by the
 * low bits) clustered, and `find` was 30 % of the client's profile.
 */
function hashOf(_: unknown, at: number, get: (i: number) => number): number {
  const random = (get(at + 14) << 24) | (get(at + 15) << 16) | (get(at + 16) << 8) | get(at + 17);
  return (random ^ Math.imul(get(at + 1), 0x9e3779b1)) >>> 0;
}
