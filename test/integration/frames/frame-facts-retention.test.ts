/**
 * The `mic:`/`mac:` facts cache follows retention (#18): on a long-running capture whose oldest segments
 * retention removes, the verdicts of removed entries are dropped once the cache has grown, so the cache
 * is the size of what the capture holds, not of everything it ever decoded.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureIndex } from '../../../src-main/core/capture/capture-index.js';
import { FrameFactsCache } from '../../../src-main/core/frames/frame-facts.js';
import { openFrames } from '../../../src-main/core/frames/frames-core.js';
import { Scenario } from '../../../src-main/core/stack/scenario.js';
import type { TtsEvent } from '../../../src-main/shared/tts/types.js';
import { MemorySecretStore } from '../../helpers/memory-secrets.js';

const index = new CaptureIndex({ dir: mkdtempSync(path.join(os.tmpdir(), 'frames-facts-retention-')) });
afterAll(() => index.dispose());

describe('the facts cache after retention', () => {
  it('drops the verdicts of entries retention removed, and keeps those still retained', async () => {
    index.retention = { maxEvents: 2_000, maxBytes: 1024 ** 3 };
    const r = await index.open('s1', 'w', 'stream');
    if (!r.ok) throw new Error(r.error.message);
    const s = new Scenario({ devices: 3, gateways: 2, seed: 7 }, () => Date.parse('2026-01-01T00:00:00Z'));
    const { service } = await openFrames(index, new MemorySecretStore());
    const facts = new FrameFactsCache(service, index, 500);
    const append = async (events: number) => {
      for (let n = 0; n < events;) {
        for (const e of s.flow('uplink', s.devices[n % 3]!)) {
          index.appendEvent('s1', e.json, JSON.parse(e.json) as TtsEvent);
          n++;
        }
        const wait = index.ready('s1');
        if (wait) await wait;
      }
      await index.written();
    };
    const allIds = async () => {
      const p = index.page({ workspaceId: 'w', query: '', limit: 100_000 });
      if (!p.ok) throw new Error(p.error.message);
      return p.value.entries.filter((e) => e.kind === 'event').map((e) => e.id);
    };

    await append(1_500);
    const early = await allIds();
    await facts.ensure(early);
    expect(facts.size).toBe(early.length);

    // Enough new events that retention removes the segments holding the early ones.
    await append(6_000);
    const retained = new Set(await allIds());
    expect(early.some((id) => !retained.has(id))).toBe(true);
    // Deciding every retained entry grows the cache past its next sweep.
    await facts.ensure(retained);
    expect(facts.size).toBeLessThanOrEqual(retained.size);

    // Only retained entries have a verdict, and every verdict asked for after retention is there.
    const kept = await facts.factsFor([...early, ...[...retained].slice(-600)]);
    if (!kept.ok) throw new Error(kept.error.message);
    const keptIds = Object.keys(kept.value.facts).map(Number);
    expect(keptIds.every((id) => retained.has(id))).toBe(true);
    expect(keptIds.length).toBeGreaterThanOrEqual(600);
  });
});
