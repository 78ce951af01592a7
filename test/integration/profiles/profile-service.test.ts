import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../../src-main/core/app-core.js';
import { KeytarSecretStore } from '../../../src-main/core/secrets/secret-store.js';
import { ScriptedDialogs } from '../../../src-main/core/services/dialogs.js';
import { generateApiKey, startStack, type StackHandle } from '../../../src-main/core/stack/server.js';
import { RecordingSink } from '../../helpers/recording-sink.js';
import { waitFor } from '../../helpers/session.js';
import { rawOfStream } from '../../helpers/index-entries.js';
import { testCore } from '../../helpers/core.js';

const service = `event-desk-test-${randomBytes(4).toString('hex')}`;
const stackCount = 2;

describe('profiles, keys and check connection against the built-in stack', () => {
  const stacks: StackHandle[] = [];
  const keys = {
    full: generateApiKey(),
    partial: generateApiKey(),
    none: generateApiKey(),
    gatewayOnly: generateApiKey(),
  };
  let core: Core;
  let dataDir: string;
  const logs: string[] = [];
  const sink = new RecordingSink();
  const dialogs = new ScriptedDialogs();

  beforeAll(async () => {
    for (let i = 0; i < stackCount; i++) {
      stacks.push(
        await startStack({
          seed: 40 + i,
          rate: 30,
          store: { enabled: true },
          scenario: { devices: 3, gateways: 2 },
          keys: [
            {
              key: keys.full,
              rights: { application: { '*': ['RIGHT_APPLICATION_ALL'] }, gateway: { '*': ['RIGHT_GATEWAY_ALL'] } },
              owner: { kind: 'user', id: 'support' },
            },
            {
              key: keys.partial,
              rights: { application: { '*': ['RIGHT_APPLICATION_INFO', 'RIGHT_APPLICATION_DEVICES_READ'] } },
              owner: { kind: 'application', id: 'demo-app' },
            },
            { key: keys.none, rights: {}, owner: { kind: 'application', id: 'demo-app' } },
            {
              key: keys.gatewayOnly,
              rights: { gateway: { '*': ['RIGHT_GATEWAY_INFO'] } },
              owner: { kind: 'user', id: 'ops' },
            },
          ],
        }),
      );
    }
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-profiles-svc-'));
    core = await testCore(dataDir, {
      sink,
      version: 'test',
      dialogs,
      secrets: new KeytarSecretStore(service),
      log: (m) => logs.push(m),
      demo: { rate: 20, seed: 3 },
    });
  });

  afterAll(async () => {
    await core?.dispose();
    for (const s of stacks) await s.close();
  });

  const create = async (name: string, url: string) => {
    const r = await core.handlers['profiles:create']({ name, baseUrl: url, color: '#1f6feb' });
    if (!r.ok) throw new Error(r.error.message);
    return r.value;
  };

  it('creates the Demo stack profile on first run, and its key lives in the keychain', async () => {
    const view = await core.handlers['profiles:list']();
    expect(view.ok && view.value.profiles.map((p) => [p.name, p.isDemo])).toEqual([['Demo stack', true]]);
    const demo = view.ok ? view.value.profiles[0]! : undefined;
    expect(demo?.hasKey).toBe(false);
    const check = await core.handlers['profiles:check'](demo!.id);
    expect(check.ok).toBe(true);
    if (check.ok) expect(check.value.auth).toMatchObject({ kind: 'api-key', entity: { kind: 'user', id: 'admin' } });
    const after = await core.handlers['profiles:list']();
    expect(after.ok && after.value.profiles[0]!.hasKey).toBe(true);
    const stored = await new KeytarSecretStore(service).get(demo!.id);
    expect(stored.ok && stored.value).toMatch(/^NNSXS\./);
  });

  it('check connection: full rights → no warnings; partial → which families are missing; none → sees nothing', async () => {
    const p = await create('Stack 0', stacks[0]!.url);
    await core.handlers['profiles:set-key'](p.id, keys.full);
    const full = await core.handlers['profiles:check'](p.id);
    expect(full.ok && full.value.warnings.filter((w) => w.severity === 'warning')).toEqual([]);
    expect(full.ok && full.value.auth.rights).toEqual(['RIGHT_APPLICATION_ALL', 'RIGHT_GATEWAY_ALL']);

    await core.handlers['profiles:set-key'](p.id, keys.partial);
    const partial = await core.handlers['profiles:check'](p.id);
    if (!partial.ok) throw new Error(partial.error.message);
    expect(partial.value.auth.entity).toEqual({ kind: 'application', id: 'demo-app' });
    expect(partial.value.warnings.map((w) => w.text).join('\n')).toMatch(/No uplinks, downlinks and joins/);

    await core.handlers['profiles:set-key'](p.id, keys.gatewayOnly);
    const gw = await core.handlers['profiles:check'](p.id);
    expect(gw.ok && gw.value.warnings.map((w) => w.text).join('\n')).toMatch(/No gateway traffic/);

    await core.handlers['profiles:set-key'](p.id, keys.none);
    const none = await core.handlers['profiles:check'](p.id);
    expect(none.ok && none.value.warnings[0]!.text).toMatch(/no rights at all/);
  });

  it('check connection explains a wrong key, an unknown key, a missing key and an unreachable server', async () => {
    const p = await create('Wrong', stacks[0]!.url);
    const noKey = await core.handlers['profiles:check'](p.id);
    expect(noKey.ok && noKey.value.warnings[0]!.text).toMatch(/No API key is set/);
    await core.handlers['profiles:set-key'](p.id, keys.full.slice(0, -4) + 'AAAA');
    const wrong = await core.handlers['profiles:check'](p.id);
    expect(!wrong.ok && wrong.error.message).toMatch(/secret is wrong/);
    await core.handlers['profiles:set-key'](p.id, generateApiKey());
    const unknown = await core.handlers['profiles:check'](p.id);
    expect(!unknown.ok && unknown.error.message).toMatch(/does not know this API key/);
    const srv = http.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const port = (srv.address() as AddressInfo).port;
    srv.close();
    const gone = await create('Gone', `http://127.0.0.1:${port}`);
    await core.handlers['profiles:set-key'](gone.id, keys.full);
    const refused = await core.handlers['profiles:check'](gone.id);
    expect(!refused.ok && refused.error.message).toMatch(/Nothing is listening at the server address/);
  });

  it('refuses to stream without a key, saying what to do', async () => {
    const p = await create('Keyless', stacks[1]!.url);
    const r = await core.handlers['streams:start']({
      workspaceId: 'w',
      profileId: p.id,
      entities: [{ kind: 'application', id: 'demo-app' }],
      names: [],
    });
    expect(!r.ok && r.error.message).toMatch(/No API key is set for "Keyless". Open Profiles/);
  });

  it('two profiles on two stack instances stream at the same time into one workspace', async () => {
    const a = await create('Server A', stacks[0]!.url);
    const b = await create('Server B', stacks[1]!.url);
    await core.handlers['profiles:set-key'](a.id, keys.full);
    await core.handlers['profiles:set-key'](b.id, keys.full);
    const sa = await core.handlers['streams:start']({
      workspaceId: 'w2',
      profileId: a.id,
      entities: [{ kind: 'application', id: 'demo-app' }],
      names: [],
    });
    const sb = await core.handlers['streams:start']({
      workspaceId: 'w2',
      profileId: b.id,
      entities: [{ kind: 'application', id: 'demo-app' }],
      names: [],
    });
    if (!sa.ok || !sb.ok) throw new Error('start failed');
    await waitFor(() => {
      const ids = new Set(
        sink
          .summaries()
          .filter((s) => s.kind === 'event' && s.name === 'as.up.data.forward')
          .map((s) => s.streamId),
      );
      return ids.has(sa.value.streamId) && ids.has(sb.value.streamId);
    }, 'uplinks from both servers');
    core.streams.stop(sa.value.streamId);
    core.streams.stop(sb.value.streamId);
  });

  it('keys never reach the profiles file, the logs, the capture files or anything pushed to the renderer', async () => {
    const profilesFile = readFileSync(path.join(dataDir, 'profiles.json'), 'utf8');
    const captures = readdirSync(path.join(dataDir, 'captures'))
      .map((f) => readFileSync(path.join(dataDir, 'captures', f), 'utf8'))
      .join('');
    const pushed = JSON.stringify(sink.all);
    const secrets = Object.values(keys).map((k) => k.split('.')[2]!);
    for (const s of secrets) {
      expect(profilesFile).not.toContain(s);
      expect(logs.join('\n')).not.toContain(s);
      expect(captures).not.toContain(s);
      expect(pushed).not.toContain(s);
    }
    const view = await core.handlers['profiles:list']();
    for (const s of secrets) expect(JSON.stringify(view)).not.toContain(s);
  });

  it('exports profiles without keys to the path the user picked, and imports them back without keys', async () => {
    const out = path.join(dataDir, 'export.json');
    dialogs.saves.push(out);
    const r = await core.handlers['profiles:export']();
    expect(r.ok && r.value?.path).toBe(out);
    const text = readFileSync(out, 'utf8');
    for (const k of Object.values(keys)) expect(text).not.toContain(k.split('.')[2]!);
    dialogs.saves.push(undefined);
    expect(await core.handlers['profiles:export']()).toEqual({ ok: true, value: null });
    dialogs.opens.push(out);
    const imported = await core.handlers['profiles:import']();
    expect(imported.ok && imported.value!.length).toBeGreaterThan(0);
    expect(imported.ok && imported.value!.every((p) => !p.hasKey)).toBe(true);
  });

  it('duplicating copies the key; deleting removes the key from the keychain', async () => {
    const p = await create('To copy', stacks[0]!.url);
    await core.handlers['profiles:set-key'](p.id, keys.full);
    const copy = await core.handlers['profiles:duplicate'](p.id);
    expect(copy.ok && copy.value.hasKey).toBe(true);
    if (!copy.ok) return;
    await core.handlers['profiles:delete'](copy.value.id);
    expect(await new KeytarSecretStore(service).has(copy.value.id)).toEqual({ ok: true, value: false });
    await core.handlers['profiles:clear-key'](p.id);
    expect(await new KeytarSecretStore(service).has(p.id)).toEqual({ ok: true, value: false });
  });

  it('reads a CA certificate file for the form, and refuses a private key or a non-certificate', async () => {
    const { writeFileSync } = await import('node:fs');
    const cert = path.join(dataDir, 'ca.pem');
    writeFileSync(cert, '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n');
    dialogs.opens.push(cert);
    expect(await core.handlers['profiles:pick-ca']()).toEqual({
      ok: true,
      value: '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n',
    });
    const key = path.join(dataDir, 'key.pem');
    writeFileSync(key, '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n');
    dialogs.opens.push(key);
    const refused = await core.handlers['profiles:pick-ca']();
    expect(!refused.ok && refused.error.message).toMatch(/contains a private key/);
    dialogs.opens.push(undefined);
    expect(await core.handlers['profiles:pick-ca']()).toEqual({ ok: true, value: null });
  });

  it('a split deployment streams from each component URL into one capture', async () => {
    const p = await core.handlers['profiles:create']({
      name: 'Split',
      baseUrl: stacks[0]!.url,
      components: { gs: stacks[1]!.url },
      color: '#1f6feb',
    });
    if (!p.ok) throw new Error(p.error.message);
    await core.handlers['profiles:set-key'](p.value.id, keys.full);
    const s = await core.handlers['streams:start']({
      workspaceId: 'split',
      profileId: p.value.id,
      entities: [{ kind: 'application', id: 'demo-app' }],
      names: [],
    });
    if (!s.ok) throw new Error(s.error.message);
    await waitFor(
      () => core.streams.list().find((x) => x.streamId === s.value.streamId)?.state.kind === 'open',
      'both components open',
    );
    const a = stacks[0]!.scenario.flow('uplink', stacks[0]!.scenario.devices[0]!);
    const b = stacks[1]!.scenario.flow('uplink', stacks[1]!.scenario.devices[1]!);
    stacks[0]!.publish(a);
    stacks[1]!.publish(b);
    const want = [a, b].map((flow) => flow.find((e) => e.name === 'as.up.data.forward')!.uniqueId);
    const captured = async () => {
      const ids: string[] = [];
      for (const { raw } of await rawOfStream(core.index, 'split', s.value.streamId))
        ids.push((JSON.parse(raw) as { unique_id?: string }).unique_id ?? '');
      return ids;
    };
    let ids: string[] = [];
    const deadline = Date.now() + 10_000;
    while (!want.every((id) => ids.includes(id)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      ids = await captured();
    }
    expect(want.every((id) => ids.includes(id))).toBe(true);
    core.streams.stop(s.value.streamId);
  });
});
