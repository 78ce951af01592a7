/**
 * Growable typed-array columns: one number per entry, no object per entry. A column doubles when full
 * and can be trimmed to its length once its segment is sealed.
 */
type Typed = Float64Array | Float32Array | Uint32Array | Int32Array | Uint16Array | Uint8Array;

export class Column<A extends Typed> {
  #data: A;
  #length = 0;

  constructor(private readonly make: (n: number) => A, initial = 1024) {
    this.#data = make(initial);
  }

  get length(): number {
    return this.#length;
  }

  /** Bytes held (capacity, not length): what the column costs in memory. */
  get bytes(): number {
    return this.#data.byteLength;
  }

  push(value: number): number {
    if (this.#length === this.#data.length) this.#grow(this.#length * 2);
    this.#data[this.#length] = value;
    return this.#length++;
  }

  get(i: number): number {
    return this.#data[i]!;
  }

  set(i: number, value: number): void {
    this.#data[i] = value;
  }

  /** Release the unused tail (a sealed segment no longer grows). */
  trim(): void {
    if (this.#data.length > this.#length) this.#grow(Math.max(1, this.#length));
  }

  #grow(size: number): void {
    const next = this.make(size);
    next.set(this.#data.subarray(0, Math.min(this.#length, size)) as never);
    this.#data = next;
  }
}

export const f64 = (initial?: number) => new Column((n) => new Float64Array(n), initial);
export const f32 = (initial?: number) => new Column((n) => new Float32Array(n), initial);
export const u32 = (initial?: number) => new Column((n) => new Uint32Array(n), initial);
export const i32 = (initial?: number) => new Column((n) => new Int32Array(n), initial);
export const u16 = (initial?: number) => new Column((n) => new Uint16Array(n), initial);
export const u8 = (initial?: number) => new Column((n) => new Uint8Array(n), initial);
