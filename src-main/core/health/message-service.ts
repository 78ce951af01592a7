/**
 * The messages view's rows, made in main (#17): each workspace's capture is grouped into messages as
 * rows are appended (`MessageGrouper`, fed only the rows since the last call, in time order across the
 * workspace's segments), and what retention removes is dropped from the groups, like the device and
 * gateway aggregates. The window asks for the rows it shows (a range of the list, newest first or not,
 * through its filter) and main lays out just those, so a view costs the rows on screen, not the capture.
 *
 * A filter selects the messages with at least one event it matches (the row shows the whole message);
 * an expanded message lists its matching events. While the first grouping of a big capture runs (after
 * a reopen), it goes on in slices between calls and the answer says how far it got.
 */
import type { CaptureIndex } from '../capture/capture-index.js';
import type { Segment } from '../capture/segment.js';
import type { SegmentQuery } from '../capture/segment-query.js';
import { CHUNK_SHIFT } from '../capture/columns.js';
import { err, ok, type Result } from '../../shared/result.js';
import { compileQuery, type Predicate, type QueryContext } from '../../shared/query/query.js';
import type { EventSummary } from '../../shared/domain/summary.js';
import { MessageGrouper, rootOf, type MessageGroup } from '../../shared/health/message-groups.js';
import { messageRow, type MessageRow } from '../../shared/health/messages.js';
import type { MessagesRequest, MessagesWindow } from '../../shared/ipc/contract.js';

/** Rows grouped per slice before a call answers with its progress (the first grouping of a big capture). */
const SLICE_MS = 150;
/** Events of one expanded message sent at most. */
const MAX_EXPANDED = 500;

interface Filter {
  query: string;
  plan: SegmentQuery | undefined;
  test: Predicate | undefined;
  matched: Set<MessageGroup>;
}

interface State {
  grouper: MessageGrouper;
  /** Rows grouped per segment. */
  done: Map<Segment, number>;
  /** The group each grouped row went to (undefined: not part of a message), per segment. */
  groupOf: Map<Segment, (MessageGroup | undefined)[]>;
  filter: Filter | undefined;
  /** Bumped whenever rows were grouped: the sorted (and filtered) lists are made again. */
  version: number;
  sorted?: { version: number; list: MessageGroup[] };
  shown?: { version: number; query: string; list: MessageGroup[] };
  /** The filtered list is made again from this first-event time on (-Infinity: whole; Infinity: nothing). */
  shownFromMs: number;
  /** Laid-out rows by group, valid while the group has as many members. */
  rows: WeakMap<MessageGroup, { n: number; row: MessageRow | undefined }>;
  /** A group newly matched the filter (the filtered list changes from its place on). */
  onMatch?: (g: MessageGroup) => void;
}

const order = (a: MessageGroup, b: MessageGroup) => a.firstMs - b.firstMs || a.firstId - b.firstId;

