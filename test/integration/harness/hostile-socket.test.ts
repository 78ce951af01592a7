/**
 * Browser mode's IPC socket against hostile messages (#13, failure 3). Each of these took the whole
 * process down: a non-ASCII token, an authenticated `null` frame, a 50 KB deeply nested request id,
 * a frame over 1 MiB (what dropping a file of NUL bytes sends: now accepted up to a bounded size). Now each closes only its own socket,
 * with a reason, and the harness keeps serving.
 */
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_FRAME_BYTES, startHarness, type Harness } from '../../../src-main/core/harness/harness.js';
import { MemorySecretStore } from '../../helpers/memory-secrets.js';

describe('the browser-mode socket', () => {
  let harness: Harness;
  let dataDir: string;
  const logs: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-socket-'));
    harness = await startHarness({
      rendererDir: dataDir,
      dataDir,
      secrets: new MemorySecretStore(),
      log: (m) => logs.push(m),
    });
  });
  afterAll(async () => {
    await harness?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const connect = () =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(`${harness.origin.replace('http', 'ws')}/ipc`, [`token.${harness.token}`], {
        origin: harness.origin,
      });
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });

  const closed = (ws: WebSocket) =>
    new Promise<{ code: number; reason: string }>((resolve) =>
      ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );

  /** The harness still answers a proper request on a fresh socket. */
  async function stillServes(): Promise<void> {
    const ws = await connect();
    const reply = new Promise<string>((resolve) => ws.once('message', (d) => resolve(d.toString())));
    ws.send(JSON.stringify({ id: 1, channel: 'app:get-info', args: [] }));
    expect(JSON.parse(await reply)).toMatchObject({ id: 1, result: { ok: true, value: { host: 'harness' } } });
    ws.close();
  }

  it('refuses a token with a non-ASCII byte (same length in characters, not in bytes)', async () => {
    const forged = `é${harness.token.slice(1)}`;
    const port = new URL(harness.origin).port;
    const answer = await new Promise<string>((resolve, reject) => {
      const s = net.connect(Number(port), '127.0.0.1', () => {
        s.write(
          Buffer.from(
            [
              'GET /ipc HTTP/1.1',
              `Host: 127.0.0.1:${port}`,
              `Origin: ${harness.origin}`,
              'Upgrade: websocket',
              'Connection: Upgrade',
              'Sec-WebSocket-Version: 13',
              'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
              `Sec-WebSocket-Protocol: token.${forged}`,
              '',
              '',
            ].join('\r\n'),
            'latin1',
          ),
        );
      });
      let text = '';
      s.on('data', (d) => (text += d.toString()));
      s.on('close', () => resolve(text));
      s.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1.1 403/);
    await stillServes();
  });

  const bad: Array<[string, string | Buffer, RegExp]> = [
    ['a null frame', 'null', /must be a JSON object/],
    ['a frame that is not an object', '[1,2,3]', /must be a JSON object/],
    ['a frame that is not JSON', '{"id":', /must be JSON/],
    [
      'a 50 KB deeply nested request id',
      `{"id":${'['.repeat(25_000)}${']'.repeat(25_000)},"channel":"app:get-info","args":[]}`,
      /request id must be/,
    ],
    ['an object as request id', '{"id":{"a":1},"channel":"app:get-info","args":[]}', /request id must be/],
    [
      'a 10,000-character string id',
      JSON.stringify({ id: 'x'.repeat(10_000), channel: 'app:get-info', args: [] }),
      /request id must be/,
    ],
  ];
  for (const [what, frame, reason] of bad) {
    it(`closes the socket on ${what}, with a reason, and keeps serving`, async () => {
      const ws = await connect();
      const done = closed(ws);
      ws.send(frame);
      const c = await done;
      expect(c.code).toBe(1008);
      expect(c.reason).toMatch(reason);
      await stillServes();
    });
  }

  it('takes the frame a dropped file of NUL bytes makes (a 256 KiB chunk, 1.5 MB once JSON-escaped)', async () => {
    const ws = await connect();
    const frame = JSON.stringify({
      id: 7,
      channel: 'import:chunk',
      args: ['no-such-import', '\u0000'.repeat(256 * 1024)],
    });
    expect(frame.length).toBeGreaterThan(1024 * 1024);
    const reply = new Promise<string>((resolve) => ws.once('message', (d) => resolve(d.toString())));
    ws.send(frame);
    // Answered (the import id is unknown), not cut off.
    expect(JSON.parse(await reply)).toMatchObject({ id: 7, result: { ok: false } });
    ws.close();
  });

  it('closes the socket on a frame over the limit, and keeps serving', async () => {
    const ws = await connect();
    const done = closed(ws);
    ws.send(Buffer.alloc(MAX_FRAME_BYTES + 1));
    expect((await done).code).toBe(1009);
    await stillServes();
    expect(logs.some((l) => /Max payload size exceeded/i.test(l))).toBe(true);
  });
});
