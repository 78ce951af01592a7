/**
 * Remembers recently seen `unique_id`s in bounded memory, to drop the duplicates a resume brings.
 *
 * Two generations of sets: when the current one is full it becomes the old one. A resume overlaps
 * by about a second, so a few thousand recent IDs are plenty.
 */
export class RecentIds {
  #current = new Set<string>();
  #previous = new Set<string>();

  constructor(private readonly generationSize = 20_000) {}

  /** True if `id` was seen before; otherwise remembers it. */
  seen(id: string): boolean {
    if (this.#current.has(id) || this.#previous.has(id)) return true;
    this.#current.add(id);
    if (this.#current.size >= this.generationSize) {
      this.#previous = this.#current;
      this.#current = new Set();
    }
    return false;
  }
}
