/**
 * Growable typed-array columns: one number per entry, no object per entry. A column grows in fixed
 * chunks (no copying, and at most one partly used chunk), so a million rows cost what they hold.
 */
type Typed = Float64Array | Float32Array | Uint32Array | Int32Array | Uint16Array | Int16Array | Uint8Array;

const SHIFT = 14;
const CHUNK = 1 << SHIFT;
const MASK = CHUNK - 1;

export class Column<A extends Typed> {
  readonly #chunks: A[] = [];
  #length = 0;

  constructor(private readonly make: (n: number) => A) {}

  get length(): number {
    return this.#length;
  }

  /** Bytes held: what the column costs in memory. */
  get bytes(): number {
    return this.#chunks.reduce((n, c) => n + c.byteLength, 0);
  }

  push(value: number): number {
    const i = this.#length;
    if ((i & MASK) === 0) this.#chunks.push(this.make(CHUNK));
    else if (this.#chunks[i >>> SHIFT]!.length !== CHUNK) this.#regrow();
    this.#chunks[i >>> SHIFT]![i & MASK] = value;
    return this.#length++;
  }

  get(i: number): number {
    return this.#chunks[i >>> SHIFT]![i & MASK]!;
  }

  set(i: number, value: number): void {
    this.#chunks[i >>> SHIFT]![i & MASK] = value;
  }

  #regrow(): void {
    const last = this.#chunks.length - 1;
    const full = this.make(CHUNK);
    full.set(this.#chunks[last]! as never);
    this.#chunks[last] = full;
  }

  /** Release the unused tail of the last chunk (a sealed segment no longer grows). */
  trim(): void {
    const last = this.#chunks.length - 1;
    const used = this.#length & MASK;
    if (last >= 0 && used > 0) this.#chunks[last] = this.#chunks[last]!.slice(0, used) as A;
  }
}

export const f64 = () => new Column((n) => new Float64Array(n));
export const u32 = () => new Column((n) => new Uint32Array(n));
export const i32 = () => new Column((n) => new Int32Array(n));
export const u16 = () => new Column((n) => new Uint16Array(n));
export const i16 = () => new Column((n) => new Int16Array(n));
export const u8 = () => new Column((n) => new Uint8Array(n));
