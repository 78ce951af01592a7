/**
 * A workspace view fed by batches from main: one row per entry id, an entry sent again replaces its
 * row, and pages overlapping batches add nothing twice.
 */
import { describe, expect, it } from 'vitest';
import { Workspace } from '../../../../src-renderer/lib/state/workspace.svelte';
import type { EventSummary } from '../../../../src-main/shared/domain/summary.js';
import { tallyActivity, rateOf } from '../../../../src-renderer/lib/logic/activity.js';

const entry = (id: number, extra: Partial<EventSummary> = {}): EventSummary => ({
  id,
  streamId: 's1',
  kind: 'event',
  ms: 1000 + id,
  time: '',
  name: 'as.up.data.forward',
  entity: 'dev1',
  entityKind: 'device',
  preview: '',
  correlationIds: [],
  ...extra,
});
const ws = () => new Workspace({ id: 'w', name: 'W', streams: [], filter: '', savedFilters: [] });

describe('Workspace', () => {
  it('has no pause when read-only (nothing streams into a file or a ClickHouse window)', () => {
    const w = new Workspace({ id: 'w', name: 'W', streams: [], filter: '', savedFilters: [], readOnly: true });
    w.togglePause();
    expect(w.paused).toBe(false);
    w.ingest([entry(1)]);
    expect(w.entries.map((e) => e.id)).toEqual([1]);
    const live = ws();
    live.togglePause();
    expect(live.paused).toBe(true);
  });

  it('shows an event delivered by two streams as one row naming both', () => {
    const w = ws();
    w.ingest([entry(1), entry(2)]);
    w.ingest([entry(2, { streamIds: ['s1', 's2'] })]);
    expect(w.entries.map((e) => [e.id, e.streamIds])).toEqual([
      [1, undefined],
      [2, ['s1', 's2']],
    ]);
    expect(w.eventCount).toBe(2);
  });

  it('replaces a changed entry in the filtered view and while paused, and adds nothing twice from a page', () => {
    const w = ws();
    w.setFilter('device:dev1');
    w.ingest([entry(1)]);
    w.pause();
    w.ingest([entry(3)]);
    w.ingest([entry(3, { streamIds: ['s1', 's2'] }), entry(1, { streamIds: ['s1', 's3'] })]);
    expect(w.visible.map((e) => e.streamIds)).toEqual([['s1', 's3']]);
    w.resume();
    expect(w.visible.map((e) => [e.id, e.streamIds])).toEqual([
      [1, ['s1', 's3']],
      [3, ['s1', 's2']],
    ]);
    expect(w.addOlder([entry(0), entry(1), entry(3)])).toBe(1);
    expect(w.entries.map((e) => e.id)).toEqual([0, 1, 3]);
  });
});

describe('stream activity', () => {
  it('counts events and gaps per stream, and the rate over the last five seconds', () => {
    const a = tallyActivity(
      {},
      [entry(1), entry(2, { streamId: 's2' }), entry(3, { kind: 'status', name: 'event-desk.gap' })],
      10_000,
    );
    expect(a.s1).toEqual({ samples: [[10_000, 1]], gaps: 1, lastEventAt: 10_000 });
    expect(rateOf(a.s2, 12_000)).toBe(0.2);
    expect(rateOf(a.s2, 16_000)).toBe(0);
    expect(tallyActivity(a, [], 11_000)).toBe(a);
  });
});
