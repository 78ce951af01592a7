/**
 * A restart (#13, failure 6): every saved workspace's stream continues in its capture, what it held
 * before is there again, and the downtime is a gap entry from the last entry before to the restart.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../src-main/core/app-core.js';
import { ScriptedDialogs } from '../../../src-main/core/services/dialogs.js';
import { startStack, type StackHandle } from '../../../src-main/core/stack/server.js';
import type { StreamSpec } from '../../../src-main/shared/domain/stream.js';
import { RecordingSink } from '../../helpers/recording-sink.js';
import { MemorySecretStore } from '../../helpers/memory-secrets.js';
import { waitFor } from '../../helpers/session.js';

describe('restarting the app', () => {
  let stack: StackHandle;
  const cores: Core[] = [];
  afterAll(async () => {
    for (const c of cores) await c.dispose();
    await stack?.close();
  });

  it(
    'reopens the workspace capture, shows its old events and a gap for the downtime, and streams on',
    { timeout: 60_000 },
    async () => {
      stack = await startStack({ seed: 21, scenario: { devices: 5, gateways: 2 } });
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-restart-'));
      const secrets = new MemorySecretStore();
      const open = async (sink: RecordingSink) => {
        const core = await createCore({
          dataDir,
          sink,
          host: 'harness',
          version: '0.0.0',
          dialogs: new ScriptedDialogs(),
          secrets,
        });
        cores.push(core);
        return core;
      };
      const first = await open(new RecordingSink());
      const p = await first.handlers['profiles:create']({ name: 'Lab', baseUrl: stack.url, color: '#1f6feb' });
      if (!p.ok) throw new Error(p.error.message);
      await first.handlers['profiles:set-key'](p.value.id, stack.demoKey);
      const spec: StreamSpec = {
        workspaceId: 'ws1',
        profileId: p.value.id,
        entities: [{ kind: 'application', id: 'demo-app' }],
        names: [],
      };
      const { workspaceId: _w, ...saved } = spec;
      await first.handlers['workspaces:save']({
        schemaVersion: 1,
        workspaces: [{ id: 'ws1', name: 'Lab', streams: [saved], filter: '', savedFilters: [] }],
        settings: { utc: true, newestOnTop: true },
      });
      const s = await first.handlers['streams:start'](spec);
      if (!s.ok) throw new Error(s.error.message);
      await waitFor(() => first.streams.list()[0]?.state.kind === 'open', 'open');
      await waitFor(() => {
        stack.emitFlows(2);
        return (first.streams.stats(s.value.streamId)?.events ?? 0) >= 40;
      }, 'events captured');
      const before = first.index.page({ workspaceId: 'ws1', query: 'kind:event', limit: 100_000 });
      if (!before.ok) throw new Error(before.error.message);
      const lastBefore = before.value.entries.at(-1)!;
      await first.dispose();
      cores.pop();
      const down = Date.now();
      await new Promise((r) => setTimeout(r, 50));

      const sink = new RecordingSink();
      const second = await open(sink);
      // The saved stream runs again, under its id, in its capture (a reloaded window adopts it).
      const listed = await second.handlers['streams:list']();
      expect(listed.ok && listed.value.map((x) => [x.streamId, x.spec.workspaceId])).toEqual([
        [s.value.streamId, 'ws1'],
      ]);
      await waitFor(() => second.streams.list()[0]?.state.kind === 'open', 'open again');
      const page = await second.handlers['events:page']({ workspaceId: 'ws1', query: '', limit: 100_000 });
      if (!page.ok) throw new Error(page.error.message);
      const events = page.value.entries.filter((e) => e.kind === 'event');
      expect(events.map((e) => [e.name, e.time])).toEqual(before.value.entries.map((e) => [e.name, e.time]));
      const gap = page.value.entries.find((e) => e.name === 'event-desk.gap')!;
      expect(gap.preview).toMatch(
        /^Event Desk was not running between .* and .*: events of that time are not in this capture\.$/,
      );
      const raw = await second.index.raw(gap.id);
      const entry = JSON.parse(raw!)._eventDesk as { from: string; to: string };
      expect(Date.parse(entry.from)).toBe(lastBefore.ms);
      expect(Date.parse(entry.to)).toBeGreaterThanOrEqual(down);
      // Full events still open from the reopened file.
      const full = await second.handlers['events:get'](events[0]!.id);
      expect(full.ok && full.value.name).toBe(events[0]!.name);
      // New events land in the same capture.
      await waitFor(() => {
        stack.emitFlows(2);
        return second.index.retained('ws1') > page.value.retained;
      }, 'new events after the restart');
    },
  );
});
