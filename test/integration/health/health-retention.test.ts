/**
 * The whole-capture device and gateway lists are kept up to date as rows arrive and as retention removes
 * old segments: after retention dropped part of the capture, the lists say what a fresh build over what
 * is left says (not what the dropped rows said), and a big first build answers in slices with progress.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Scenario } from '../../../src-main/core/stack/scenario.js';
import { CaptureIndex } from '../../../src-main/core/capture/capture-index.js';
import { HealthService } from '../../../src-main/core/health/health-service.js';
import type { TtsEvent } from '../../../src-main/shared/tts/types.js';

describe('health lists over a capture that retention trims', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-health-retention-'));
  const index = new CaptureIndex({ dir });
  afterAll(async () => {
    await index.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('drops what retention removed and matches a fresh build over what is left', async () => {
    // Segments of 1,000 rows; at most ~8,000 kept.
    index.retention = { maxEvents: 8000, maxBytes: 4 * 1024 ** 3 };
    const opened = await index.open('s1', 'w', 'import');
    if (!opened.ok) throw new Error(opened.error.message);
    const scenario = new Scenario({ devices: 40, gateways: 5, seed: 4 }, () => Date.parse('2026-01-01T00:00:00Z'));
    let t = Date.parse('2026-01-01T00:00:00Z');
    const append = async (n: number) => {
      for (let i = 0; i < n;) {
        for (const e of scenario.nextFlow()) {
          const ev = JSON.parse(e.json) as TtsEvent;
          ev.time = new Date((t += 50)).toISOString();
          index.appendEvent('s1', JSON.stringify(ev), ev);
          i++;
        }
        const wait = index.ready('s1');
        if (wait) await wait;
      }
      await index.written();
    };
    const live = new HealthService(index);
    await append(6000);
    const before = await live.list('w');
    if (!before.ok) throw new Error(before.error.message);
    const eventsBefore = before.value.devices.reduce((a, d) => a + d.events, 0);
    await append(14_000);
    expect(index.segmentsOf('w')[0]!.base).toBeGreaterThan(0); // retention removed the first segments
    const after = await live.list('w');
    const fresh = await new HealthService(index).list('w');
    if (!after.ok || !fresh.ok) throw new Error('list failed');
    expect(after.value.devices).toEqual(fresh.value.devices);
    expect(after.value.gateways).toEqual(fresh.value.gateways);
    // Fewer device events than were appended in all: the dropped ones are gone from the counts.
    const eventsAfter = after.value.devices.reduce((a, d) => a + d.events, 0);
    expect(eventsAfter).toBeLessThan(eventsBefore + 14_000);
    expect(after.value.building).toBeUndefined();
  });

  it('answers a first build in slices, with its progress, until it is done', async () => {
    const slow = new HealthService(index);
    const first = await slow.list('w', 0);
    if (!first.ok) throw new Error(first.error.message);
    expect(first.value.building).toMatchObject({ total: expect.any(Number) });
    expect(first.value.building!.read).toBeLessThan(first.value.building!.total);
    let calls = 1;
    let last = first.value;
    while (last.building && calls < 100) {
      const r = await slow.list('w', 0);
      if (!r.ok) throw new Error(r.error.message);
      last = r.value;
      calls++;
    }
    expect(last.building).toBeUndefined();
    const whole = await new HealthService(index).list('w');
    if (!whole.ok) throw new Error(whole.error.message);
    expect(last.devices).toEqual(whole.value.devices);
  });
});
