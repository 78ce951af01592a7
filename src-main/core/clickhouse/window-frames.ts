/**
 * `mic:` and `mac:` over ClickHouse windows (#18, #19): no column says what the frame decoder would (it
 * needs the device's keys, which only this desk has), so they are decided on the rows after SQL has
 * narrowed the scan, like the other terms SQL cannot say. Before a page's candidates are tested, their
 * frames are decoded with this desk's keys (the same decoder a capture's entries go through, oldest
 * first so the 32-bit counter is recovered in order); the verdict and the MAC command names are kept per
 * row key, so a row is decoded once whichever page, pass or filter reaches it.
 *
 * The query language asks by summary, and rows of a pass over a whole window are numbered afresh, so the
 * rows being tested are named by `use` just before the (synchronous) filter runs on them.
 */
import { frameFactsOf, type FrameFacts, type FrameView } from '../../shared/domain/frame.js';
import { frameMType } from '../../shared/domain/frame-bits.js';
import type { FrameFactsSource } from '../../shared/query/query.js';
import type { Result } from '../../shared/result.js';
import type { TtsEvent } from '../../shared/tts/types.js';
import type { SourceRow } from './row-store.js';

/** Verdicts kept at most; past this the cache starts over (a pass over millions of frames). */
const MAX_KEPT = 500_000;

export type FrameDecode = (event: TtsEvent, id: number) => Promise<Result<FrameView>>;

export class WindowFrames {
  readonly #byKey = new Map<string, FrameFacts>();
  #current = new Map<number, string>();
  #version = 1;

  constructor(private readonly decode: FrameDecode) {}

  /** What the query compiler asks: the verdict of a row named by the last `use`. */
  readonly source: FrameFactsSource = {
    facts: (s) => {
      const key = this.#current.get(s.id);
      return key === undefined ? undefined : this.#byKey.get(key);
    },
  };

  /** Keys changed: every frame is decoded again when asked. */
  invalidate(): void {
    this.#byKey.clear();
    this.#version++;
  }

  get version(): number {
    return this.#version;
  }

  /** Decode the frames of these rows not decoded yet (rows without a frame header never are). */
  async ensure(rows: readonly SourceRow[]): Promise<void> {
    const todo = rows
      .filter((r) => frameMType(r.summary.frame) !== undefined && !this.#byKey.has(r.key))
      .sort((a, b) => a.summary.ms - b.summary.ms);
    if (this.#byKey.size + todo.length > MAX_KEPT) this.#byKey.clear();
    const version = this.#version;
    for (const r of todo) {
      let view: Result<FrameView> | undefined;
      try {
        view = await this.decode(JSON.parse(r.raw) as TtsEvent, r.summary.id);
      } catch {
        view = undefined;
      }
      // Keys changed meanwhile: these verdicts are stale.
      if (version !== this.#version) return;
      // A frame that cannot be decoded has nothing to say: it matches no `mic:`/`mac:` term.
      this.#byKey.set(r.key, frameFactsOf(view?.ok ? view.value.frame : undefined));
    }
  }

  /** Name the rows the filter runs on next (call right before it, with no await in between). */
  use(rows: readonly SourceRow[]): void {
    this.#current = new Map(rows.map((r) => [r.summary.id, r.key]));
  }

  /** The verdict of a row (decoded now if needed), for the list's own filter in the renderer. */
  async factsOf(rows: readonly SourceRow[]): Promise<Record<number, FrameFacts>> {
    await this.ensure(rows);
    const out: Record<number, FrameFacts> = {};
    for (const r of rows) out[r.summary.id] = this.#byKey.get(r.key) ?? { mac: [] };
    return out;
  }
}
