/**
 * A server older than a name in the stream's filter refuses the whole request (400 no_matching_events, or
 * unknown_event_name: events/pattern.go, and events/grpc processNames since v3.16). The Console's default filter
 * for gateways names `gcs.managed.*`, which The Things Stack defines from 3.32 only, so on 3.16–3.31 a gateway
 * stream with the preselected filter never started. It now goes on without that one name and says so.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../src-main/core/app-core.js';
import { startStack, type StackHandle } from '../../../src-main/core/stack/server.js';
import type { StreamSpec } from '../../../src-main/shared/domain/stream.js';
import { consoleDefaultNames } from '../../../src-main/shared/tts/presets.js';
import { addProfile, testCore } from '../../helpers/core.js';
import { MemorySecretStore } from '../../helpers/memory-secrets.js';
import { waitFor } from '../../helpers/session.js';

describe('a names filter that names events the server does not define', () => {
  let stack: StackHandle | undefined;
  let core: Core | undefined;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-older-release-'));
  afterEach(async () => {
    await core?.dispose();
    await stack?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const statuses = (c: Core) => {
    const r = c.index.page({ workspaceId: 'ws1', query: 'kind:status', limit: 1000 });
    return r.ok ? r.value.entries.map((e) => e.preview) : [];
  };

  it(
    "streams a 3.20 server's gateway with the Console's default filter, less gcs.managed.*",
    { timeout: 60_000 },
    async () => {
      stack = await startStack({ seed: 5, scenario: { devices: 2, gateways: 1, release: '3.20' } });
      const st = stack;
      core = await testCore(dataDir, { secrets: new MemorySecretStore() });
      const c = core;
      const names = consoleDefaultNames('gateway');
      expect(names).toContain('/^gcs\\.managed\\..*$/');
      const spec: StreamSpec = {
        workspaceId: 'ws1',
        profileId: await addProfile(c, 'Old stack', st.url, st.demoKey),
        entities: [{ kind: 'gateway', id: 'demo-gateway-1' }],
        names,
      };
      const s = await c.handlers['streams:start'](spec);
      if (!s.ok) throw new Error(s.error.message);
      await waitFor(() => {
        st.emitFlows(1);
        return (c.streams.stats(s.value.streamId)?.events ?? 0) >= 3;
      }, 'gateway events captured');
      expect(c.streams.list()[0]?.state.kind).toBe('open');
      await c.index.written();
      const said = statuses(c);
      expect(said).toContainEqual(
        expect.stringMatching(/defines no event matching \/\^gcs\\\.managed\\\.\.\*\$\/ .*streaming the other 8 names/),
      );
      expect(said.some((t) => /names filter was rejected/.test(t))).toBe(false);

      // A filter of that name alone still stops, with the server's reason and what to do.
      const alone = await c.handlers['streams:start']({ ...spec, names: ['/^gcs\\.managed\\..*$/'] });
      if (!alone.ok) throw new Error(alone.error.message);
      await waitFor(
        () => c.streams.list().find((x) => x.streamId === alone.value.streamId)?.state.kind === 'stopped',
        'stopped',
      );
      const stopped = c.streams.list().find((x) => x.streamId === alone.value.streamId)?.state;
      expect(stopped?.kind === 'stopped' && stopped.reason).toMatch(/names filter was rejected.*no matching events/);
    },
  );

  it(
    'an exact name only a later release defines: said with the release that added it',
    { timeout: 60_000 },
    async () => {
      stack = await startStack({ seed: 6, scenario: { devices: 2, gateways: 1, release: '3.20' } });
      const st = stack;
      core = await testCore(dataDir, { secrets: new MemorySecretStore() });
      const c = core;
      const s = await c.handlers['streams:start']({
        workspaceId: 'ws1',
        profileId: await addProfile(c, 'Old stack', st.url, st.demoKey),
        entities: [{ kind: 'application', id: 'demo-app' }],
        names: ['as.up.data.forward', 'as.down.data.failed.forward'],
      });
      if (!s.ok) throw new Error(s.error.message);
      await waitFor(() => {
        st.emitFlows(1);
        return (c.streams.stats(s.value.streamId)?.events ?? 0) >= 1;
      }, 'uplinks captured');
      await c.index.written();
      expect(statuses(c)).toContainEqual(
        expect.stringMatching(/`as\.down\.data\.failed\.forward` \(an event of The Things Stack 3\.32 and later\)/),
      );
    },
  );
});
