import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../../src-main/core/app-core.js';
import { KeytarSecretStore } from '../../../src-main/core/secrets/secret-store.js';
import { ScriptedDialogs } from '../../../src-main/core/services/dialogs.js';
import { startStack, type StackHandle } from '../../../src-main/core/stack/server.js';
import type { ExportRequest, JobProgress } from '../../../src-main/shared/export/types.js';
import { FULL_REDACTION, NO_REDACTION } from '../../../src-main/shared/export/redact.js';
import { RecordingSink } from '../../helpers/recording-sink.js';
import { waitFor } from '../../helpers/session.js';
import { entriesOfStream, rawOfStream } from '../../helpers/index-entries.js';
import { addProfile, testCore } from '../../helpers/core.js';

const ALL = FULL_REDACTION;
type Json = Record<string, unknown>;

/** Values of fields redaction must remove, from the original events. */
function originalsToHide(events: Json[]): Set<string> {
  const out = new Set<string>();
  const leafStrings = (v: unknown) => {
    if (typeof v === 'string' && v.length >= 4) out.add(v);
    else if (Array.isArray(v)) v.forEach(leafStrings);
    else if (typeof v === 'object' && v !== null) Object.values(v).forEach(leafStrings);
  };
  const walk = (v: unknown, key?: string, parent?: string) => {
    if (
      key &&
      [
        'frm_payload',
        'decoded_payload',
        'raw_payload',
        'normalized_payload',
        'location',
        'locations',
        'remote_ip',
        'ip',
        'gateway_remote_address',
        'user_agent',
        'uplink_token',
        'device_id',
        'application_id',
        'gateway_id',
        'dev_eui',
        'join_eui',
        'dev_addr',
        'organization_id',
        'user_id',
      ].includes(key)
    )
      leafStrings(v);
    if (key === 'eui' && parent === 'gateway_ids') leafStrings(v);
    if (key === 'token_id' && parent === 'authentication') leafStrings(v);
    if (Array.isArray(v)) v.forEach((x) => walk(x, undefined, key));
    else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) walk(x, k, key);
  };
  events.forEach((e) => walk(e));
  // Zero EUIs and well-known placeholders are not identifying (and appear as all-zero elsewhere).
  for (const v of [...out]) if (/^0+$/.test(v)) out.delete(v);
  return out;
}

