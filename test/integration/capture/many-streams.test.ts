import { afterAll, describe, expect, it } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { startStack, type StackHandle } from '../../../src-main/core/stack/server.js';
import { StreamManager } from '../../../src-main/core/services/stream-manager.js';
import { mergeByTime } from '../../../src-main/shared/domain/merge.js';
import type { EventSummary } from '../../../src-main/shared/domain/summary.js';
import { ok } from '../../../src-main/shared/result.js';
import type { EntityRef } from '../../../src-main/shared/tts/types.js';
import { waitFor } from '../../helpers/session.js';
import { RecordingSink } from '../../helpers/recording-sink.js';

describe('many streams at once', () => {
  const stacks: StackHandle[] = [];
  let manager: StreamManager | undefined;
  afterAll(async () => {
    await manager?.dispose();
    for (const s of stacks) await s.close();
  });

  it('ten streams on three stack instances run together and merge in time order', { timeout: 60_000 }, async () => {
    for (let i = 0; i < 3; i++) stacks.push(await startStack({ seed: 100 + i, scenario: { devices: 4, gateways: 2 } }));
    const sink = new RecordingSink();
    manager = new StreamManager({
      dataDir: mkdtempSync(path.join(os.tmpdir(), 'event-desk-many-')),
      sink,
      resolve: async (profileId) => {
        const s = stacks[Number(profileId.slice(1))]!;
        return ok({ urls: [s.url], apiKey: s.demoKey });
      },
    });
    const entities: EntityRef[] = [
      { kind: 'application', id: 'demo-app' },
      { kind: 'gateway', id: 'demo-gateway-1' },
      { kind: 'device', id: 'eui-70b3d57ed0000001', application: 'demo-app' },
    ];
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await manager.start({ workspaceId: 'w', profileId: `p${i % 3}`, entities: [entities[i % 3]!], names: [] });
      expect(r.ok).toBe(true);
      if (r.ok) ids.push(r.value.streamId);
    }
    await waitFor(() => manager!.list().every((s) => s.state.kind === 'open'), 'all ten streams open');
    await waitFor(() => {
      for (const s of stacks) s.emitFlows(3);
      return ids.every((id) => (manager!.stats(id)?.events ?? 0) >= 5);
    }, 'events on every stream');
    await new Promise((r) => setTimeout(r, 120));

    const merged = sink.batches.reduce<EventSummary[]>((acc, b) => mergeByTime(acc, b), []);
    const total = ids.reduce((n, id) => n + manager!.capture(id)!.summaries.length, 0);
    expect(merged).toHaveLength(total);
    for (let i = 1; i < merged.length; i++) expect(merged[i]!.ms).toBeGreaterThanOrEqual(merged[i - 1]!.ms);
    expect(new Set(merged.map((e) => e.streamId)).size).toBe(10);
  });
});
