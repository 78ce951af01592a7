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

  /**
   * Mark in `out` (`out[i]` for row `from + i`) every row of `from … to - 1` (one column chunk) whose
   * preview `re` finds. `re` is a global, case-insensitive expression of an ASCII word of `length`
   * characters: the rows' bytes are searched as Latin-1 strings, where an ASCII letter matches only
   * ASCII letters (never a byte of a multi-byte character), so this is what the same expression finds
   * in each decoded preview. The rows go in pieces of about `PIECE` bytes cut between rows (no match
   * crosses a row, and a string past 128 KB would be a large object, costly to allocate and collect).
   */
  search(re: RegExp, length: number, from: number, to: number, out: Uint8Array): void {
    if (to <= from || length === 0) return;
    const lens = this.#len.chunk(from >>> CHUNK_SHIFT);
    const base = from & (CHUNK_ROWS - 1);
    const n = to - from;
    let at = this.#offset(from);
    let first = 0;
    let size = 0;
    for (let i = 0; i <= n; i++) {
      const l = i === n ? 0 : lens[base + i]!;
      const len = l === LONG ? this.#long.get(from + i)! : l;
      if (i === n || (size + len > PIECE && size > 0)) {
        if (size >= length) this.#searchPiece(re, length, at, size, lens, base + first, from + first, out, first);
        at += size;
        first = i;
        size = 0;
      }
      size += len;
    }
  }

  /** One piece of `search`: rows from `row` (`lens[lensAt]` its length, `out[outAt]` its mark), bytes `at …`. */
  #searchPiece(
    re: RegExp,
    length: number,
    at: number,
    size: number,
    lens: Uint8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float64Array,
    lensAt: number,
    row: number,
    out: Uint8Array,
    outAt: number,
  ): void {
    const text = this.#latin1(at, size);
    re.lastIndex = 0;
    let i = 0;
    let rowEnd = this.#length(row);
    while (re.test(text)) {
      const hit = re.lastIndex - length;
      while (rowEnd <= hit) {
        const l = lens[lensAt + ++i]!;
        rowEnd += l === LONG ? this.#long.get(row + i)! : l;
      }
      if (re.lastIndex <= rowEnd) {
        out[outAt + i] = 1;
        re.lastIndex = rowEnd;
      } else re.lastIndex = hit + 1;
    }
  }

  /** Pool bytes `start … start + size - 1` as a Latin-1 string (one byte, one character). */
  #latin1(start: number, size: number): string {
    if (scratch.length < size) scratch = Buffer.allocUnsafe(Math.max(size, scratch.length * 2));
    let pos = 0;
    for (let at = start; pos < size;) {
      const chunk = this.#bytes.chunk(at >>> CHUNK_SHIFT);
      const off = at & (CHUNK_ROWS - 1);
      const take = Math.min(size - pos, chunk.length - off);
      scratch.set(chunk.subarray(off, off + take), pos);
      pos += take;
      at += take;
    }
    return scratch.toString('latin1', 0, size);
  }

  trim(): void {
    this.#bytes.trim();
    this.#len.trim();
    this.#at.trim();
  }
}

/** Bytes of preview text searched as one string (well under V8's 128 KB large-object size). */
const PIECE = 32 * 1024;
/** Shared by every pool: searches run one at a time. */
let scratch = Buffer.allocUnsafe(64 * 1024);
