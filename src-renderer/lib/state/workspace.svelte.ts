/**
 * One workspace tab: the merged, time-ordered view of its streams, its filter, pause and selection.
 *
 * Lists are `$state.raw` and replaced per batch (never proxied); filtering is incremental so a batch
 * costs O(batch), not O(retained).
 */
import type { EventSummary } from '../../../src-main/shared/domain/summary';
import type { SavedFilter, SavedStream, SavedWorkspace } from '../../../src-main/shared/domain/workspace';
import type { TtsEvent } from '../../../src-main/shared/tts/types';
import type { ImportResult } from '../../../src-main/shared/export/types';
import type { WindowCount } from '../../../src-main/shared/domain/recording';
import { before, mergeByTime, type OrderKey } from '../../../src-main/shared/domain/merge';
import {
  compileQuery,
  type Predicate,
  type QueryContext,
  type QueryError,
  usesFrameFacts,
} from '../../../src-main/shared/query/query';
import type { FrameFactsView } from './frame-facts.svelte';
import { dropLeading } from '../logic/known-values';
import { OlderMatches, type Pager } from './older-matches.svelte';

/** How many entries a workspace view keeps (the capture files keep everything). */
export const VIEW_CAPACITY = 100_000;

const countEvents = (list: readonly EventSummary[]): number =>
  list.reduce((n, e) => n + (e.kind === 'event' ? 1 : 0), 0);

/** What *Clear view* hid: the capture keeps it, and the list, overview and dialogs say so. */
export interface Cleared {
  /** When the user cleared the view (wall clock). */
  atMs: number;
  /** The newest entry hidden: it and everything older stay out of this view (none: nothing was in view). */
  edge: OrderKey | undefined;
  /** Server events the view held (or held back while paused) when cleared, over every clear since. */
  events: number;
}

const newest = (a: OrderKey | undefined, b: OrderKey | undefined): OrderKey | undefined =>
  !a ? b : !b ? a : before(a, b) ? b : a;

