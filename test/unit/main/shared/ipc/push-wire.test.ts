/**
 * Batches cross to the window as JSON text in the desktop app (push-wire.ts): every entry must arrive as
 * it left, whatever it came from (the sample events, the real public data, entries rebuilt from the index
 * with two streams and a backfill), and every other push must go as it is.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pushFromWire, pushToWire } from '../../../../../src-main/shared/ipc/push-wire.js';
import { summarizeEvent, type EventSummary } from '../../../../../src-main/shared/domain/summary.js';
import { CaptureIndex } from '../../../../../src-main/core/capture/capture-index.js';
import type { TtsEvent } from '../../../../../src-main/shared/tts/types.js';
import samples from '../../../../fixtures/sample-events.json' with { type: 'json' };

const REAL = 'test/fixtures/real';
const realEvents = (): TtsEvent[] =>
  readdirSync(REAL)
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => (JSON.parse(readFileSync(path.join(REAL, f), 'utf8')) as { events: TtsEvent[] }).events);

/**
 * A summary as the window should get it: main's summaries carry their absent optional fields as `undefined`
 * (one object shape for all, see `newSummary`), which JSON leaves out. Every field with a value must arrive.
 */
const present = (summaries: EventSummary[]) =>
  summaries.map((s) => Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)));

const roundTrip = (summaries: EventSummary[]) => {
  const wire = pushToWire('events:batch', { workspaceId: 'w1', summaries });
  expect(typeof wire).toBe('string');
  return pushFromWire('events:batch', wire);
};

describe('pushes on the wire', () => {
  it('brings every summary of the samples and the real data back as it was', () => {
    const events = [...(samples as unknown as TtsEvent[]), ...realEvents()];
    expect(events.length).toBeGreaterThan(190);
    const summaries = events.map((e, i) => summarizeEvent(e, i, `s${i % 3}`));
    expect(roundTrip(summaries)).toStrictEqual({ workspaceId: 'w1', summaries: present(summaries) });
  });

  it('brings entries rebuilt from the index back as they were (two streams, a backfill)', async () => {
    const index = new CaptureIndex({ dir: mkdtempSync(path.join(os.tmpdir(), 'event-desk-wire-')) });
    try {
      await index.open('a', 'w1', 'stream');
      await index.open('b', 'w1', 'stream');
      const events = realEvents();
      for (const e of events) index.appendEvent('a', JSON.stringify(e), e);
      for (const e of events.slice(0, 20)) index.appendEvent('b', JSON.stringify(e), e);
      index.appendEvent('a', JSON.stringify(events[0]), { ...events[0]!, unique_id: 'late' }, { backfilled: true });
      const page = index.page({ workspaceId: 'w1', query: '', limit: 10_000 });
      if (!page.ok) throw new Error(page.error.message);
      expect(page.value.entries.some((s) => s.streamIds?.length === 2)).toBe(true);
      expect(page.value.entries.some((s) => s.backfilled)).toBe(true);
      expect(roundTrip(page.value.entries)).toStrictEqual({
        workspaceId: 'w1',
        summaries: present(page.value.entries),
      });
    } finally {
      await index.dispose();
    }
  });

  it('sends every other push as it is, and takes an object batch as it is', () => {
    const chain = { eventId: 1, chain: { steps: [] } } as never;
    expect(pushToWire('correlation:chain', chain)).toBe(chain);
    const batch = { workspaceId: 'w1', summaries: [] };
    expect(pushFromWire('events:batch', batch)).toBe(batch);
    expect(pushFromWire('jobs:progress', '{"a":1}')).toBe('{"a":1}');
  });
});
