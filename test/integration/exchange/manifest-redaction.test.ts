/**
 * The support bundle's manifest with every redaction box ticked (#16, finding 4): no profile name, no
 * base URL, no session key ID, and a stream restarted with the same request listed once.
 */
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../../src-main/core/app-core.js';
import { KeytarSecretStore } from '../../../src-main/core/secrets/secret-store.js';
import { ScriptedDialogs } from '../../../src-main/core/services/dialogs.js';
import { startStack, type StackHandle } from '../../../src-main/core/stack/server.js';
import { FULL_REDACTION } from '../../../src-main/shared/export/redact.js';
import type { JobProgress } from '../../../src-main/shared/export/types.js';
import { RecordingSink } from '../../helpers/recording-sink.js';
import { waitFor } from '../../helpers/session.js';
import { addProfile, testCore } from '../../helpers/core.js';

const NAME = 'Customer X on-prem';

describe('a fully redacted support bundle', () => {
  let stack: StackHandle;
  let core: Core;
  let dataDir: string;
  const sink = new RecordingSink();
  const dialogs = new ScriptedDialogs();

  beforeAll(async () => {
    stack = await startStack({ seed: 4, rate: 0, scenario: { devices: 1, gateways: 2 } });
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'desk-manifest-'));
    core = await testCore(dataDir, {
      sink,
      version: '9.9.9',
      dialogs,
      secrets: new KeytarSecretStore(`event-desk-test-${randomBytes(4).toString('hex')}`),
    });
    const profileId = await addProfile(core, NAME, stack.url, stack.demoKey);
    const spec = {
      workspaceId: 'w1',
      profileId,
      entities: stack.scenario.gateways.map((g) => ({ kind: 'gateway' as const, id: g.gatewayId })),
      names: [],
    };
    // The gateway stream is stopped and started again with the same request (as "Restart" does).
    const first = await core.handlers['streams:start'](spec);
    if (!first.ok) throw new Error(first.error.message);
    await waitFor(() => core.streams.list().some((s) => s.state.kind === 'open'), 'first stream open');
    stack.publish(stack.scenario.flow('uplink', stack.scenario.devices[0]!, 1));
    await waitFor(() => core.index.retained('w1') > 2, 'events captured');
    await core.handlers['streams:stop'](first.value.streamId);
    const second = await core.handlers['streams:start'](spec);
    if (!second.ok) throw new Error(second.error.message);
    await waitFor(
      () => core.streams.list().some((s) => s.streamId === second.value.streamId && s.state.kind === 'open'),
      'second stream open',
    );
  }, 60_000);

  afterAll(async () => {
    await core?.dispose();
    await stack?.close();
  });

  it('names no server, URL or workspace, and lists the restarted stream once', async () => {
    const file = path.join(dataDir, 'bundle.ndjson');
    dialogs.saves.push(file);
    const all = FULL_REDACTION;
    const r = await core.handlers['export:start']({
      workspaceId: 'w1',
      workspaceName: `${NAME} case 7`,
      scope: { kind: 'workspace' },
      format: 'bundle',
      redaction: all,
      displayUtc: true,
    });
    if (!r.ok || !r.value) throw new Error('export did not start');
    const jobId = r.value.jobId;
    await waitFor(
      () =>
        sink.all.some(
          (m) =>
            m.channel === 'jobs:progress' &&
            (m.payload as JobProgress).jobId === jobId &&
            (m.payload as JobProgress).state === 'done',
        ),
      'export done',
    );
    const text = readFileSync(file, 'utf8');
    const manifest = (
      JSON.parse(text.split('\n')[0]!) as {
        eventDeskBundle: { manifest: { streams: unknown[]; servers: { name: string }[]; workspace: string } };
      }
    ).eventDeskBundle.manifest;
    expect(manifest.streams).toHaveLength(1);
    expect(manifest.servers).toEqual([{ name: 'server 1' }]);
    expect(manifest.workspace).toBe('[redacted]');
    for (const secret of [NAME, stack.url, new URL(stack.url).host]) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/"session_key_id":"(?!\[redacted\])/);
  });
});
