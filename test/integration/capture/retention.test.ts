import os from 'node:os';
import path from 'node:path';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { StreamManager } from '../../../src-main/core/services/stream-manager.js';
import { startStack, type StackHandle } from '../../../src-main/core/stack/server.js';
import { ok } from '../../../src-main/shared/result.js';
import { RecordingSink } from '../../helpers/recording-sink.js';
import { waitFor } from '../../helpers/session.js';

describe('capture retention', () => {
  let stack: StackHandle;
  let manager: StreamManager;
  afterAll(async () => {
    await manager?.dispose();
    await stack?.close();
  });

  it('keeps a stream within its event limit by removing the oldest segment files, and says so', { timeout: 60_000 }, async () => {
    stack = await startStack({ seed: 12, scenario: { devices: 20, gateways: 3 } });
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-retention-'));
    const sink = new RecordingSink();
    manager = new StreamManager({ dataDir, sink, resolve: async () => ok({ urls: [stack.url], apiKey: stack.demoKey }) });
    manager.retention = { maxEvents: 8_000, maxBytes: 4 * 1024 ** 3 };
    const entities = [{ kind: 'application' as const, id: 'demo-app' }, ...stack.scenario.gateways.map((g) => ({ kind: 'gateway' as const, id: g.gatewayId }))];
    const r = await manager.start({ workspaceId: 'w', profileId: 'p', entities, names: [] });
    if (!r.ok) throw new Error(r.error.message);
    await waitFor(() => manager.list()[0]?.state.kind === 'open', 'open');
    const first = () => sink.summaries().find((s) => s.kind === 'event')!;
    while ((manager.stats(r.value.streamId)?.events ?? 0) < 30_000) {
      stack.emitFlows(200);
      await new Promise((res) => setTimeout(res, 5));
    }
    await waitFor(() => sink.summaries().some((s) => s.name === 'event-desk.retention'), 'a retention entry');
    // Let what is in flight land (a rotation may be opening or deleting a file right now).
    manager.stop(r.value.streamId);
    const capturesDir = path.join(dataDir, 'captures');
    await waitFor(() => readdirSync(capturesDir).length === manager.workspaceStreams('w').length, 'files and segments to agree');
    const segments = manager.workspaceStreams('w');
    const retained = segments.reduce((n, s) => n + s.capture.summaries.length, 0);
    // Within the limit plus the segment being written (an eighth of it, and what arrived while the
    // next file opened): retention works in whole segments.
    expect(retained).toBeLessThanOrEqual(8_000 * 1.25);
    expect(retained).toBeGreaterThanOrEqual(8_000 * 0.75);
    expect(segments.length).toBeGreaterThan(1);
    const notice = sink.summaries().find((s) => s.name === 'event-desk.retention')!;
    expect(notice.preview).toMatch(/^Retention removed [\d,]+ older events \(up to .*\) to stay within 8,000 events/);
    // The removed segments' files are gone; the kept ones are on disk.
    expect(readdirSync(capturesDir).length).toBe(segments.length);
    for (const s of segments) expect(existsSync(s.capture.file.path)).toBe(true);
    const gone = await manager.getEvent(first().id);
    expect(!gone.ok && gone.error.message).toMatch(/removed by retention/);
    // The newest events are all still readable.
    const last = segments.at(-1)!.capture.summaries.filter((s) => s.kind === 'event').at(-1)!;
    expect((await manager.getEvent(last.id)).ok).toBe(true);
  });
});
