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
 */
export class TupleTable {
  readonly #ids = new Map<string, number>();
  readonly #fields: number[] = [];

  constructor(readonly width: number) {}

  id(values: readonly number[]): number {
    const key = values.join(',');
    let id = this.#ids.get(key);
    if (id === undefined) {
      id = this.#fields.length / this.width;
      this.#fields.push(...values);
      this.#ids.set(key, id);
    }
    return id;
  }

  /** Field `f` of tuple `id`. */
  field(id: number, f: number): number {
    return this.#fields[id * this.width + f]!;
  }

  get size(): number {
    return this.#fields.length / this.width;
  }
}
