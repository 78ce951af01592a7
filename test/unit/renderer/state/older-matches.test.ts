/**
 * A filter searches the whole capture, not only the view's newest 100,000 entries: main's pages bring the
 * matches older than the view, a new filter drops the old ones (and a late answer for it), and matches the
 * full view lets go of stay in the list.
 */
import { describe, expect, it } from 'vitest';
import { VIEW_CAPACITY, Workspace } from '../../../../src-renderer/lib/state/workspace.svelte';
import type { Pager } from '../../../../src-renderer/lib/state/older-matches.svelte';
import type { EventSummary } from '../../../../src-main/shared/domain/summary.js';
import type { PageRequest } from '../../../../src-main/shared/ipc/contract.js';
import { compileQuery } from '../../../../src-main/shared/query/query.js';
import { loadOlder } from '../../../../src-renderer/lib/state/app-actions';
import type { AppState } from '../../../../src-renderer/lib/state/app-state.svelte';

/** Entry `i` of a capture: device `old-dev` for ids below `oldUntil`, else one of ten others. */
const entry = (i: number, oldUntil = 0): EventSummary => ({
  id: i,
  streamId: 's1',
  kind: 'event',
  ms: 1_764_000_000_000 + i,
  time: '',
  name: 'as.up.data.forward',
  entity: i < oldUntil ? 'old-dev' : `dev${i % 10}`,
  entityKind: 'device',
  preview: '',
  correlationIds: [],
});

