/**
 * Growable typed-array columns: one number per entry, no object per entry. A column grows in fixed
 * chunks (no copying, and at most one partly used chunk), so a million rows cost what they hold.
 */
type Typed = Float64Array | Float32Array | Uint32Array | Int32Array | Uint16Array | Int16Array | Uint8Array;

/**
 * The array type of a column as a small number. A single `a[i] = v` over six array types is a megamorphic
 * element access (~46 ns a push in one run); one store per type in a `switch` keeps each store monomorphic,
 * and unlike a store function per type (one call site calling six functions) it is inlined where it is used
 * (ten pushes to columns of six types: 0.26–0.33 µs with functions, 0.06–0.11 µs with the switch).
 */
// Plain numbers rather than an enum: the build tools then need no enum object to inline.
const F64 = 0;
const F32 = 1;
const U32 = 2;
const I32 = 3;
const U16 = 4;
const I16 = 5;
const U8 = 6;

function kindOf(a: Typed): number {
  return a instanceof Float64Array
    ? F64
    : a instanceof Float32Array
      ? F32
      : a instanceof Uint32Array
        ? U32
        : a instanceof Int32Array
          ? I32
          : a instanceof Uint16Array
            ? U16
            : a instanceof Int16Array
              ? I16
              : U8;
}

function store(k: number, a: Typed, i: number, v: number): void {
  switch (k) {
    case F64:
      (a as Float64Array)[i] = v;
      return;
    case F32:
      (a as Float32Array)[i] = v;
      return;
    case U32:
      (a as Uint32Array)[i] = v;
      return;
    case I32:
      (a as Int32Array)[i] = v;
      return;
    case U16:
      (a as Uint16Array)[i] = v;
      return;
    case I16:
      (a as Int16Array)[i] = v;
      return;
    default:
      (a as Uint8Array)[i] = v;
  }
}

function load(k: number, a: Typed, i: number): number {
  switch (k) {
    case F64:
      return (a as Float64Array)[i]!;
    case F32:
      return (a as Float32Array)[i]!;
    case U32:
      return (a as Uint32Array)[i]!;
    case I32:
      return (a as Int32Array)[i]!;
    case U16:
      return (a as Uint16Array)[i]!;
    case I16:
      return (a as Int16Array)[i]!;
    default:
      return (a as Uint8Array)[i]!;
  }
}

const SHIFT = 14;
const CHUNK = 1 << SHIFT;
const MASK = CHUNK - 1;

export class Column<A extends Typed> {
  #chunks: A[] = [];
  #length = 0;
  /**
   * The chunk being filled while it has room (`undefined` when a new or regrown one is needed): a push
   * is then one store, without finding the chunk and checking its size (~20 pushes per indexed event).
   */
  #cur: A | undefined;
  #kind: number;

  constructor(private make: (n: number) => A) {
    this.#kind = kindOf(make(0));
  }

  get length(): number {
    return this.#length;
  }

  /** Bytes held: what the column costs in memory. */
  get bytes(): number {
    return this.#chunks.reduce((n, c) => n + c.byteLength, 0);
  }

