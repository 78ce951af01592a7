import { u32 } from './columns.js';

/**
 * A string table: each distinct string once, referred to by a small number. Id 0 is "no value".
 *
 * Names, entity IDs, EUIs and gateway IDs repeat across millions of entries; the index stores their
 * ids in typed columns instead of a string reference per entry.
 */
export class StringTable {
  readonly #ids = new Map<string, number>();
  readonly #strings: string[] = [''];

  /** The id of `s`, adding it if new; `undefined` and '' are 0. */
  id(s: string | undefined): number {
    if (!s) return 0;
    let id = this.#ids.get(s);
    if (id === undefined) {
      id = this.#strings.length;
      // A flat copy: a value sliced out of a large JSON text must not keep that text alive.
      const own = flat(s);
      this.#strings.push(own);
      this.#ids.set(own, id);
    }
    return id;
  }

  /** The id of `s` if it is in the table, without adding it. */
  find(s: string): number | undefined {
    return this.#ids.get(s);
  }

  str(id: number): string {
    return this.#strings[id] ?? '';
  }

  /** The string, or `undefined` for id 0. */
  opt(id: number): string | undefined {
    return id === 0 ? undefined : this.#strings[id];
  }

  get size(): number {
    return this.#strings.length - 1;
  }
}

/** A copy of `s` that shares no memory with a larger string it may have been cut from. */
export function flat(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

/**
 * Combinations of a few string-table ids as one id (e.g. name, direction, data rate, error and frame
 * bits): rows keep one small number where they kept five, and a query tests each combination once.
 * The fields live in one typed column and are found through an open-addressing table (no string key
 * or Map entry per combination: device tuples grow with every join's new DevAddr).
 */
export class TupleTable {
  readonly #fields = u32();
  /** Tuple id + 1 per slot, 0 = empty. */
  #table = new Uint32Array(256);
  #size = 0;

  constructor(readonly width: number) {}

  id(values: readonly number[]): number {
    const mask = this.#table.length - 1;
    let slot = this.#hash(values, 0) & mask;
    for (; this.#table[slot] !== 0; slot = (slot + 1) & mask)
      if (this.#same(this.#table[slot]! - 1, values)) return this.#table[slot]! - 1;
    const id = this.#size++;
    for (const v of values) this.#fields.push(v);
    this.#table[slot] = id + 1;
    if (this.#size * 10 > this.#table.length * 7) {
      this.#table = new Uint32Array(this.#table.length * 2);
      const m = this.#table.length - 1;
      for (let t = 0; t < this.#size; t++) {
        let at = this.#hash(undefined, t) & m;
        while (this.#table[at] !== 0) at = (at + 1) & m;
        this.#table[at] = t + 1;
      }
    }
    return id;
  }

  /** FNV-1a over the values given, or over the stored fields of tuple `id`. */
  #hash(values: readonly number[] | undefined, id: number): number {
    let h = 0x811c9dc5;
    for (let f = 0; f < this.width; f++)
      h = Math.imul(h ^ (values ? values[f]! : this.#fields.get(id * this.width + f)), 0x01000193);
    return (h ^ (h >>> 15)) >>> 0;
  }

  #same(id: number, values: readonly number[]): boolean {
    const at = id * this.width;
    for (let f = 0; f < this.width; f++) if (this.#fields.get(at + f) !== values[f]) return false;
    return true;
  }

  /** Field `f` of tuple `id`. */
  field(id: number, f: number): number {
    return this.#fields.get(id * this.width + f);
  }

  get size(): number {
    return this.#size;
  }
}
