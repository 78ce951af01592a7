/**
 * A filter's matches older than the workspace's view, found by main's index over the whole capture.
 *
 * The view keeps the newest 100,000 entries of a capture that may hold millions; a filter that only looked
 * at the view found nothing older (a device's events of an hour ago, a time window dragged on the overview).
 * Main answers the same query language over every retained entry (`events:page`), newest first, so the
 * matches come in pages: a first small one at once, then bigger ones until `cap` or the capture's start.
 */
import type { EventSummary } from '../../../src-main/shared/domain/summary';
import type { PageRequest, PageResult } from '../../../src-main/shared/ipc/contract';
import type { Result } from '../../../src-main/shared/result';
import { before, mergeByTime, type OrderKey } from '../../../src-main/shared/domain/merge';

/** Main's `events:page`. */
export type Pager = (request: PageRequest) => Promise<Result<PageResult>>;

const FIRST_PAGE = 2_000;
const NEXT_PAGE = 20_000;

export class OlderMatches {
  /** Oldest first; each older than the view's oldest entry. */
  list = $state.raw<EventSummary[]>([]);
  /** The filter `list` answers; '' while no search was made. */
  query = $state('');
  searching = $state(false);
  /** Main holds older matches than `list` (the cap was reached). */
  more = $state(false);
  error = $state<string | undefined>(undefined);
  /** A newer search (or a reset) makes the pages of an older one void. */
  #run = 0;

  constructor(private readonly cap: number) {}

  reset(): void {
    this.#run++;
    this.list = [];
    this.query = '';
    this.searching = false;
    this.more = false;
    this.error = undefined;
  }

  /**
   * Ask main for `query`'s matches older than the view. `edge` is the view's oldest entry at each answer:
   * the view may grow back meanwhile (a file's tab filling up), and what it then holds is not kept twice.
   * `floor` is where *Clear view* cut the view: the search stops there, so what was cleared stays hidden.
   */
  async search(
    pager: Pager,
    workspaceId: string,
    query: string,
    edge: () => OrderKey | undefined,
    floor?: OrderKey,
  ): Promise<void> {
    let from = edge();
    // An empty view has no "older than": nothing is said about the filter until it holds an entry.
    if (!from) return this.reset();
    const run = ++this.#run;
    this.query = query;
    this.list = [];
    this.more = false;
    this.error = undefined;
    this.searching = true;
    let limit = FIRST_PAGE;
    while (from) {
      const r = await pager({ workspaceId, query, before: from, limit });
      if (run !== this.#run) return;
      if (!r.ok) {
        this.error = r.error.message;
        break;
      }
      const page = r.value.entries;
      const view = edge();
      const inView = view ? page.filter((e) => before(e, view)) : page;
      const found = floor ? inView.filter((e) => before(floor, e)) : inView;
      this.#prepend(found);
      if (!r.value.more || page.length === 0 || found.length < inView.length) break;
      if (this.list.length >= this.cap) {
        this.more = true;
        break;
      }
      from = { ms: page[0]!.ms, id: page[0]!.id };
      limit = Math.min(NEXT_PAGE, this.cap - this.list.length);
    }
    this.searching = false;
  }

  /**
   * Matches the view let go of (it was full): they are now older than the view, and newer than `list`.
   * Over the cap, the oldest go, and main still holds them.
   */
  addEvicted(matches: readonly EventSummary[]): void {
    if (matches.length === 0) return;
    const last = this.list.at(-1);
    let all: EventSummary[];
    // Newer than the list, in order (a full live view lets go of its oldest): appended, no lookup per batch.
    if (!last || before(last, matches[0]!)) all = [...this.list, ...matches];
    else {
      // A stream's late replay sorts among the list, and a page may have brought one of them already.
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local lookup, never rendered
      const held = new Set(this.list.map((e) => e.id));
      const fresh = matches.filter((e) => !held.has(e.id));
      if (fresh.length === 0) return;
      all = mergeByTime(this.list, fresh);
    }
    const over = all.length - this.cap;
    if (over > 0) this.more = true;
    this.list = over > 0 ? all.slice(over) : all;
  }

  /** The view grew back over part of `list` (older pages of the whole capture): those are in view now. */
  trimTo(view: OrderKey | undefined): void {
    if (!view || this.list.length === 0 || before(this.list.at(-1)!, view)) return;
    this.list = this.list.filter((e) => before(e, view));
  }

  /** Entries of a stream removed from the workspace. */
  dropStream(streamId: string): void {
    if (this.list.some((e) => e.streamId === streamId)) this.list = this.list.filter((e) => e.streamId !== streamId);
  }

  #prepend(page: readonly EventSummary[]): void {
    // Only what is older than the list (a reader that starts its page again within a millisecond repeats rows).
    const first = this.list[0];
    const found = first ? page.filter((e) => before(e, first)) : page;
    if (found.length === 0) return;
    const room = this.cap - this.list.length;
    if (room <= 0) return;
    if (found.length > room) this.more = true;
    const take = found.length > room ? found.slice(found.length - room) : found;
    this.list = [...take, ...this.list];
  }
}