/** Main over a capture of `count` entries: pages of the query's matches before a point, newest first. */
function main(count: number, oldUntil: number) {
  const all = Array.from({ length: count }, (_, i) => entry(i, oldUntil));
  const asked: PageRequest[] = [];
  let hold: Promise<void> | undefined;
  const pager: Pager = async (req) => {
    asked.push(req);
    if (hold) await hold;
    const q = compileQuery(req.query);
    if (!q.ok) return { ok: false, error: { code: 'invalid-input', message: q.error.message } };
    const b = req.before;
    const older = all.filter((e) => (!b || e.ms < b.ms || (e.ms === b.ms && e.id < b.id)) && (q.empty || q.test(e)));
    const entries = older.slice(Math.max(0, older.length - req.limit));
    return { ok: true, value: { entries, more: older.length > entries.length, retained: count } };
  };
  return {
    all,
    asked,
    pager,
    /** Answers wait until the returned function is called. */
    holdAnswers: () => {
      let release!: () => void;
      hold = new Promise((r) => (release = r));
      return () => {
        hold = undefined;
        release();
      };
    },
  };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

/** A live workspace whose view took the newest VIEW_CAPACITY of `m`'s entries as batches. */
function liveView(m: ReturnType<typeof main>): Workspace {
  const w = new Workspace({ id: 'w', name: 'W', streams: [], filter: '', savedFilters: [] }, undefined, m.pager);
  for (let i = 0; i < m.all.length; i += 10_000) w.ingest(m.all.slice(i, i + 10_000));
  return w;
}

describe('a filter over a capture larger than the view', () => {
  it("shows the matches older than the view from main's pages, before the view's own", async () => {
    const m = main(VIEW_CAPACITY + 30_000, 25_000);
    const w = liveView(m);
    expect(w.mayHaveOlder).toBe(true);
    expect(m.asked).toHaveLength(0);

    w.setFilter('device:old-dev');
    expect(w.visible).toHaveLength(0);
    expect(w.older.searching).toBe(true);
    await settle();

    // The view's oldest entry is id 30,000: main is asked for matches before it, 2,000 first, then more.
    expect(m.asked.map((r) => [r.query, r.before, r.limit])).toEqual([
      ['device:old-dev', { ms: m.all[30_000]!.ms, id: 30_000 }, 2_000],
      ['device:old-dev', { ms: m.all[23_000]!.ms, id: 23_000 }, 20_000],
      ['device:old-dev', { ms: m.all[3_000]!.ms, id: 3_000 }, 20_000],
    ]);
    expect(w.older.searching).toBe(false);
    expect(w.older.more).toBe(false);
    expect(w.visible.map((e) => e.id)).toEqual(Array.from({ length: 25_000 }, (_, i) => i));

    // Another filter: its own matches, old and in view, in time order.
    w.setFilter('device:old-dev OR device:dev3');
    await settle();
    const ids = w.visible.map((e) => e.id);
    expect(ids.length).toBe(25_000 + 10_000 + (30_000 - 25_000) / 10);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));

    w.setFilter('');
    expect(w.visible).toBe(w.entries);
    expect(w.older.list).toHaveLength(0);
  });

  it('drops the answer of a filter that was replaced while main searched', async () => {
    const m = main(VIEW_CAPACITY + 5_000, 5_000);
    const w = liveView(m);
    const release = m.holdAnswers();
    w.setFilter('device:old-dev');
    w.setFilter('device:dev1');
    release();
    await settle();
    expect(w.visible.length).toBeGreaterThan(0);
    expect(w.visible.every((e) => e.entity === 'dev1')).toBe(true);
    expect(w.older.query).toBe('device:dev1');
  });

  it('keeps the matches a full view lets go of, and asks main only once per filter', async () => {
    const m = main(VIEW_CAPACITY, 0);
    const w = liveView(m);
    expect(w.mayHaveOlder).toBe(false);
    w.setFilter('device:dev7');
    await settle();
    // The view holds the whole capture so far: nothing to search.
    expect(m.asked).toHaveLength(0);
    expect(w.visible).toHaveLength(VIEW_CAPACITY / 10);

    // 20,000 more arrive; the view keeps the newest 100,000 and lets 20,000 go, 2,000 of them dev7's.
    const more = Array.from({ length: 20_000 }, (_, i) => entry(VIEW_CAPACITY + i));
    w.ingest(more.slice(0, 10_000));
    await settle();
    w.ingest(more.slice(10_000));
    await settle();
    expect(m.asked).toHaveLength(1);
    expect(w.entries).toHaveLength(VIEW_CAPACITY);
    expect(w.visible).toHaveLength((VIEW_CAPACITY + 20_000) / 10);
    expect(new Set(w.visible.map((e) => e.id)).size).toBe(w.visible.length);
    expect(w.visible[0]!.id).toBe(7);
  });

  it('re-applying the same filter (main answered for mic:) keeps what was found', async () => {
    const m = main(VIEW_CAPACITY + 1_000, 1_000);
    const w = liveView(m);
    w.setFilter('device:old-dev');
    await settle();
    const asked = m.asked.length;
    w.setFilter('device:old-dev');
    await settle();
    expect(m.asked).toHaveLength(asked);
    expect(w.older.list).toHaveLength(1_000);
  });

  it('older pages of the whole capture that reach back over the matches show each once', async () => {
    const m = main(VIEW_CAPACITY + 3_000, 3_000);
    const w = liveView(m);
    w.setFilter('device:old-dev');
    await settle();
    expect(w.older.list).toHaveLength(3_000);
    w.addOlder(m.all.slice(1_000, 3_000));
    expect(w.older.list.map((e) => e.id)).toEqual(Array.from({ length: 1_000 }, (_, i) => i));
    expect(w.visible).toHaveLength(3_000);
    expect(new Set(w.visible.map((e) => e.id)).size).toBe(3_000);
  });

  it("a stream's late replay among the older matches: the list stays in time order, each entry once", async () => {
    const m = main(VIEW_CAPACITY + 3_000, 3_000);
    const w = liveView(m);
    w.setFilter('device:old-dev');
    await settle();
    expect(w.older.list).toHaveLength(3_000);
    // A reconnecting stream replays old-dev's events 1,000–1,009 (its own copies, other ids) and two the
    // list already holds: they sort before the full view and leave it at once.
    const replay = Array.from({ length: 10 }, (_, i) => ({ ...entry(1_000 + i, 3_000), id: 500_000 + i }));
    w.ingest([...replay, m.all[5]!, m.all[6]!]);
    const ids = w.visible.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(3_010);
    const keys = w.visible.map((e) => [e.ms, e.id] as const);
    expect(
      keys.every((k, i) => i === 0 || keys[i - 1]![0] < k[0] || (keys[i - 1]![0] === k[0] && keys[i - 1]![1] < k[1])),
    ).toBe(true);
  });

  it('after Clear view a filter shows only what arrives, and says nothing about the capture', async () => {
    const m = main(VIEW_CAPACITY + 3_000, 3_000);
    const w = liveView(m);
    w.clear();
    w.setFilter('device:old-dev');
    await settle();
    expect(m.asked).toHaveLength(0);
    expect(w.older.query).toBe('');
    expect(w.mayHaveOlder).toBe(false);
    w.ingest([{ ...entry(200_000, 300_000) }]);
    expect(w.visible.map((e) => e.id)).toEqual([200_000]);
  });

  it('says why when main cannot search, keeps the matches in view, and searches again when asked', async () => {
    const m = main(VIEW_CAPACITY + 1_000, 0);
    let failing = true;
    const pager: Pager = async (req) =>
      failing ? { ok: false, error: { code: 'io', message: 'The capture could not be read.' } } : m.pager(req);
    const w = new Workspace({ id: 'w', name: 'W', streams: [], filter: '', savedFilters: [] }, undefined, pager);
    for (let i = 0; i < m.all.length; i += 10_000) w.ingest(m.all.slice(i, i + 10_000));
    w.setFilter('device:dev2');
    await settle();
    expect(w.older.error).toBe('The capture could not be read.');
    expect(w.older.searching).toBe(false);
    expect(w.visible).toHaveLength(VIEW_CAPACITY / 10);
    // Search again (the bar's button) once main can answer: what it failed to find.
    failing = false;
    w.searchOlderAgain();
    await settle();
    expect(w.older.error).toBeUndefined();
    expect(w.visible).toHaveLength((VIEW_CAPACITY + 1_000) / 10);
  });
});

