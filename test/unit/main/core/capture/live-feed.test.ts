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

describe('LiveFeed', () => {
  it('pushes a batch per workspace, saying which, only once the entries are written', async () => {
    const sink = new RecordingSink();
    let release!: () => void;
    let asked = 0;
    const feed = new LiveFeed(
      sink,
      () => {
        asked++;
        return new Promise<void>((r) => (release = r));
      },
      1,
    );
    feed.add('a', entry(1));
    feed.add('b', entry(2, 's2'));
    feed.add('a', entry(3));
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
    const feed = new LiveFeed(sink, async () => undefined, 1, 2);
    for (let i = 0; i < 5; i++) feed.add('a', entry(i));
    await new Promise((r) => setTimeout(r, 50));
    expect(sink.batches.map((b) => b.length)).toEqual([2, 2, 1]);
    feed.dispose();
  });
});
