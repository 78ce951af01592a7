import os from 'node:os';
import path from 'node:path';
import https from 'node:https';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConnection } from '../../../src-main/core/profiles/check-connection.js';

// A private deployment: HTTPS with a certificate from its own CA (here self-signed, made with openssl).
describe('check connection to a private deployment over TLS', () => {
  let server: https.Server;
  let url: string;
  let cert: string;

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    cert = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
    server = https.createServer({ key: readFileSync(path.join(dir, 'key.pem')), cert }, (req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          api_key: {
            api_key: { id: 'K', rights: ['RIGHT_APPLICATION_ALL'] },
            entity_ids: { application_ids: { application_id: 'app1' } },
          },
        }),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => server?.close());

  it('explains a certificate it does not trust, with the remedy', async () => {
    const r = await checkConnection({ url, apiKey: 'NNSXS.AAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBB' });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.error.message).toMatch(
        /TLS certificate was not accepted \(.*\)\. For a private deployment, add its CA certificate to the profile\./,
      );
  });

  it('connects once the profile carries the CA certificate', async () => {
    const r = await checkConnection({ url, apiKey: 'NNSXS.AAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBB', ca: cert });
    expect(r.ok && r.value.auth.entity).toEqual({ kind: 'application', id: 'app1' });
  });
});
