/**
 * The chain on screen is pushed when it grows, and only then (no polling): over a real index.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { CaptureIndex } from '../../../../../src-main/core/capture/capture-index.js';
import { ChainService } from '../../../../../src-main/core/correlation/chain-service.js';
import { ChainWatch } from '../../../../../src-main/core/correlation/chain-watch.js';
import type { EventSummary } from '../../../../../src-main/shared/domain/summary.js';
import { err } from '../../../../../src-main/shared/result.js';
import type { TtsEvent } from '../../../../../src-main/shared/tts/types.js';
import { RecordingSink } from '../../../../helpers/recording-sink.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const ev = (name: string, n: number, corr: string[]): TtsEvent => ({
  name,
  time: new Date(T0 + n).toISOString(),
  identifiers: [{ device_ids: { device_id: 'dev1', application_ids: { application_id: 'app1' } } }],
  correlation_ids: corr,
  unique_id: `u${n}`,
});

describe('ChainWatch', () => {
  let index: CaptureIndex;
  afterEach(() => index.dispose());

  it('pushes the chain when watched, again when a member arrives, and not for unrelated events', async () => {
    index = new CaptureIndex({ dir: mkdtempSync(path.join(os.tmpdir(), 'event-desk-watch-')) });
    await index.open('s1', 'w', 'stream');
    const sink = new RecordingSink();
    const watch = new ChainWatch({
      index,
      chains: new ChainService({ index, resolve: async () => err('not-found', 'none'), profileOf: () => undefined }),
      sink,
    });
    const add = (e: TtsEvent): EventSummary => index.appendEvent('s1', JSON.stringify(e), e)!;
    const first = add(ev('ns.up.data.receive', 1, ['gs:uplink:A', 'ns:uplink:B']));
    const pushes = () =>
      sink.all
        .filter((m) => m.channel === 'correlation:chain')
        .map((m) => m.payload as { eventId: number; chain: { steps: unknown[] } });
    expect(watch.watch(first.id).ok).toBe(true);
    expect(pushes().map((p) => [p.eventId, p.chain.steps.length])).toEqual([[first.id, 1]]);

    watch.onEntries('w', [add(ev('as.up.data.forward', 9, ['as:up:X']))]);
    expect(pushes()).toHaveLength(1);
    watch.onEntries('w', [add(ev('ns.up.data.process', 2, ['ns:uplink:B']))]);
    expect(pushes().map((p) => p.chain.steps.length)).toEqual([1, 2]);
    // Another workspace's entries, or the watch stopped: nothing is pushed.
    watch.onEntries('other', [add(ev('ns.up.data.forward', 3, ['ns:uplink:B']))]);
    expect(pushes()).toHaveLength(2);
    expect(watch.watch(null).ok).toBe(true);
    watch.onEntries('w', [add(ev('ns.up.data.forward', 4, ['ns:uplink:B']))]);
    expect(pushes()).toHaveLength(2);
    expect(watch.watch(12345).ok).toBe(false);
  });
});