/** The first index of a list sorted by first-event time whose message began at or after `ms`. */
function lowerBound(list: readonly MessageGroup[], ms: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.firstMs < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class MessageService {
  readonly #states = new Map<string, State>();

  constructor(
    private readonly index: CaptureIndex,
    /** `server:`/`profile:` (and `mic:`/`mac:` as far as main decoded) for filters, as pages use. */
    private readonly context: () => QueryContext | undefined = () => undefined,
  ) {}

  #state(workspaceId: string): State {
    let s = this.#states.get(workspaceId);
    if (!s) {
      const grouper = new MessageGrouper();
      s = {
        grouper,
        done: new Map(),
        groupOf: new Map(),
        filter: undefined,
        version: 0,
        rows: new WeakMap(),
        shownFromMs: -Infinity,
      };
      const state = s;
      grouper.onMerge = (target, other) => {
        if (state.filter?.matched.has(other)) state.filter.matched.add(target);
      };
      state.onMatch = (g) => {
        if (g.firstMs < state.shownFromMs) state.shownFromMs = g.firstMs;
      };
      this.#states.set(workspaceId, s);
    }
    return s;
  }

  /** The workspaces whose messages are kept. */
  workspaces(): string[] {
    return [...this.#states.keys()];
  }

  /** Evaluate the workspace's filter again at the next window (frames it asked about were decoded). */
  refilter(workspaceId: string): void {
    const s = this.#states.get(workspaceId);
    if (s) s.filter = undefined;
  }

  /** Forget a workspace (closed). */
  forget(workspaceId: string): void {
    this.#states.delete(workspaceId);
  }

  /**
   * Group the rows appended since the last call, oldest first across the workspace's segments, for at
   * most `budgetMs` (then `false`: more remain). Segments retention removed are dropped first.
   */
  update(workspaceId: string, budgetMs = SLICE_MS): boolean {
    const started = performance.now();
    const s = this.#state(workspaceId);
    const segments = this.index.segmentsOf(workspaceId);
    const gone = [...s.done.keys()].filter((seg) => !segments.includes(seg));
    if (gone.length) {
      const inGone = (id: number) => gone.some((seg) => id >= seg.base && id < seg.base + seg.rows);
      s.grouper.retain(
        (id) => !inGone(id),
        (id) => this.index.get(id)?.ms ?? 0,
      );
      for (const seg of gone) {
        s.done.delete(seg);
        s.groupOf.delete(seg);
      }
      if (s.filter) for (const g of [...s.filter.matched]) if (g.ids.length === 0) s.filter.matched.delete(g);
      s.version++;
    }
    // Cursors of the segments with rows to group; the next row is always the oldest among them.
    const cursors = segments
      .map((seg) => ({ seg, from: s.done.get(seg) ?? 0, row: s.done.get(seg) ?? 0, view: seg.view() }))
      .filter((c) => c.row < c.seg.rows);
    if (cursors.length === 0) return true;
    s.version++;
    const active = cursors.slice();
    let n = 0;
    while (active.length > 0) {
      let k = 0;
      for (let i = 1; i < active.length; i++)
        if (active[i]!.seg.ms(active[i]!.row) < active[k]!.seg.ms(active[k]!.row)) k = i;
      const c = active[k]!;
      const { seg, view } = c;
      const row = c.row++;
      if (c.row >= seg.rows) active.splice(k, 1);
      let list = s.groupOf.get(seg);
      if (!list) s.groupOf.set(seg, (list = []));
      let g: MessageGroup | undefined;
      if (!seg.isStatus(row)) {
        view.row = row;
        g = s.grouper.add(view);
      }
      list.push(g);
      if ((++n & 1023) === 0 && performance.now() - started > budgetMs) break;
    }
    for (const c of cursors) {
      s.done.set(c.seg, c.row);
      // The filter's matches among the rows just grouped, a column chunk at a time.
      if (s.filter?.plan) markMatches(s.filter, c.seg, s.groupOf.get(c.seg)!, c.from, c.row, s.onMatch);
    }
    return active.length === 0;
  }

  /** Set the filter the list goes through; a new one is evaluated over every grouped row once. */
  #setFilter(s: State, query: string): Result<void> {
    if (s.filter?.query === query) return ok(undefined);
    const context = this.context();
    const planned = this.index.query(query, context);
    if (!planned.ok) return planned;
    const compiled = compileQuery(query, context);
    const f: Filter = {
      query,
      plan: planned.value,
      test: compiled.ok && !compiled.empty ? compiled.test : undefined,
      matched: new Set(),
    };
    if (f.plan) for (const [seg, list] of s.groupOf) markMatches(f, seg, list, 0, list.length);
    s.filter = f;
    s.shown = undefined;
    return ok(undefined);
  }

  /**
   * The messages sorted by their first event, kept between calls: only the part from the earliest
   * first-event time a change touched is sorted again (a new message, a merge, an earlier member), so a
   * push costs the live end of the capture, not all of its messages.
   */
  #sorted(s: State): MessageGroup[] {
    if (s.sorted?.version === s.version) return s.sorted.list;
    const ch = s.grouper.takeChanges();
    let list = s.sorted?.list;
    if (!list || ch.reset) {
      // Groups without a frame (only steps, none naming a direction) are not messages.
      list = s.grouper
        .groups()
        .filter((g) => g.framed)
        .sort(order);
      s.shownFromMs = -Infinity;
    } else if (ch.fromMs < Infinity) {
      const i0 = lowerBound(list, ch.fromMs);
      const tail = new Set(list.slice(i0));
      for (const g of ch.fresh) tail.add(g);
      const sorted = [...tail].filter((g) => !g.into && g.framed).sort(order);
      list.length = i0;
      for (const g of sorted) list.push(g);
      if (ch.fromMs < s.shownFromMs) s.shownFromMs = ch.fromMs;
    }
    s.sorted = { version: s.version, list };
    return list;
  }

  /** The sorted messages through the filter, made again only from the earliest place that changed. */
  #shown(s: State): MessageGroup[] {
    const f = s.filter;
    const all = this.#sorted(s);
    if (!f?.plan) return all;
    const prev = s.shown;
    if (prev?.version === s.version && prev.query === f.query && s.shownFromMs === Infinity) return prev.list;
    let list: MessageGroup[];
    if (!prev || prev.query !== f.query || s.shownFromMs === -Infinity) list = all.filter((g) => f.matched.has(g));
    else {
      list = prev.list;
      if (s.shownFromMs < Infinity) {
        list.length = lowerBound(list, s.shownFromMs);
        for (let j = lowerBound(all, s.shownFromMs); j < all.length; j++)
          if (f.matched.has(all[j]!)) list.push(all[j]!);
      }
    }
    s.shownFromMs = Infinity;
    s.shown = { version: s.version, query: f.query, list };
    return list;
  }

  #row(s: State, g: MessageGroup): MessageRow | undefined {
    const hit = s.rows.get(g);
    if (hit && hit.n === g.ids.length) return hit.row;
    const events = g.ids.map((id) => this.index.get(id)).filter((e): e is EventSummary => e !== undefined);
    const row = messageRow(events, rootOf(g).retransmission);
    s.rows.set(g, { n: g.ids.length, row });
    return row;
  }

  /** The group an entry was put in (any member's id finds its message). */
  #groupOfId(s: State, id: number): MessageGroup | undefined {
    for (const [seg, list] of s.groupOf) {
      if (id < seg.base || id >= seg.base + list.length) continue;
      const g = list[id - seg.base];
      return g && rootOf(g);
    }
    return undefined;
  }

  /** A window of the workspace's messages through the filter (grouping what arrived first). */
  window(req: MessagesRequest): Result<MessagesWindow> {
    const s = this.#state(req.workspaceId);
    const finished = this.update(req.workspaceId);
    const f = this.#setFilter(s, req.query);
    if (!f.ok) return err('invalid-input', f.error.message);
    const list = this.#shown(s);
    const total = list.length;
    const at = (i: number) => (req.newestFirst ? list[total - 1 - i] : list[i]);
    const start = Math.max(0, Math.min(req.start, Math.max(0, total - req.count)));
    const rows: MessageRow[] = [];
    for (let i = start; i < Math.min(total, start + req.count); i++) {
      const g = at(i)!;
      const row = this.#row(s, g);
      // A group with no direction at all is not a message: an empty placeholder keeps the positions.
      rows.push(row ?? placeholder(g));
    }
    const out: MessagesWindow = {
      workspaceId: req.workspaceId,
      query: req.query,
      newestFirst: req.newestFirst,
      total,
      start,
      rows,
      entries: [...s.done.values()].reduce((a, x) => a + x, 0),
    };
    if (req.expanded !== undefined) {
      const g = this.#groupOfId(s, req.expanded);
      const pos = g ? list.indexOf(g) : -1;
      if (g && pos >= 0) {
        const test = s.filter?.test;
        const events = g.ids
          .map((id) => this.index.get(id))
          .filter((e): e is EventSummary => e !== undefined && (!test || test(e)))
          .sort((a, b) => a.ms - b.ms || a.id - b.id)
          .slice(0, MAX_EXPANDED);
        out.expanded = {
          at: req.newestFirst ? total - 1 - pos : pos,
          row: this.#row(s, g) ?? placeholder(g),
          events,
        };
      }
    }
    if (!finished) {
      const all = this.index.segmentsOf(req.workspaceId).reduce((a, seg) => a + seg.rows, 0);
      out.building = { read: out.entries, total: all };
    }
    return ok(out);
  }
}

