import os from 'node:os';
import path from 'node:path';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createPipeline, type Pipeline } from '../../../src-main/core/pipeline.js';
import { startStack, type StackHandle } from '../../../src-main/core/stack/server.js';
import { ok } from '../../../src-main/shared/result.js';
import { RecordingSink } from '../../helpers/recording-sink.js';
import { waitFor } from '../../helpers/session.js';
import { filesOf } from '../../helpers/index-entries.js';

describe('capture retention', () => {
  let stack: StackHandle;
  let pipeline: Pipeline;
  afterAll(async () => {
    await pipeline?.dispose();
    await stack?.close();
  });

  it(
    'keeps a stream within its event limit by removing the oldest segment files, and says so',
    { timeout: 60_000 },
    async () => {
      stack = await startStack({ seed: 12, scenario: { devices: 20, gateways: 3 } });
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-retention-'));
      const sink = new RecordingSink();
      pipeline = createPipeline({
        dataDir,
        sink,
        resolve: async () => ok({ urls: [stack.url], apiKey: stack.demoKey }),
        retention: { maxEvents: 8_000, maxBytes: 4 * 1024 ** 3 },
      });
      const { streams: manager, index } = pipeline;
      const entities = [
        { kind: 'application' as const, id: 'demo-app' },
        ...stack.scenario.gateways.map((g) => ({ kind: 'gateway' as const, id: g.gatewayId })),
      ];
      const r = await manager.start({ workspaceId: 'w', profileId: 'p', entities, names: [] });
      if (!r.ok) throw new Error(r.error.message);
      await waitFor(() => manager.list()[0]?.state.kind === 'open', 'open');
      const firstFile = filesOf(index, 'w')[0]!;
      const first = () => sink.summaries().find((s) => s.kind === 'event')!;
      while ((manager.stats(r.value.streamId)?.events ?? 0) < 30_000) {
        stack.emitFlows(200);
        await new Promise((res) => setTimeout(res, 5));
      }
      await waitFor(() => sink.summaries().some((s) => s.name === 'event-desk.retention'), 'a retention entry');
      // Let what is in flight land (a rotation may be opening or deleting a file right now).
      manager.stop(r.value.streamId);
      const capturesDir = path.join(dataDir, 'captures');
      // Kept segments plus, at most, the next one opened ahead of time.
      const ndjson = () => readdirSync(capturesDir).filter((f) => f.endsWith('.ndjson'));
      await waitFor(() => ndjson().length <= index.segmentsOf('w').length + 1, 'removed segment files to be deleted');
      const segments = index.segmentsOf('w');
      const retained = segments.reduce((n, s) => n + s.rows, 0);
      // Retention works in whole segments and never keeps less than asked…
      expect(retained).toBeGreaterThanOrEqual(8_000);
      // …and the oldest kept segment could not have gone without dropping below the limit (counting
      // only what had arrived by the last switch: the segment being written has grown since).
      expect(retained - segments[0]!.rows).toBeLessThan(8_000 + segments.at(-1)!.rows);
      expect(segments.length).toBeGreaterThan(1);
      const notice = sink.summaries().find((s) => s.name === 'event-desk.retention')!;
      expect(notice.preview).toMatch(/^Retention removed [\d,]+ older events \(up to .*\) to stay within 8,000 events/);
      // The removed segments' files are gone; the kept ones are on disk.
      expect(existsSync(firstFile)).toBe(false);
      for (const s of segments) expect(existsSync(s.file!.path)).toBe(true);
      const gone = await index.event(first().id);
      expect(!gone.ok && gone.error.message).toMatch(/removed by retention/);
      // The newest events are all still readable.
      const last = index.page({ workspaceId: 'w', query: 'kind:event', limit: 1 });
      expect(last.ok && (await index.event(last.value.entries[0]!.id)).ok).toBe(true);
    },
  );
});
