import { describe, expect, it } from 'vitest';
import { LiveFeed } from '../../../../../src-main/core/capture/live-feed.js';
import type { EventSummary } from '../../../../../src-main/shared/domain/summary.js';
import { RecordingSink } from '../../../../helpers/recording-sink.js';

const entry = (id: number, streamId = 's1'): EventSummary => ({
  id,
  streamId,
  kind: 'event',
  ms: id,
  time: '',
  name: 'x',
  entity: '',
  entityKind: '',
  preview: '',
  correlationIds: [],
});

/** The index stand-in: the summary an id has now. */
const lookup = (entries: EventSummary[]) => {
  const byId = new Map(entries.map((e) => [e.id, e]));
  return { byId, summaryOf: (id: number) => byId.get(id) };
};

describe('LiveFeed', () => {
  it('pushes a batch per workspace, saying which, only once the entries are written', async () => {
    const sink = new RecordingSink();
    let release!: () => void;
    let asked = 0;
    const { summaryOf } = lookup([entry(1), entry(2, 's2'), entry(3)]);
    const feed = new LiveFeed(
      sink,
      () => {
        asked++;
        return new Promise<void>((r) => (release = r));
      },
      summaryOf,
      1,
    );
    feed.add('a', 1);
    feed.add('b', 2);
    feed.add('a', 3);
    await new Promise((r) => setTimeout(r, 20));
    expect(asked).toBe(1);
    expect(sink.all).toEqual([]); // the disk has not caught up: nothing is shown yet
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(sink.all.map((m) => m.payload)).toEqual([
      { workspaceId: 'a', summaries: [entry(1), entry(3)] },
      { workspaceId: 'b', summaries: [entry(2, 's2')] },
    ]);
    feed.dispose();
  });

  it('sends at most maxBatch entries per push and the rest on the next', async () => {
    const sink = new RecordingSink();
    const { summaryOf } = lookup([0, 1, 2, 3, 4].map((i) => entry(i)));
    const feed = new LiveFeed(sink, async () => undefined, summaryOf, 1, 2);
    for (let i = 0; i < 5; i++) feed.add('a', i);
    await new Promise((r) => setTimeout(r, 50));
    expect(sink.batches.map((b) => b.length)).toEqual([2, 2, 1]);
    feed.dispose();
  });

  it('sends an entry that changed while it waited once, as the index has it when the batch goes out', async () => {
    const sink = new RecordingSink();
    const { byId, summaryOf } = lookup([entry(1), entry(2)]);
    const feed = new LiveFeed(sink, async () => undefined, summaryOf, 1);
    feed.add('a', 1);
    feed.add('a', 2);
    // A second stream delivered event 1 before the push: the entry now names both streams.
    byId.set(1, { ...entry(1), streamIds: ['s1', 's2'] });
    feed.add('a', 1);
    await new Promise((r) => setTimeout(r, 20));
    expect(sink.all.map((m) => m.payload)).toEqual([
      { workspaceId: 'a', summaries: [{ ...entry(1), streamIds: ['s1', 's2'] }, entry(2)] },
    ]);
    feed.dispose();
  });

  it('skips an entry retention removed before its batch went out', async () => {
    const sink = new RecordingSink();
    const { byId, summaryOf } = lookup([entry(1), entry(2)]);
    const feed = new LiveFeed(sink, async () => undefined, summaryOf, 1);
    feed.add('a', 1);
    feed.add('a', 2);
    byId.delete(1);
    await new Promise((r) => setTimeout(r, 20));
    expect(sink.batches).toEqual([[entry(2)]]);
    feed.dispose();
  });

  it('drains a long backlog in order, nothing lost or repeated, while more arrives', async () => {
    const sink = new RecordingSink();
    const n = 200_000;
    const entries = Array.from({ length: n + 1000 }, (_, i) => entry(i));
    const feed = new LiveFeed(sink, async () => undefined, lookup(entries).summaryOf, 1, 30_000);
    for (let i = 0; i < n; i++) feed.add('a', i);
    expect(feed.waiting).toBe(n);
    await new Promise((r) => setTimeout(r, 5));
    for (let i = n; i < n + 1000; i++) feed.add('a', i);
    await expect.poll(() => feed.waiting, { timeout: 30_000 }).toBe(0);
    await new Promise((r) => setTimeout(r, 5));
    const sent = sink.batches.flat().map((s) => s.id);
    expect(sent).toEqual(entries.map((e) => e.id));
    expect(Math.max(...sink.batches.map((b) => b.length))).toBeLessThanOrEqual(30_000);
    feed.dispose();
  });

  it('pushes the summary the append built while few wait, and builds the rest from the index', async () => {
    const sink = new RecordingSink();
    const { byId, summaryOf } = lookup([1, 2, 3, 4].map((i) => entry(i)));
    let lookups = 0;
    const feed = new LiveFeed(
      sink,
      async () => undefined,
      (id) => (lookups++, summaryOf(id)),
      1,
      undefined,
      (id) => byId.has(id),
      2,
    );
    // The append's summaries of 1 and 2 are held (the index is not asked); 3 and 4 are past maxCached.
    feed.add('a', 1, { ...entry(1), preview: 'held 1' });
    feed.add('a', 2, { ...entry(2), preview: 'held 2' });
    feed.add('a', 3, { ...entry(3), preview: 'held 3' });
    feed.add('a', 4);
    await new Promise((r) => setTimeout(r, 20));
    expect(sink.batches.flat().map((s) => s.preview)).toEqual(['held 1', 'held 2', '', '']);
    expect(lookups).toBe(2);
    // Once sent, the held ones no longer count: the next two are held again.
    byId.set(5, entry(5));
    feed.add('a', 5, { ...entry(5), preview: 'held 5' });
    await new Promise((r) => setTimeout(r, 20));
    expect(sink.batches.at(-1)!.map((s) => s.preview)).toEqual(['held 5']);
    feed.dispose();
  });

  it('sends a held entry that changed once, as its newest summary says, and not one retention removed', async () => {
    const sink = new RecordingSink();
    const { byId, summaryOf } = lookup([entry(1), entry(2), entry(3)]);
    const feed = new LiveFeed(
      sink,
      async () => undefined,
      summaryOf,
      1,
      undefined,
      (id) => byId.has(id),
    );
    feed.add('a', 1, entry(1));
    feed.add('a', 2, entry(2));
    feed.add('a', 3, entry(3));
    feed.add('a', 1, { ...entry(1), streamIds: ['s1', 's2'] });
    byId.delete(2);
    await new Promise((r) => setTimeout(r, 20));
    expect(sink.batches).toEqual([[{ ...entry(1), streamIds: ['s1', 's2'] }, entry(3)]]);
    feed.dispose();
  });
});
