/**
 * `mic:` and `mac:` over a capture (#18): main decodes an entry's frame with its device's keys the first
 * time a query asks about it, keeps only the verdict and the MAC command names per entry, and answers the
 * query language's `FrameFactsSource` from that cache. Nothing is decoded until such a query runs.
 *
 * The index's paging is synchronous and decoding is not, so a page is found in rounds: run the query,
 * decode the entries it asked about that were not decoded yet, run it again, until a round asks for
 * nothing new. The first round assumes an undecoded entry matches (a page of dense matches decodes about
 * a page); later rounds assume it does not (the scan goes on, and everything it reaches is decoded once).
 */
import type { EventSummary } from '../../shared/domain/summary.js';
import { frameFactsOf, MAX_FACTS_REQUEST, type FrameFacts, type FrameFactsBatch } from '../../shared/domain/frame.js';
import type { PageRequest, PageResult } from '../../shared/ipc/contract.js';
import { usesFrameFacts, type FrameFactsSource, type QueryContext } from '../../shared/query/query.js';
import { ok, type Result } from '../../shared/result.js';
import type { TtsEvent } from '../../shared/tts/types.js';
import type { FrameService } from './frame-service.js';

/** What the cache needs of the capture index: an entry's time and event, and a synchronous page. */
export interface FactsIndex {
  get(id: number): EventSummary | undefined;
  /** Whether an entry is still retained (cheap: no summary built). */
  ownerOf(id: number): unknown;
  event(id: number): Promise<Result<TtsEvent>>;
  page(req: PageRequest, context?: QueryContext): Result<PageResult>;
}

/** Rounds of a page before giving up on exactness (each round decodes what the last one reached). */
const MAX_ROUNDS = 6;
/** The cache is swept of entries retention removed when it has grown this much since the last sweep. */
const SWEEP_GROWTH = 2;
const MIN_SWEEP = 50_000;

export class FrameFactsCache {
  readonly #facts = new Map<number, FrameFacts>();
  readonly #misses = new Set<number>();
  #assume = false;
  #version = 1;
  #sweepAt: number;

  /** What the index's query compiler asks (`CaptureIndex.frameFacts`). */
  readonly source: FrameFactsSource = {
    facts: (s) => {
      const f = this.#facts.get(s.id);
      if (f === undefined) this.#misses.add(s.id);
      return f;
    },
    missing: () => this.#assume,
  };

  constructor(
    private readonly frames: FrameService,
    private readonly index: FactsIndex,
    /** Cache size below which it is never swept (tests make it small). */
    private readonly minSweep = MIN_SWEEP,
  ) {
    this.#sweepAt = minSweep;
    // A key set or cleared changes verdicts (and what FPort 0 reveals): decode again when asked.
    frames.onKeysChanged(() => this.invalidate());
  }

  /** Changes whenever cached facts are dropped; the window compares it with what it holds. */
  get version(): number {
    return this.#version;
  }

  get size(): number {
    return this.#facts.size;
  }

  invalidate(): void {
    this.#facts.clear();
    this.#version++;
  }

  /** Forget entries that left the capture (retention, a closed workspace). */
  forget(ids: Iterable<number>): void {
    for (const id of ids) this.#facts.delete(id);
  }

  /**
   * Drop the facts of entries no longer retained, once the cache has doubled since the last sweep: a
   * long-running capture whose old segments retention removes keeps a cache the size of what it holds.
   */
  #sweep(): void {
    if (this.#facts.size < this.#sweepAt) return;
    for (const id of this.#facts.keys()) if (this.index.ownerOf(id) === undefined) this.#facts.delete(id);
    this.#sweepAt = Math.max(this.minSweep, this.#facts.size * SWEEP_GROWTH);
  }

  /**
   * Decode the entries not decoded yet, oldest first (the 32-bit FCnt is recovered from the device's
   * earlier frames), with each device's keys read once for the batch.
   */
  async ensure(ids: Iterable<number>): Promise<void> {
    const todo: { id: number; ms: number }[] = [];
    for (const id of ids) {
      if (this.#facts.has(id)) continue;
      const s = this.index.get(id);
      if (s) todo.push({ id, ms: s.ms });
    }
    if (todo.length === 0) return;
    todo.sort((a, b) => a.ms - b.ms || a.id - b.id);
    const version = this.#version;
    await this.frames.batch(async () => {
      for (const { id } of todo) {
        const ev = await this.index.event(id);
        // An entry gone or unreadable has no frame to speak of: it matches no `mic:`/`mac:` term.
        const view = ev.ok ? await this.frames.decode(ev.value, id) : undefined;
        if (version !== this.#version) return; // keys changed meanwhile: these verdicts are stale
        this.#facts.set(id, frameFactsOf(view?.ok ? view.value.frame : undefined));
      }
    });
    this.#sweep();
  }

  /**
   * The entries queries asked about since the last call that are not decoded yet (and forget them): the
   * messages view filters synchronously too, and decodes what its filter reached between pushes.
   */
  takeMisses(): number[] {
    const out = [...this.#misses];
    this.#misses.clear();
    return out;
  }

  /** Facts of the given entries (decoded now if needed), for the window's live filter. */
  async factsFor(ids: readonly number[]): Promise<Result<FrameFactsBatch>> {
    const wanted = ids.slice(0, MAX_FACTS_REQUEST);
    await this.ensure(wanted);
    const facts: Record<number, FrameFacts> = {};
    for (const id of wanted) {
      const f = this.#facts.get(id);
      // A verdict outlives its entry until the next sweep: an entry retention removed has none.
      if (f && this.index.ownerOf(id) !== undefined) facts[id] = f;
    }
    return ok({ version: this.#version, facts });
  }

  /** A page through the index, exact for `mic:`/`mac:` terms (see the file comment). */
  async page(req: PageRequest, context?: QueryContext): Promise<Result<PageResult>> {
    if (!usesFrameFacts(req.query)) return this.index.page(req, context);
    const withFrames: QueryContext = { ...context, frames: this.source };
    let result: Result<PageResult> | undefined;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      this.#misses.clear();
      this.#assume = round === 0;
      try {
        result = this.index.page(req, withFrames);
      } finally {
        this.#assume = false;
      }
      if (!result.ok || this.#misses.size === 0) return result;
      const misses = [...this.#misses];
      this.#misses.clear();
      await this.ensure(misses);
    }
    return this.index.page(req, withFrames);
  }
}
