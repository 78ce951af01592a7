import { afterAll, describe, expect, it } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { startStack, type StackHandle } from '../../../src-main/core/stack/server.js';
import { createPipeline, type Pipeline } from '../../../src-main/core/pipeline.js';
import { mergeByTime } from '../../../src-main/shared/domain/merge.js';
import type { EventSummary } from '../../../src-main/shared/domain/summary.js';
import { ok } from '../../../src-main/shared/result.js';
import type { EntityRef } from '../../../src-main/shared/tts/types.js';
import { waitFor } from '../../helpers/session.js';
import { RecordingSink } from '../../helpers/recording-sink.js';

describe('many streams at once', () => {
  const stacks: StackHandle[] = [];
  let pipeline: Pipeline | undefined;
  afterAll(async () => {
    await pipeline?.dispose();
    for (const s of stacks) await s.close();
  });

  it('ten streams on three stack instances run together and merge in time order', { timeout: 60_000 }, async () => {
    for (let i = 0; i < 3; i++) stacks.push(await startStack({ seed: 100 + i, scenario: { devices: 4, gateways: 2 } }));
    const sink = new RecordingSink();
    pipeline = createPipeline({
      dataDir: mkdtempSync(path.join(os.tmpdir(), 'event-desk-many-')),
      sink,
      resolve: async (profileId) => {
        const s = stacks[Number(profileId.slice(1))]!;
        return ok({ urls: [s.url], apiKey: s.demoKey });
      },
    });
    const manager = pipeline.streams;
    const entities: EntityRef[] = [
      { kind: 'application', id: 'demo-app' },
      { kind: 'gateway', id: 'demo-gateway-1' },
      { kind: 'device', id: 'eui-70b3d57ed0000001', application: 'demo-app' },
    ];
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await manager.start({
        workspaceId: 'w',
        profileId: `p${i % 3}`,
        entities: [entities[i % 3]!],
        names: [],
      });
      expect(r.ok).toBe(true);
      if (r.ok) ids.push(r.value.streamId);
    }
    await waitFor(() => manager.list().every((s) => s.state.kind === 'open'), 'all ten streams open');
    await waitFor(() => {
      for (const s of stacks) s.emitFlows(3);
      return ids.every((id) => (manager.stats(id)?.events ?? 0) >= 5);
    }, 'events on every stream');
    const latest = new Map<number, EventSummary>();
    await waitFor(() => {
      for (const s of sink.summaries()) latest.set(s.id, s);
      return latest.size >= pipeline!.index.retained('w');
    }, 'every entry pushed');

    // Every batch names the workspace; an entry sent again (another stream delivered the same event) replaces it.
    expect(
      sink.all
        .filter((p) => p.channel === 'events:batch')
        .every((p) => (p.payload as { workspaceId: string }).workspaceId === 'w'),
    ).toBe(true);
    latest.clear();
    for (const s of sink.summaries()) latest.set(s.id, s);
    const merged = mergeByTime([], [...latest.values()]);
    expect(merged).toHaveLength(pipeline.index.retained('w'));
    for (let i = 1; i < merged.length; i++) expect(merged[i]!.ms).toBeGreaterThanOrEqual(merged[i - 1]!.ms);
    expect(new Set(merged.flatMap((e) => e.streamIds ?? [e.streamId])).size).toBe(10);
    // Streams of one stack overlap (a device's events are on its application's stream too): one row each.
    expect(merged.some((e) => (e.streamIds?.length ?? 0) > 1)).toBe(true);
  });
});