export class Workspace {
  readonly id: string;
  name = $state('');
  /** Stream requests of this workspace, saved with the app and restarted on open. */
  specs = $state.raw<SavedStream[]>([]);
  /** Everything in view, oldest first by event time. */
  entries = $state.raw<EventSummary[]>([]);
  /** The filter's matches older than the view, from the whole capture in main (none without a filter). */
  readonly older = new OlderMatches(VIEW_CAPACITY);
  /** `entries` through the filter. */
  #matches = $state.raw<EventSummary[]>([]);
  /** What the list shows: the filter's older matches from the capture, then the matches in view. */
  readonly visible = $derived(beforeView(this.older.list, this.#matches));
  filterText = $state('');
  filterError = $state<QueryError | undefined>(undefined);
  /** The filter the view applies: the last valid one while the typed text has an error. */
  appliedFilter = $state('');
  savedFilters = $state.raw<SavedFilter[]>([]);
  paused = $state(false);
  /** Events that reached the capture while the view was paused. */
  arrivedWhilePaused = $state(0);
  selectedId = $state<number | undefined>(undefined);
  selected = $state.raw<EventSummary | undefined>(undefined);
  detail = $state.raw<TtsEvent | undefined>(undefined);
  detailError = $state<string | undefined>(undefined);
  /** Server events in view, counted per batch rather than recounted. */
  eventCount = $state(0);
  gapCount = $state(0);
  /** Which view of the selected event the detail pane shows. */
  detailTab = $state<'summary' | 'json' | 'chain' | 'frame'>('summary');
  /** The detail pane takes most of the width (for the correlation view). */
  wide = $state(false);
  /** Set for a workspace opened from a file: no streams can be added; main keeps its imported capture. */
  readOnly = $state(false);
  /** What the import said (events read, lines skipped), shown above the list. */
  importReport = $state.raw<ImportResult | undefined>(undefined);
  /** A workspace reading a ClickHouse window: how many events it holds (a lower bound while `counting`). */
  windowCount = $state.raw<WindowCount | undefined>(undefined);
  #mayHaveOlder = $state(false);
  /** Main's index holds entries older than the view (the view filled up, or the window was reloaded). */
  get mayHaveOlder(): boolean {
    return this.#mayHaveOlder;
  }
  set mayHaveOlder(value: boolean) {
    this.#mayHaveOlder = value;
    if (value) this.#searchOlder();
  }
  /** Set by *Clear view* until *Show them again*: what is hidden, so no surface answers without saying why. */
  cleared = $state.raw<Cleared | undefined>(undefined);
  /** The capture holds events to export even when the view shows none (cleared, or all older than the view). */
  get hasCapture(): boolean {
    return this.eventCount > 0 || (this.cleared?.events ?? 0) > 0 || this.mayHaveOlder;
  }
  /** Bumped when the list should scroll back to the live edge. */
  jumpToLive = $state(0);

  #predicate: Predicate | undefined;
  /** main's answers for `mic:`/`mac:` (#18); set by the app, absent where there is no main (unit tests). */
  #frames: FrameFactsView | undefined;
  #offFrames: (() => void) | undefined;
  /** The filter in force has `mic:`/`mac:` terms: entries are held back until main has answered for them. */
  usesFrames = $state(false);
  #pending: EventSummary[] = [];
  /**
   * Ids of the entries in view (and held while paused). An id seen again is the same entry changed
   * (another stream delivered the same event), and a page from main may overlap batches on their way.
   */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping no view renders
  #ids = new Set<number>();

  /** Called when something saved with the workspace changes (filter, saved filters). */
  onChange: () => void = () => undefined;
  /** Who delivered each stream's entries (the app's streams and profiles), for `server:` and `profile:`. */
  readonly queryContext: QueryContext | undefined;

  constructor(
    saved: SavedWorkspace,
    queryContext?: QueryContext,
    /** Main's `events:page`, for the filter's matches older than the view (absent where there is no main). */
    private readonly pager?: Pager,
  ) {
    this.id = saved.id;
    this.queryContext = queryContext;
    this.name = saved.name;
    this.specs = saved.streams;
    this.savedFilters = saved.savedFilters;
    this.readOnly = saved.readOnly === true;
    this.setFilter(saved.filter);
  }

  toSaved(): SavedWorkspace {
    return {
      id: this.id,
      name: this.name,
      streams: this.specs,
      filter: this.filterText,
      savedFilters: this.savedFilters,
      ...(this.readOnly ? { readOnly: true as const } : {}),
    };
  }

  /** New and changed summaries for this workspace from main. Paused: held (and counted), never dropped. */
  ingest(incoming: readonly EventSummary[]): void {
    const summaries: EventSummary[] = [];
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local lookup, never rendered
    const changed = new Map<number, EventSummary>();
    for (const s of incoming) {
      if (!this.#ids.has(s.id)) {
        this.#ids.add(s.id);
        summaries.push(s);
      } else changed.set(s.id, s);
    }
    if (summaries.length > 0) this.#add(summaries);
    if (changed.size > 0) this.#change(changed);
  }

  #add(summaries: EventSummary[]): void {
    if (this.paused) {
      for (const s of summaries) this.#pending.push(s);
      this.arrivedWhilePaused += countEvents(summaries);
      return;
    }
    this.#apply(summaries);
  }

  #apply(summaries: readonly EventSummary[]): void {
    const merged = mergeByTime(this.entries, summaries);
    const over = merged.length - VIEW_CAPACITY;
    const dropped = over > 0 ? merged.slice(0, over) : [];
    for (const d of dropped) this.#ids.delete(d.id);
    this.entries = over > 0 ? merged.slice(over) : merged;
    this.eventCount += countEvents(summaries) - countEvents(dropped);
    for (const s of summaries) if (s.name === 'event-desk.gap') this.gapCount++;
    const pred = this.#predicate;
    // Matches the full view lets go of stay in the list, as the older matches they now are.
    if (pred && this.older.query === this.appliedFilter) this.older.addEvicted(dropped.filter(pred));
    if (over > 0) this.mayHaveOlder = true;
    if (!pred) {
      this.#matches = this.entries;
      return;
    }
    this.#matches = dropLeading(mergeByTime(this.#matches, summaries.filter(pred)), dropped);
    this.#askFrames();
  }

