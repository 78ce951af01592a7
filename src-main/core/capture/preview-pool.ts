/**
 * The previews of a segment's rows as UTF-8 bytes in one pool (no string per row): a length byte per
 * row and the pool offset of every 64th row. Free text searches the pool's bytes, not a string per row.
 */
import { u8, f64, CHUNK_ROWS, CHUNK_SHIFT } from './columns.js';

const BLOCK_SHIFT = 6;
const BLOCK = 1 << BLOCK_SHIFT;
const LONG = 255;

export class PreviewPool {
  readonly #bytes = u8();
  readonly #len = u8();
  /** Preview lengths of 255 bytes or more, by row. */
  readonly #long = new Map<number, number>();
  /** Pool offset of rows 0, 64, 128, … */
  readonly #at = f64();

  get rows(): number {
    return this.#len.length;
  }

  get bytes(): number {
    return this.#bytes.bytes + this.#len.bytes + this.#at.bytes;
  }

  push(text: string): void {
    const row = this.#len.length;
    if ((row & (BLOCK - 1)) === 0) this.#at.push(this.#bytes.length);
    let n: number;
    let ascii = true;
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) ascii = false;
    if (ascii) {
      for (let i = 0; i < text.length; i++) this.#bytes.push(text.charCodeAt(i));
      n = text.length;
    } else {
      const b = Buffer.from(text, 'utf8');
      for (const x of b) this.#bytes.push(x);
      n = b.length;
    }
    this.#len.push(n >= LONG ? LONG : n);
    if (n >= LONG) this.#long.set(row, n);
  }

  #length(row: number): number {
    const n = this.#len.get(row);
    return n === LONG ? this.#long.get(row)! : n;
  }

  /** Pool offset of a row's preview. */
  #offset(row: number): number {
    let at = this.#at.get(row >>> BLOCK_SHIFT);
    for (let r = row & ~(BLOCK - 1); r < row; r++) at += this.#length(r);
    return at;
  }

  get(row: number): string {
    const n = this.#length(row);
    if (n === 0) return '';
    const at = this.#offset(row);
    const out = Buffer.allocUnsafe(n);
    let ascii = true;
    for (let i = 0; i < n; i++) {
      const b = this.#bytes.get(at + i);
      out[i] = b;
      if (b > 0x7f) ascii = false;
    }
    return out.toString(ascii ? 'latin1' : 'utf8', 0, n);
  }

  /** The row whose preview holds pool offset `at` (rows of zero length never do). */
  #rowAt(at: number): number {
    let lo = 0;
    let hi = this.#at.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.#at.get(mid) <= at) lo = mid;
      else hi = mid - 1;
    }
    let row = lo << BLOCK_SHIFT;
    let start = this.#at.get(lo);
    for (;;) {
      const n = this.#length(row);
      if (at < start + n) return row;
      start += n;
      row++;
    }
  }

  /**
   * Mark in `hits` every row whose preview contains `word` (ASCII, lower case), ignoring ASCII case:
   * each chunk of the pool is lower-cased into a scratch buffer and searched with `indexOf`.
   */
  search(word: string, hits: Uint8Array): void {
    const w = Buffer.from(word, 'latin1');
    const total = this.#bytes.length;
    if (w.length === 0 || total === 0) return;
    const scratch = Buffer.allocUnsafe(CHUNK_ROWS + w.length);
    for (let c = 0; c < this.#bytes.chunkCount; c++) {
      const from = c << CHUNK_SHIFT;
      const n = Math.min(total - from, CHUNK_ROWS + w.length - 1);
      const own = Math.min(total - from, CHUNK_ROWS);
      const chunk = this.#bytes.chunk(c);
      for (let i = 0; i < own; i++) scratch[i] = LOWER[chunk[i]!]!;
      for (let i = own; i < n; i++) scratch[i] = LOWER[this.#bytes.get(from + i)]!;
      const view = scratch.subarray(0, n);
      let i = view.indexOf(w, 0);
      while (i >= 0 && i < own) {
        const at = from + i;
        const row = this.#rowAt(at);
        const end = this.#offset(row) + this.#length(row);
        if (at + w.length <= end) {
          hits[row] = 1;
          i = end - from;
        } else i++;
        if (i >= n) break;
        i = view.indexOf(w, i);
      }
    }
  }

  trim(): void {
    this.#bytes.trim();
    this.#len.trim();
    this.#at.trim();
  }
}

const LOWER = new Uint8Array(256);
for (let i = 0; i < 256; i++) LOWER[i] = i >= 65 && i <= 90 ? i + 32 : i;