describe('Clear view', () => {
  it('says when it cleared and what, keeps the capture exportable, and brings it back when asked', async () => {
    const m = main(VIEW_CAPACITY + 3_000, 3_000);
    const w = liveView(m);
    w.clear(Date.UTC(2026, 0, 1, 12, 0, 3));
    expect(w.cleared).toEqual({
      atMs: Date.UTC(2026, 0, 1, 12, 0, 3),
      edge: { ms: entry(m.all.length - 1).ms, id: m.all.length - 1 },
      events: VIEW_CAPACITY,
    });
    // Nothing in view, yet the capture holds what was cleared: Export… has something to write.
    expect(w.eventCount).toBe(0);
    expect(w.hasCapture).toBe(true);
    w.setFilter('device:old-dev');
    await settle();
    expect(w.visible).toHaveLength(0);
    // Show them again (the bar's button): the view loads the capture again, and the filter searches all of it.
    w.showCleared();
    await loadOlder({ api: { getPage: m.pager } } as unknown as AppState, w, 20_000);
    for (let i = 0; i < 20 && (w.older.searching || m.asked.length < 2); i++) await settle();
    await settle();
    expect(w.cleared).toBeUndefined();
    expect(w.visible).toHaveLength(3_000);
    expect(w.visible.every((e) => e.entity === 'old-dev')).toBe(true);
  });

  it('a view that fills up again after a clear searches back to the clear, not past it', async () => {
    const m = main(2 * VIEW_CAPACITY + 2_000, 0);
    const w = new Workspace({ id: 'w', name: 'W', streams: [], filter: '', savedFilters: [] }, undefined, m.pager);
    w.ingest(m.all.slice(0, 1_000));
    w.clear();
    for (let i = 1_000; i < m.all.length; i += 10_000) w.ingest(m.all.slice(i, i + 10_000));
    w.setFilter('device:dev3');
    for (let i = 0; i < 20 && w.older.searching; i++) await settle();
    await settle();
    // Older matches stop at the clear: none of the first 1,000 entries (cleared) comes back.
    expect(w.older.list.length).toBeGreaterThan(0);
    expect(w.older.list.every((e) => e.id >= 1_000)).toBe(true);
    expect(w.older.more).toBe(false);
  });
});
