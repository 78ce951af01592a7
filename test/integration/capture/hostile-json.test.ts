/**
 * An event nested 10,000 levels deep (#13, failure 1): JSON.parse copes, but every recursive walk of it
 * (the list summary, the decoder's re-serialisation) threw a RangeError inside the stream's data handler
 * and took main down. Through the real core: a raw HTTP server streams it, and a file imports it.
 */
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../../src-main/core/app-core.js';
import { ScriptedDialogs } from '../../../src-main/core/services/dialogs.js';
import { RecordingSink } from '../../helpers/recording-sink.js';
import { waitFor } from '../../helpers/session.js';
import { entriesOf, entriesOfStream, filesOf } from '../../helpers/index-entries.js';
import { addProfile, testCore } from '../../helpers/core.js';

const DEPTH = 10_000;

function deepEvent(id: string): string {
  const payload = '{"a":'.repeat(DEPTH) + '1' + '}'.repeat(DEPTH);
  return (
    `{"name":"as.up.data.forward","time":"2026-01-01T00:00:0${id}Z","identifiers":[{"device_ids":{"device_id":"dev${id}",` +
    `"application_ids":{"application_id":"app1"}}}],"data":{"@type":"type.googleapis.com/ttn.lorawan.v3.ApplicationUp",` +
    `"uplink_message":{"f_port":1,"decoded_payload":${payload}}},"correlation_ids":["as:up:${id}"],` +
    `"unique_id":"u${id}"}`
  );
}
const plainEvent = (id: string) =>
  `{"name":"as.up.data.forward","time":"2026-01-01T00:00:0${id}Z","identifiers":[{"device_ids":{"device_id":"dev${id}",` +
  `"application_ids":{"application_id":"app1"}}}],"data":{"uplink_message":{"f_port":1,"decoded_payload":{"t":21}}},` +
  `"correlation_ids":["as:up:${id}"],"unique_id":"u${id}"}`;

describe('an event nested 10,000 levels deep', () => {
  let server: http.Server;
  let url: string;
  let core: Core;
  let dataDir: string;
  const sink = new RecordingSink();
  const dialogs = new ScriptedDialogs();
  const logs: string[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      // The compact wrapper the server writes, then one with spaces (the decoder re-serialises that one),
      // then an ordinary event: all three must be captured.
      res.write(`{"result":${deepEvent('1')}}\n\n`);
      res.write(`{ "result" : ${deepEvent('2')} }\n\n`);
      res.write(`{"result":${plainEvent('3')}}\n\n`);
      // Keep the stream open, as a real server does.
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-deep-'));
    core = await testCore(dataDir, { sink, dialogs, log: (m) => logs.push(m) });
  });

  afterAll(async () => {
    await core?.dispose();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('streams: main stays up, every event is captured, and the list row says the payload is too deep to show', async () => {
    const profileId = await addProfile(
      core,
      'Deep',
      url,
      'NNSXS.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB',
    );
    const s = await core.handlers['streams:start']({
      workspaceId: 'w1',
      profileId,
      entities: [{ kind: 'application', id: 'app1' }],
      names: [],
    });
    if (!s.ok) throw new Error(s.error.message);
    const events = () => entriesOf(core.index, 'w1').filter((e) => e.kind === 'event');
    await waitFor(() => events().length >= 3, 'three events captured');
    expect(events().map((e) => e.preview)).toEqual(['too deep to show', 'too deep to show', '{"t":21}']);
    // The renderer is told about them, and the capture file holds them.
    await waitFor(() => sink.summaries().filter((e) => e.kind === 'event').length === 3, 'three events pushed', 5_000);
    await core.index.written();
    expect(readFileSync(filesOf(core.index, 'w1')[0]!, 'utf8')).toContain('"unique_id":"u2"');
  });

  it('the detail pane gets the deep event cut at the limit, not an error', async () => {
    const deep = entriesOf(core.index, 'w1').find((e) => e.preview === 'too deep to show')!;
    const r = await core.handlers['events:get'](deep.id);
    if (!r.ok) throw new Error(r.error.message);
    const text = JSON.stringify(r.value);
    expect(text).toContain('too deep to show: nested more than 64 levels');
    expect(text).toContain('"unique_id":"u1"');
  });

  it('a filter of 3,000 nested parentheses is refused with a clear message, not a RangeError', async () => {
    const r = await core.handlers['events:page']({
      workspaceId: 'w1',
      query: `${'('.repeat(3000)}ns.up${')'.repeat(3000)}`,
      limit: 10,
    });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(!r.ok && r.error.message).toMatch(/nest more than 50 levels/);
  });

  it('exports it redacted, and the export dialog previews it, without throwing', async () => {
    const all = {
      apiKeyIds: true,
      remoteIps: true,
      userAgents: true,
      payloads: false,
      locations: true,
      pseudonymize: true,
    };
    const req = {
      workspaceId: 'w1',
      workspaceName: 'Deep',
      scope: { kind: 'workspace' as const },
      format: 'ndjson' as const,
      redaction: all,
      displayUtc: true,
    };
    const preview = await core.handlers['export:preview'](req);
    expect(preview.ok).toBe(true);
    const file = path.join(dataDir, 'deep-export.ndjson');
    dialogs.saves.push(file);
    const r = await core.handlers['export:start'](req);
    if (!r.ok || !r.value) throw new Error(r.ok ? 'cancelled' : r.error.message);
    const jobId = r.value.jobId;
    const progress = () =>
      sink.all.filter((m) => m.channel === 'jobs:progress').map((m) => m.payload as { jobId: string; state: string });
    await waitFor(() => progress().some((j) => j.jobId === jobId && j.state !== 'running'), 'export done');
    expect(
      progress()
        .filter((j) => j.jobId === jobId)
        .pop(),
    ).toMatchObject({ state: 'done' });
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain('[cut: nested more than 64 levels deep]');
  });

  it('imports: the deep event and the ones after it arrive, nothing aborts the import', async () => {
    const file = path.join(dataDir, 'deep.ndjson');
    writeFileSync(file, `${plainEvent('4')}\n{"result":${deepEvent('5')}}\n${plainEvent('6')}\n`);
    dialogs.opens.push(file);
    const r = await core.handlers['import:open']('w2');
    if (!r.ok || !r.value) throw new Error(r.ok ? 'cancelled' : r.error.message);
    expect(r.value).toMatchObject({ events: 3, skippedCount: 0 });
    const previews = entriesOfStream(core.index, 'w2', r.value.streamId).map((e) => e.preview);
    expect(previews).toEqual(['{"t":21}', 'too deep to show', '{"t":21}']);
  });

  it('imports a Console-style JSON array holding the deep event', async () => {
    const file = path.join(dataDir, 'deep.json');
    writeFileSync(file, `[\n${plainEvent('7')},\n${deepEvent('8')}\n]\n`);
    dialogs.opens.push(file);
    const r = await core.handlers['import:open']('w3');
    if (!r.ok || !r.value) throw new Error(r.ok ? 'cancelled' : r.error.message);
    expect(r.value).toMatchObject({ events: 2, skippedCount: 0 });
  });
});
