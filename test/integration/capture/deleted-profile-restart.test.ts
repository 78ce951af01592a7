/**
 * A stream whose profile was deleted keeps the profile's name and server across a restart: its capture's
 * catalog holds them (the profile store no longer does), so the reopened stream, its rows and the
 * `profile:` filter still name the profile, not "Deleted profile".
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../src-main/core/app-core.js';
import { startStack, type StackHandle } from '../../../src-main/core/stack/server.js';
import type { StreamSpec } from '../../../src-main/shared/domain/stream.js';
import { addProfile, testCore } from '../../helpers/core.js';
import { MemorySecretStore } from '../../helpers/memory-secrets.js';
import { waitFor } from '../../helpers/session.js';

describe('a deleted profile after a restart', () => {
  let stack: StackHandle | undefined;
  const cores: Core[] = [];
  afterEach(async () => {
    for (const c of cores.splice(0)) await c.dispose();
    await stack?.close();
    stack = undefined;
  });

  it('still names the stream its deleted profile fed, with its server', { timeout: 60_000 }, async () => {
    stack = await startStack({ seed: 4, scenario: { devices: 2, gateways: 1 } });
    const st = stack;
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-deleted-profile-'));
    const secrets = new MemorySecretStore();
    const open = async () => {
      const core = await testCore(dataDir, { secrets });
      cores.push(core);
      return core;
    };
    const first = await open();
    const profileId = await addProfile(first, 'Acme EU1', st.url, st.demoKey);
    const spec: StreamSpec = {
      workspaceId: 'ws1',
      profileId,
      entities: [{ kind: 'application', id: 'demo-app' }],
      names: [],
    };
    const { workspaceId: _w, ...saved } = spec;
    await first.handlers['workspaces:save']({
      schemaVersion: 1,
      workspaces: [{ id: 'ws1', name: 'Acme', streams: [saved], filter: '', savedFilters: [] }],
      settings: { utc: true, newestOnTop: true },
    });
    const s = await first.handlers['streams:start'](spec);
    if (!s.ok) throw new Error(s.error.message);
    await waitFor(() => {
      st.emitFlows(1);
      return (first.streams.stats(s.value.streamId)?.events ?? 0) >= 5;
    }, 'events captured');
    const deleted = await first.handlers['profiles:delete'](profileId);
    expect(deleted.ok).toBe(true);
    await waitFor(() => first.streams.list()[0]?.state.kind === 'stopped', 'stopped');
    await first.index.written();
    await first.dispose();
    cores.pop();

    const second = await open();
    const listed = await second.handlers['streams:list']();
    if (!listed.ok) throw new Error(listed.error.message);
    expect(listed.value.map((x) => [x.streamId, x.profile])).toEqual([
      [s.value.streamId, { name: 'Acme EU1', baseUrl: st.url }],
    ]);
    const state = listed.value[0]!.state;
    expect(state.kind === 'stopped' && state.reason).toBe(
      'The profile "Acme EU1" was deleted; the captured events stay.',
    );
    // Its rows still answer to the profile's name in the filter.
    const page = await second.handlers['events:page']({ workspaceId: 'ws1', query: 'profile:"Acme EU1"', limit: 1000 });
    expect(page.ok && page.value.entries.length).toBeGreaterThanOrEqual(5);
  });
});
