/**
 * String interning for the capture index: a million summaries repeat the same event names, device and
 * gateway IDs, and each chain's correlation IDs. JSON.parse makes a fresh copy of every one; sharing
 * them is most of what keeps the index small.
 */
export class Interner {
  /** Values of bounded cardinality (names, entity IDs, EUIs): kept while the capture lives. */
  readonly #stable = new Map<string, string>();
  /** Correlation IDs and ID lists: shared by the events of one chain, which arrive close together. */
  #recent = new Map<string, string>();
  #recentLists = new Map<string, readonly string[]>();

  constructor(
    private readonly stableLimit = 500_000,
    private readonly recentLimit = 50_000,
  ) {}

  str(s: string): string;
  str(s: string | undefined): string | undefined;
  str(s: string | undefined): string | undefined {
    if (s === undefined) return undefined;
    const hit = this.#stable.get(s);
    if (hit !== undefined) return hit;
    if (this.#stable.size < this.stableLimit) this.#stable.set(s, s);
    return s;
  }

  /** A list of strings shared with an identical recent list (the strings interned too). */
  list(items: readonly string[], stable = false): readonly string[] {
    if (items.length === 0) return EMPTY;
    const key = items.join('\u0000');
    const hit = this.#recentLists.get(key);
    if (hit) return hit;
    const out = items.map((s) => (stable ? this.str(s) : this.#recentStr(s)));
    this.#recentLists.set(key, out);
    if (this.#recentLists.size > this.recentLimit) this.#recentLists = rotate(this.#recentLists);
    return out;
  }

  #recentStr(s: string): string {
    const hit = this.#recent.get(s);
    if (hit !== undefined) return hit;
    this.#recent.set(s, s);
    if (this.#recent.size > this.recentLimit) this.#recent = rotate(this.#recent);
    return s;
  }
}

const EMPTY: readonly string[] = Object.freeze([]);

/** Keep the newer half: bounded memory, and recent chains still share. */
function rotate<V>(m: Map<string, V>): Map<string, V> {
  const keep = new Map<string, V>();
  let skip = m.size / 2;
  for (const [k, v] of m) if (skip-- <= 0) keep.set(k, v);
  return keep;
}