describe('export and import round trips', () => {
  let stack: StackHandle;
  let core: Core;
  let dataDir: string;
  const sink = new RecordingSink();
  const dialogs = new ScriptedDialogs();
  let originals: Json[] = [];

  const jobs = () => sink.all.filter((m) => m.channel === 'jobs:progress').map((m) => m.payload as JobProgress);
  const finished = async (jobId: string) => {
    await waitFor(() => jobs().some((j) => j.jobId === jobId && j.state !== 'running'), `export ${jobId}`);
    return jobs()
      .filter((j) => j.jobId === jobId)
      .pop()!;
  };
  const exportTo = async (file: string, req: Partial<ExportRequest>) => {
    dialogs.saves.push(file);
    const r = await core.handlers['export:start']({
      workspaceId: 'w1',
      workspaceName: 'Support case 42',
      scope: { kind: 'workspace' },
      format: 'ndjson',
      redaction: NO_REDACTION,
      displayUtc: true,
      ...req,
    });
    if (!r.ok || !r.value) throw new Error(r.ok ? 'cancelled' : r.error.message);
    return finished(r.value.jobId);
  };
  const importInto = async (file: string, workspaceId: string) => {
    dialogs.opens.push(file);
    const r = await core.handlers['import:open'](workspaceId);
    if (!r.ok || !r.value) throw new Error(r.ok ? 'cancelled' : r.error.message);
    return r.value;
  };
  const wsOf = (streamId: string) =>
    [...core.streams.list(), ...core.imports.list()].find((x) => x.streamId === streamId)!.spec.workspaceId;
  const eventsOf = (streamId: string) =>
    entriesOfStream(core.index, wsOf(streamId), streamId).filter((s) => s.kind === 'event');

  beforeAll(async () => {
    stack = await startStack({ seed: 99, rate: 0, store: { enabled: true }, scenario: { devices: 3, gateways: 3 } });
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-export-'));
    core = await testCore(dataDir, {
      sink,
      version: '9.9.9',
      dialogs,
      secrets: new KeytarSecretStore(`event-desk-test-${randomBytes(4).toString('hex')}`),
    });
    const profileId = await addProfile(core, 'Lab', stack.url, stack.demoKey);
    const entities = [
      { kind: 'application' as const, id: 'demo-app' },
      ...stack.scenario.gateways.map((g) => ({ kind: 'gateway' as const, id: g.gatewayId })),
    ];
    const s = await core.handlers['streams:start']({ workspaceId: 'w1', profileId, entities, names: [] });
    if (!s.ok) throw new Error(s.error.message);
    await waitFor(() => s.ok && core.streams.list()[0]?.state.kind === 'open', 'stream open');
    const sc = stack.scenario;
    const published = [
      ...sc.flow('gateway-connect'),
      ...sc.flow('join', sc.devices[0]!),
      ...sc.flow('uplink', sc.devices[0]!, 3),
      ...sc.flow('downlink', sc.devices[0]!),
      ...sc.flow('gateway-status'),
      ...sc.flow('registry', sc.devices[1]!),
      ...sc.flow('errors', sc.devices[1]!),
      ...sc.flow('join', sc.devices[2]!),
      ...sc.flow('uplink', sc.devices[2]!, 2),
    ];
    stack.publish(published);
    await waitFor(() => eventsOf('s1').length >= 40, 'events captured');
    await new Promise((r) => setTimeout(r, 300));
    originals = [];
    for (const { summary, raw } of await rawOfStream(core.index, 'w1', 's1'))
      if (summary.kind === 'event') originals.push(JSON.parse(raw) as Json);
  }, 60_000);

  afterAll(async () => {
    await core?.dispose();
    await stack?.close();
  });

  for (const format of ['json', 'ndjson', 'bundle'] as const) {
    for (const redacted of [false, true]) {
      it(`${format}${redacted ? ' redacted' : ''}: exports, imports back with the same events and chains`, async () => {
        const file = path.join(dataDir, `out-${format}-${redacted}.${format === 'json' ? 'json' : 'ndjson'}`);
        const job = await exportTo(file, { format, redaction: redacted ? ALL : NO_REDACTION });
        expect(job).toMatchObject({ state: 'done', path: file });
        const text = readFileSync(file, 'utf8');
        if (format === 'json') expect(Array.isArray(JSON.parse(text))).toBe(true);
        if (format === 'bundle') {
          const manifest = JSON.parse(text.split('\n')[0]!).eventDeskBundle.manifest;
          if (redacted) {
            // Pseudonyms leave out what names the customer: the profile name, its URL, the workspace name.
            expect(manifest).toMatchObject({
              app: { name: 'Event Desk', version: '9.9.9' },
              workspace: '[redacted]',
              counts: { events: originals.length },
              servers: [{ name: 'server 1' }],
            });
            expect(manifest.servers[0].baseUrl).toBeUndefined();
            for (const secret of ['Support case 42', stack.url, '"Lab"']) expect(text).not.toContain(secret);
          } else {
            expect(manifest).toMatchObject({
              app: { name: 'Event Desk', version: '9.9.9' },
              workspace: 'Support case 42',
              counts: { events: originals.length },
              servers: [{ name: 'Lab', baseUrl: stack.url }],
            });
          }
          expect(manifest.streams[0].names).toEqual([]);
        }
        const ws = `import-${format}-${redacted}`;
        const result = await importInto(file, ws);
        expect(result.skippedCount).toBe(0);
        expect(result.events).toBe(originals.length);
        const imported: Json[] = [];
        for (const { summary, raw } of await rawOfStream(core.index, ws, result.streamId))
          if (summary.kind === 'event') imported.push(JSON.parse(raw) as Json);
        if (!redacted) expect(imported).toEqual(originals);
        else {
          expect(imported.map((e) => [e.name, e.time, e.unique_id, e.correlation_ids])).toEqual(
            originals.map((e) => [e.name, e.time, e.unique_id, e.correlation_ids]),
          );
          const hide = originalsToHide(originals);
          expect(hide.size).toBeGreaterThan(30);
          for (const v of hide)
            expect(text.toLowerCase().includes(v.toLowerCase()), `"${v}" left in the ${format} file`).toBe(false);
          // Pseudonyms are stable: as many distinct devices after as before, and each event keeps its device's pseudonym.
          const devices = (list: Json[]) =>
            new Set(list.map((e) => JSON.stringify((e.identifiers as Json[])?.[0] ?? {})));
          expect(devices(imported).size).toBe(devices(originals).size);
        }
        // The chain of the three-gateway uplink is the same in the import.
        const names = (streamId: string) => {
          const up = eventsOf(streamId).find((s) => s.name === 'as.up.data.forward' && s.correlationIds.length > 0)!;
          const chain = core.chains.chain(up.id);
          if (!chain.ok) throw new Error(chain.error.message);
          return { names: chain.value.steps.map((s) => s.event.name), lanes: chain.value.lanes.length };
        };
        expect(names(result.streamId)).toEqual(names('s1'));
      });
    }
  }

  it('exports one chain, the current filter, or a selection', async () => {
    const up = eventsOf('s1').find((s) => s.name === 'as.up.data.forward')!;
    const chainIds = core.chains.chainIds(up.id);
    if (!chainIds.ok) throw new Error(chainIds.error.message);
    const chainFile = path.join(dataDir, 'chain.ndjson');
    expect(await exportTo(chainFile, { scope: { kind: 'chain', eventId: up.id } })).toMatchObject({
      state: 'done',
      done: chainIds.value.length,
    });
    const filterFile = path.join(dataDir, 'filter.json');
    await exportTo(filterFile, { format: 'json', scope: { kind: 'filter', query: 'gs.up.* OR *.drop' } });
    const filtered = JSON.parse(readFileSync(filterFile, 'utf8')) as Json[];
    expect(filtered.length).toBeGreaterThan(3);
    expect(filtered.every((e) => /^gs\.up\.|\.drop$/.test(e.name as string))).toBe(true);
    const pick = eventsOf('s1')
      .slice(0, 3)
      .map((s) => s.id);
    const selFile = path.join(dataDir, 'sel.ndjson');
    expect(await exportTo(selFile, { scope: { kind: 'selection', ids: pick } })).toMatchObject({
      state: 'done',
      done: 3,
    });
    const bad = await core.handlers['export:start']({
      workspaceId: 'w1',
      workspaceName: 'x',
      scope: { kind: 'filter', query: 'rssi<abc' },
      format: 'json',
      redaction: NO_REDACTION,
      displayUtc: true,
    });
    expect(!bad.ok && bad.error.message).toMatch(/filter is not valid: rssi takes a number/);
  });

  it('previews redaction on the event it changes most', async () => {
    const r = await core.handlers['export:preview']({
      workspaceId: 'w1',
      workspaceName: 'x',
      scope: { kind: 'workspace' },
      format: 'bundle',
      redaction: { ...NO_REDACTION, remoteIps: true, userAgents: true },
      displayUtc: true,
    });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.events).toBe(originals.length);
    expect(r.value.affected.remoteIps).toBeGreaterThan(0);
    expect(r.value.affected.userAgents).toBeGreaterThan(0);
    expect(r.value.after).toContain('[redacted]');
    expect(r.value.before).not.toContain('[redacted]');
  });

  it('a cancelled export leaves no file; a failed one says why and leaves the capture alone', async () => {
    const file = path.join(dataDir, 'cancelled.ndjson');
    dialogs.saves.push(file);
    const r = await core.handlers['export:start']({
      workspaceId: 'w1',
      workspaceName: 'x',
      scope: { kind: 'workspace' },
      format: 'ndjson',
      redaction: ALL,
      displayUtc: true,
    });
    if (!r.ok || !r.value) throw new Error('no job');
    expect((await core.handlers['export:cancel'](r.value.jobId)).ok).toBe(true);
    expect(await finished(r.value.jobId)).toMatchObject({ state: 'cancelled' });
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(dataDir).some((n) => n.includes('.part-'))).toBe(false);
    const failed = await exportTo(path.join(dataDir, 'no-such-dir', 'x.ndjson'), {});
    expect(failed).toMatchObject({
      state: 'failed',
      message: `The folder ${path.join(dataDir, 'no-such-dir')} does not exist: the export was not saved. Choose an existing folder; the capture is untouched.`,
    });
    expect(eventsOf('s1').length).toBe(originals.length);
  });

  it('imports a TTS Console export, ttn-lw-cli output and a partial file, saying what was skipped', async () => {
    const samples = JSON.parse(readFileSync('test/fixtures/sample-events.json', 'utf8')) as Json[];
    const write = (name: string, text: string) => {
      const f = path.join(dataDir, name);
      writeFileSync(f, text);
      return f;
    };
    const consoleFile = write('console.json', JSON.stringify(samples, undefined, 2));
    expect(await importInto(consoleFile, 'c1')).toMatchObject({
      format: 'JSON array',
      events: samples.length,
      skippedCount: 0,
    });
    const cli = write('cli.txt', samples.map((e) => JSON.stringify(e, null, 2)).join('\n') + '\n');
    expect(await importInto(cli, 'c2')).toMatchObject({
      format: 'concatenated JSON objects (ttn-lw-cli)',
      events: samples.length,
    });
    const lines = samples.slice(0, 10).map((e) => JSON.stringify(e));
    lines[4] = '{"name": oops}';
    lines[6] = JSON.stringify({ hello: 'world' });
    const partial = write('partial.ndjson', lines.join('\n') + '\n' + JSON.stringify(samples[10]).slice(0, 50));
    const r = await importInto(partial, 'c3');
    expect(r.events).toBe(8);
    expect(r.skipped).toEqual([
      { line: 5, reason: expect.stringMatching(/^not valid JSON/) },
      { line: 7, reason: 'not an event: it has no "name" and "time"' },
      { line: 11, reason: expect.stringMatching(/^not valid JSON/) },
    ]);
    const garbage = write('garbage.txt', 'hello\nworld\n');
    dialogs.opens.push(garbage);
    const g = await core.handlers['import:open']('c4');
    expect(!g.ok && g.error.message).toMatch(/No events could be read from garbage\.txt: line 1: not valid JSON/);
  });

  it('imports a dropped file sent in chunks', async () => {
    const text = originals.map((e) => JSON.stringify(e)).join('\n');
    const begin = await core.handlers['import:begin']('d1', 'dropped.ndjson', text.length);
    if (!begin.ok) throw new Error(begin.error.message);
    for (let i = 0; i < text.length; i += 1000)
      expect((await core.handlers['import:chunk'](begin.value, text.slice(i, i + 1000))).ok).toBe(true);
    const end = await core.handlers['import:end'](begin.value);
    expect(end.ok && end.value).toMatchObject({ source: 'dropped.ndjson', events: originals.length });
  });
});