  push(value: number): number {
    const i = this.#length;
    const pos = i & MASK;
    let cur = this.#cur;
    if (cur === undefined || pos === 0) cur = this.#room(i);
    store(this.#kind, cur, pos, value);
    return this.#length++;
  }

  /** The chunk row `i` goes in: a new one at a chunk boundary, the last one regrown after `trim`. */
  #room(i: number): A {
    if ((i & MASK) === 0) this.#chunks.push(this.make(CHUNK));
    else if (this.#chunks[i >>> SHIFT]!.length !== CHUNK) this.#regrow();
    return (this.#cur = this.#chunks[i >>> SHIFT]!);
  }

  get(i: number): number {
    return load(this.#kind, this.#chunks[i >>> SHIFT]!, i & MASK);
  }

  set(i: number, value: number): void {
    store(this.#kind, this.#chunks[i >>> SHIFT]!, i & MASK, value);
  }

  /** Chunk `c` (rows `c << 14` on): loops over a whole column read the arrays directly. */
  chunk(c: number): A {
    return this.#chunks[c]!;
  }

  get chunkCount(): number {
    return this.#chunks.length;
  }

  /** Re-make every chunk with another array type (a column that must hold wider values). */
  widen(make: (n: number) => A): void {
    this.make = make;
    this.#kind = kindOf(make(0));
    this.#cur = undefined;
    this.#chunks = this.#chunks.map((c) => {
      const wide = make(c.length);
      wide.set(c as never);
      return wide;
    });
  }

  #regrow(): void {
    const last = this.#chunks.length - 1;
    const full = this.make(CHUNK);
    full.set(this.#chunks[last]! as never);
    this.#chunks[last] = full;
  }

  /** Release the unused tail of the last chunk (a sealed segment no longer grows). */
  trim(): void {
    this.#cur = undefined;
    const last = this.#chunks.length - 1;
    const used = this.#length & MASK;
    if (last >= 0 && used > 0) this.#chunks[last] = this.#chunks[last]!.slice(0, used) as A;
  }
}

export const CHUNK_ROWS = CHUNK;
export const CHUNK_SHIFT = SHIFT;

export const f64 = () => new Column((n) => new Float64Array(n));
export const u32 = () => new Column((n) => new Uint32Array(n));
export const i32 = () => new Column((n) => new Int32Array(n));
export const u16 = () => new Column((n) => new Uint16Array(n));
export const i16 = () => new Column((n) => new Int16Array(n));
export const u8 = () => new Column((n) => new Uint8Array(n));

/**
 * A narrow column with a sentinel for "absent" and a sparse map for values that do not fit: integers from
 * `min` to `max` (bounds rather than a test function per column, whose one call site was megamorphic).
 */
export class Narrow {
  readonly #wide = new Map<number, number>();
  constructor(
    readonly col: Column<Uint8Array | Uint16Array | Int16Array | Uint32Array | Int32Array>,
    private readonly min: number,
    private readonly max: number,
    private readonly escape: number,
    private readonly scale = 1,
    private readonly absent = NaN,
  ) {}
  push(v: number | undefined, absent: number): void {
    if (v === undefined) return void this.col.push(absent);
    const scaled = v * this.scale;
    if (scaled >= this.min && scaled <= this.max && Number.isInteger(scaled)) return void this.col.push(scaled);
    this.#wide.set(this.col.push(this.escape), v);
  }
  get(row: number): number {
    const v = this.col.get(row);
    if (v === this.absent) return NaN;
    return v === this.escape ? (this.#wide.get(row) ?? NaN) : v / this.scale;
  }
}

/** Ids that usually fit 16 bits: two bytes a row until one does not, then four. */
export class Ids {
  readonly col = new Column<Uint16Array | Uint32Array>((n) => new Uint16Array(n));
  #wide = false;
  push(v: number): number {
    if (v > 0xffff && !this.#wide) {
      this.#wide = true;
      this.col.widen((n) => new Uint32Array(n));
    }
    return this.col.push(v);
  }
  get(i: number): number {
    return this.col.get(i);
  }
}

/**
 * Ids local to one segment for values from a large shared table (e.g. device tuples): a segment
 * sees a few thousand of them, so its rows keep 16-bit local ids and the segment a map to the shared id.
 */
export class LocalIds {
  readonly rows = new Ids();
  readonly #global = u32();
  /** Open addressing: local id + 1 per slot, 0 = empty, keyed by the shared id. */
  #table = new Uint32Array(64);
  push(global: number): number {
    if (this.#table.length === 0) this.#grow();
    const mask = this.#table.length - 1;
    let slot = mix(global) & mask;
    for (; this.#table[slot] !== 0; slot = (slot + 1) & mask) {
      const local = this.#table[slot]! - 1;
      if (this.#global.get(local) === global) return this.rows.push(local);
    }
    const local = this.#global.push(global);
    this.#table[slot] = local + 1;
    if (this.#global.length * 10 > this.#table.length * 7) this.#grow();
    return this.rows.push(local);
  }
  #grow(): void {
    let size = Math.max(64, this.#table.length * 2);
    while (this.#global.length * 10 > size * 7) size *= 2;
    this.#table = new Uint32Array(size);
    const mask = this.#table.length - 1;
    for (let local = 0; local < this.#global.length; local++) {
      let slot = mix(this.#global.get(local)) & mask;
      while (this.#table[slot] !== 0) slot = (slot + 1) & mask;
      this.#table[slot] = local + 1;
    }
  }
  /** The shared id of a row. */
  get(row: number): number {
    return this.#global.get(this.rows.get(row));
  }
  /** How many distinct shared ids the segment holds (local ids are 0 … distinct - 1). */
  get distinct(): number {
    return this.#global.length;
  }
  globalOf(local: number): number {
    return this.#global.get(local);
  }
  get bytes(): number {
    return this.rows.col.bytes + this.#global.bytes + this.#table.byteLength;
  }
  /** A sealed segment adds no rows: its lookup table goes (rebuilt should a row come after all). */
  trim(): void {
    this.rows.col.trim();
    this.#global.trim();
    this.#table = new Uint32Array(0);
  }
}

const mix = (v: number): number => Math.imul(v ^ (v >>> 16), 0x45d9f3b) >>> 0;