  /** Entries already in view (or held while paused) that changed: replaced where they are. */
  #change(changed: ReadonlyMap<number, EventSummary>): void {
    const swap = (list: EventSummary[]) =>
      list.some((e) => changed.has(e.id)) ? list.map((e) => changed.get(e.id) ?? e) : list;
    this.#pending = swap(this.#pending);
    this.entries = swap(this.entries);
    this.#matches = swap(this.#matches);
    this.older.list = swap(this.older.list);
    if (this.selected && changed.has(this.selected.id)) this.selected = changed.get(this.selected.id);
  }

  /**
   * Add entries older than the view (from main's index). The view may grow to twice its capacity this
   * way; live arrivals then evict from the oldest end again.
   */
  addOlder(older: readonly EventSummary[]): number {
    const room = VIEW_CAPACITY * 2 - this.entries.length;
    const take = older.slice(Math.max(0, older.length - room));
    const fresh = take.filter((e) => !this.#ids.has(e.id));
    for (const e of fresh) this.#ids.add(e.id);
    this.entries = mergeByTime(fresh, this.entries);
    this.eventCount += countEvents(fresh);
    for (const s of fresh) if (s.name === 'event-desk.gap') this.gapCount++;
    this.older.trimTo(this.#edge());
    this.#matches = this.#predicate ? this.entries.filter(this.#predicate) : this.entries;
    this.#askFrames();
    return fresh.length;
  }

  /** Apply a query; an invalid one is explained and the last valid filter stays in force. */
  setFilter(text: string): void {
    if (text !== this.filterText) queueMicrotask(() => this.onChange());
    this.filterText = text;
    const q = compileQuery(
      text,
      this.#frames ? { ...this.queryContext, frames: this.#frames.source } : this.queryContext,
    );
    if (!q.ok) {
      this.filterError = q.error;
      return;
    }
    this.filterError = undefined;
    this.appliedFilter = text;
    this.#predicate = q.empty ? undefined : q.test;
    this.usesFrames = usesFrameFacts(text);
    this.#matches = this.#predicate ? this.entries.filter(this.#predicate) : this.entries;
    // The same filter applied again (main's frame answers came) keeps its older matches.
    if (this.older.query !== (q.empty ? '' : text)) this.older.reset();
    if (this.mayHaveOlder) this.#searchOlder();
    this.#askFrames();
  }

  /** The view's oldest entry: older matches are those before it. */
  #edge(): OrderKey | undefined {
    const e = this.entries[0];
    return e ? { ms: e.ms, id: e.id } : undefined;
  }

  /** Search the capture again for the filter (its last search failed: a file was busy, a window's server away). */
  searchOlderAgain(): void {
    this.older.reset();
    if (this.mayHaveOlder) this.#searchOlder();
  }

  /** Ask main for the filter's matches older than the view, once per filter. */
  #searchOlder(): void {
    if (!this.#predicate || !this.pager || this.older.query === this.appliedFilter) return;
    void this.older.search(this.pager, this.id, this.appliedFilter, () => this.#edge(), this.cleared?.edge);
  }

  /** Wire main's frame decoder for `mic:`/`mac:` (the saved filter is compiled again with it). */
  set frameFacts(view: FrameFactsView | undefined) {
    this.#offFrames?.();
    this.#frames = view;
    this.#offFrames = view?.onUpdate(() => {
      if (!this.usesFrames) return;
      // Answers came (or keys changed): the same filter, now with what main said.
      this.setFilter(this.filterText);
    });
    this.setFilter(this.filterText);
  }

  get frameFacts(): FrameFactsView | undefined {
    return this.#frames;
  }

  #askFrames(): void {
    if (this.usesFrames) this.#frames?.askMissing();
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    const pending = this.#pending;
    this.#pending = [];
    this.arrivedWhilePaused = 0;
    this.#apply(pending);
    this.jumpToLive++;
  }

  /** Nothing streams into a read-only workspace (a file or a ClickHouse window): it has no pause. */
  togglePause(): void {
    if (this.paused) this.resume();
    else if (!this.readOnly) this.pause();
  }

  /** Empty the view (the capture on disk keeps everything); `cleared` says what is hidden until `showCleared`. */
  clear(now = Date.now()): void {
    const held = this.#pending.reduce<OrderKey | undefined>((k, e) => newest(k, e), undefined);
    const edge = newest(newest(this.cleared?.edge, this.entries.at(-1)), held);
    const events = (this.cleared?.events ?? 0) + this.eventCount + countEvents(this.#pending);
    this.cleared = { atMs: now, edge: edge && { ms: edge.ms, id: edge.id }, events };
    this.entries = [];
    this.#matches = [];
    this.older.reset();
    // The capture keeps what was cleared, but neither a filter nor "Load older" brings it back into this view
    // (`cleared.edge` stops them) until the user asks with *Show them again*.
    this.#mayHaveOlder = false;
    this.#pending = [];
    this.#ids.clear();
    this.arrivedWhilePaused = 0;
    this.eventCount = 0;
    this.gapCount = 0;
    this.selectedId = undefined;
    this.selected = undefined;
    this.detail = undefined;
  }

  /** *Show them again*: the view reaches back into the capture (the filter searches it; the app loads older entries). */
  showCleared(): void {
    this.cleared = undefined;
    this.older.reset();
    this.mayHaveOlder = true;
  }

  /** Forget the entries of streams that were removed from this workspace. */
  dropStream(streamId: string): void {
    this.entries = this.entries.filter((e) => e.streamId !== streamId);
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping no view renders
    this.#ids = new Set(this.entries.map((e) => e.id));
    this.#matches = this.#matches.filter((e) => e.streamId !== streamId);
    this.older.dropStream(streamId);
    this.eventCount = countEvents(this.entries);
  }

  saveFilter(name: string): void {
    const n = name.trim() || this.filterText;
    this.savedFilters = [...this.savedFilters.filter((f) => f.name !== n), { name: n, query: this.filterText }];
    this.onChange();
  }

  deleteFilter(name: string): void {
    this.savedFilters = this.savedFilters.filter((f) => f.name !== name);
    this.onChange();
  }
}

/**
 * The older matches, then the matches in view, each entry once and in time order. The older ones all precede
 * the view (the usual case: one copy); an entry in both (a late replay, a page that raced a batch) shows once.
 */
function beforeView(older: readonly EventSummary[], inView: EventSummary[]): EventSummary[] {
  if (older.length === 0) return inView;
  const first = inView[0];
  if (!first || before(older.at(-1)!, first)) return [...older, ...inView];
  const shown = new Set(inView.map((e) => e.id));
  return mergeByTime(
    older.filter((e) => !shown.has(e.id)),
    inView,
  );
}
