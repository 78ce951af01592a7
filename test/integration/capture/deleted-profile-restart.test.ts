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
import { err, type Result } from '../../../src-main/shared/result.js';
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

  it(
    'stops the streams of a profile deleted while the keychain cannot forget its key',
    { timeout: 60_000 },
    async () => {
      stack = await startStack({ seed: 5, scenario: { devices: 1, gateways: 1 } });
      const st = stack;
      // The profile file forgets the profile; the keychain (locked, or gone) keeps its key.
      class KeyStays extends MemorySecretStore {
        override async delete(): Promise<Result<boolean>> {
          return err('keychain-unavailable', 'The keychain is locked.');
        }
      }
      const core = await testCore(mkdtempSync(path.join(os.tmpdir(), 'event-desk-deleted-key-')), {
        secrets: new KeyStays(),
      });
      cores.push(core);
      const profileId = await addProfile(core, 'Acme EU1', st.url, st.demoKey);
      const s = await core.handlers['streams:start']({
        workspaceId: 'ws1',
        profileId,
        entities: [{ kind: 'application', id: 'demo-app' }],
        names: [],
      });
      if (!s.ok) throw new Error(s.error.message);
      const deleted = await core.handlers['profiles:delete'](profileId);
      // Said as it is: the profile is gone, its key is not.
      expect(deleted.ok ? '' : deleted.error.message).toMatch(
        /^The profile was deleted, but its key could not be removed/,
      );
      await waitFor(() => core.streams.list()[0]?.state.kind === 'stopped', 'the stream stopped');
      const state = core.streams.list()[0]!.state;
      expect(state.kind === 'stopped' && state.reason).toBe(
        'The profile "Acme EU1" was deleted; the captured events stay.',
      );
    },
  );
});
