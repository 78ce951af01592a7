/**
 * The window's side of `mic:` and `mac:` (#18). The live view filters its entries synchronously, but only
 * main can decode frames with device keys: so the filter asks this cache, which remembers what main said
 * per entry; entries it has not heard about yet are held back, asked about in one batch, and the view is
 * filtered again when the answers come. The result is what main's own paged query returns.
 */
import { MAX_FACTS_REQUEST, type FrameFacts } from '../../../src-main/shared/domain/frame';
import type { RendererApi } from '../../../src-main/shared/ipc/contract';
import type { FrameFactsSource } from '../../../src-main/shared/query/query';

const BATCH = MAX_FACTS_REQUEST;

export class FrameFactsView {
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a lookup the filter reads, never rendered
  readonly #facts = new Map<number, FrameFacts>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping no view renders
  readonly #misses = new Set<number>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping no view renders
  readonly #listeners = new Set<() => void>();
  #version: number | undefined;
  #asking: Promise<void> | undefined;
  /** Why the last request failed, shown next to the filter (main unreachable, keychain locked). */
  error = $state<string | undefined>(undefined);
  /** Entries waiting for main's answer: the view may still grow when they come. */
  waiting = $state(0);

  constructor(private readonly api: Pick<RendererApi, 'getFrameFacts'>) {}

  /** What the query compiler asks: what main said about an entry, or undefined (noted, asked soon). */
  readonly source: FrameFactsSource = {
    facts: (s) => {
      const f = this.#facts.get(s.id);
      if (f === undefined) this.#misses.add(s.id);
      return f;
    },
  };

  /** Called when answers arrived or keys changed: the workspace filters its view again. */
  onUpdate(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Keys changed in this window: every verdict is asked again. */
  invalidate(): void {
    this.#facts.clear();
    this.#notify();
  }

  /** Ask main about the entries the last filter pass could not decide (one request at a time). */
  askMissing(): void {
    if (this.#asking || this.#misses.size === 0) return;
    this.#asking = this.#ask().finally(() => {
      this.#asking = undefined;
      // Entries that arrived while asking.
      if (this.#misses.size > 0) this.askMissing();
    });
  }

  async #ask(): Promise<void> {
    let changed = false;
    while (this.#misses.size > 0) {
      const ids = [...this.#misses].slice(0, BATCH);
      for (const id of ids) this.#misses.delete(id);
      this.waiting = this.#misses.size + ids.length;
      const r = await this.api.getFrameFacts(ids);
      if (!r.ok) {
        this.error = `mic:/mac: could not be answered: ${r.error.message}`;
        break;
      }
      this.error = undefined;
      if (this.#version !== undefined && r.value.version !== this.#version) this.#facts.clear();
      this.#version = r.value.version;
      // An entry main no longer has (retention) has no frame to speak of: it matches no mic:/mac: term.
      for (const id of ids) this.#facts.set(id, r.value.facts[id] ?? { mac: [] });
      changed = true;
    }
    this.waiting = 0;
    if (changed) this.#notify();
  }

  #notify(): void {
    for (const l of this.#listeners) l();
  }
}
