/**
 * Check connection behind a proxy that answers 403 (#16, finding 10): the message must not send the
 * user to Check connection, where they already are.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkConnection } from '../../../src-main/core/profiles/check-connection.js';

describe('Check connection against a 403', () => {
  let server: http.Server;
  let url = '';
  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      res.writeHead(403, { 'Content-Type': 'text/html' });
      res.end('<html><body>Forbidden by proxy</body></html>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('explains a key without rights or a proxy, and does not point back at itself', async () => {
    const r = await checkConnection({ url, apiKey: 'NNSXS.TESTKEY.SECRET' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.message).toContain('proxy');
    expect(r.error.message).not.toContain('Check connection');
  });
});
