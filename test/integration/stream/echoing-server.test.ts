/**
 * A server (or a proxy in front of it) that echoes the request's Authorization header in its error
 * text (#13, failure 4). Before and after the first event, in HTTP errors, stream errors and garbage
 * lines: the key must reach neither the capture file, the bundle, Check connection, the pages the
 * renderer is sent, nor the log.
 */
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../../src-main/core/app-core.js';
import { ScriptedDialogs } from '../../../src-main/core/services/dialogs.js';
import { FULL_REDACTION, NO_REDACTION } from '../../../src-main/shared/export/redact.js';
import { RecordingSink } from '../../helpers/recording-sink.js';
import { waitFor } from '../../helpers/session.js';
import { addProfile, testCore } from '../../helpers/core.js';

const KEY = 'NNSXS.2CSAUYXPQFDBGI3WHVMO7RAMT4FE5LGJDNZXNJQ.HBQQMCF6KXDIUJZUMRKQJGXSZWCKPKTGZYUN3WJZK4AF6O4CIE5A';
const SECRET_PART = KEY.split('.')[2]!;

const event = (n: number) =>
  JSON.stringify({
    name: 'as.up.data.forward',
    time: new Date(Date.now() + n).toISOString(),
    identifiers: [{ device_ids: { device_id: 'dev1', application_ids: { application_id: 'app1' } } }],
    unique_id: `u${n}-${Math.random()}`,
  });

describe('a server that echoes the API key', () => {
  let server: http.Server;
  let url: string;
  let core: Core;
  let dataDir: string;
  let profileId: string;
  const sink = new RecordingSink();
  const dialogs = new ScriptedDialogs();
  const logs: string[] = [];
  let requests = 0;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      const auth = String(req.headers.authorization);
      const echo = (code: number) => ({
        code,
        message: `invalid authorization ${auth}`,
        details: [
          {
            '@type': 'type.googleapis.com/ttn.lorawan.v3.ErrorDetails',
            namespace: 'pkg/auth',
            name: 'echo',
            message_format: 'invalid authorization {header}',
            attributes: { header: auth },
            code,
          },
        ],
      });
      if (req.url === '/api/v3/auth_info') {
        res.writeHead(401, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(echo(16)));
        return;
      }
      requests++;
      if (requests === 1) {
        // After the first event: a garbage line quoting the header, then a stream error echoing it.
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        res.write(`{"result":${event(1)}}\n\n`);
        res.write(`garbage: Authorization: ${auth}\n\n`);
        res.end(`{"error":${JSON.stringify(echo(13))}}\n\n`);
      } else if (requests === 2) {
        // The reconnect entry quotes the stream error above.
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        res.end(`{"result":${event(2)}}\n\n`);
      } else if (requests === 3) {
        // Before any event: an HTTP error echoing it.
        res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(echo(13)));
      } else {
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        res.write(`{"result":${event(4)}}\n\n`);
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-echo-'));
    core = await testCore(dataDir, { sink, dialogs, backoff: { baseMs: 5, capMs: 20 }, log: (m) => logs.push(m) });
    profileId = await addProfile(core, 'Echo', url, KEY);
  });

  afterAll(async () => {
    await core?.dispose();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const leaks = (text: string) => text.includes(SECRET_PART);

  it('Check connection shows the server error without the key', async () => {
    const r = await core.handlers['profiles:check'](profileId);
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).toContain('invalid authorization');
    expect(leaks(JSON.stringify(r))).toBe(false);
  });

  it('the capture, the bundle, the pages sent to the renderer and the log hold no key', async () => {
    const s = await core.handlers['streams:start']({
      workspaceId: 'w1',
      profileId,
      entities: [{ kind: 'application', id: 'app1' }],
      names: [],
    });
    if (!s.ok) throw new Error(s.error.message);
    const entries = () => {
      const r = core.index.page({ workspaceId: 'w1', query: '', limit: 100 });
      if (!r.ok) throw new Error(r.error.message);
      return r.value.entries;
    };
    await waitFor(() => entries().filter((e) => e.kind === 'event').length >= 3, 'the event after the reconnects');
    const statuses = entries().filter((e) => e.kind === 'status');
    // The server's words are still there, minus the key.
    expect(
      statuses.some(
        (e) => e.name === 'event-desk.reconnect' && /invalid authorization Bearer \S*\[redacted\]/.test(e.preview),
      ),
    ).toBe(true);

    const all = FULL_REDACTION;
    for (const [name, redaction] of [
      ['bundle-all.ndjson', all],
      ['bundle-none.ndjson', NO_REDACTION],
    ] as const) {
      const out = path.join(dataDir, name);
      dialogs.saves.push(out);
      const r = await core.handlers['export:start']({
        workspaceId: 'w1',
        workspaceName: 'Echo',
        scope: { kind: 'workspace' },
        format: 'bundle',
        redaction,
        displayUtc: true,
      });
      if (!r.ok || !r.value) throw new Error(r.ok ? 'cancelled' : r.error.message);
      const jobId = r.value.jobId;
      await waitFor(
        () =>
          sink.all.some(
            (m) =>
              m.channel === 'jobs:progress' &&
              (m.payload as { jobId: string; state: string }).jobId === jobId &&
              (m.payload as { state: string }).state === 'done',
          ),
        'bundle written',
      );
      const text = readFileSync(out, 'utf8');
      expect(text).toContain('invalid authorization');
      expect(leaks(text)).toBe(false);
    }

    await core.index.written();
    const captures = readdirSync(dataDir, { recursive: true, encoding: 'utf8' }).filter(
      (f) => f.endsWith('.ndjson') && !f.startsWith('bundle'),
    );
    expect(captures.length).toBeGreaterThan(0);
    for (const f of captures) expect(leaks(readFileSync(path.join(dataDir, f), 'utf8'))).toBe(false);
    expect(leaks(JSON.stringify(sink.all))).toBe(false);
    expect(leaks(logs.join('\n'))).toBe(false);
  });
});