/** Mark the messages of rows `from … to - 1` of a segment that the filter matches. */
function markMatches(
  f: Filter,
  seg: Segment,
  groups: (MessageGroup | undefined)[],
  from: number,
  to: number,
  onMatch?: (g: MessageGroup) => void,
): void {
  if (!f.plan || from >= to) return;
  const matcher = f.plan.on(seg);
  // A matcher reads rows of one column chunk per call.
  for (let a = from; a < to;) {
    const b = Math.min(to, ((a >>> CHUNK_SHIFT) + 1) << CHUNK_SHIFT);
    const mask = matcher.match(a, b);
    for (let row = a; row < b; row++) {
      const g = groups[row];
      if (!g || mask[row - a] !== 1) continue;
      const r = rootOf(g);
      if (f.matched.has(r)) continue;
      f.matched.add(r);
      onMatch?.(r);
    }
    a = b;
  }
}

/** A group without a frame's direction (rare: only steps of a message, none naming its kind). */
function placeholder(g: MessageGroup): MessageRow {
  return {
    id: g.firstId,
    kind: 'uplink',
    ms: g.firstMs,
    lastMs: g.lastMs,
    time: new Date(g.firstMs).toISOString(),
    direction: 'up',
    preview: '',
    gateways: 0,
    gatewayIds: [],
    path: [],
    outcome: 'pending',
    eventIds: g.ids.slice(),
    findings: [],
    packetBroker: false,
  };
}
