/**
 * "Check connection": ask the Identity Server who the key is (`GET /api/v3/auth_info`) and explain
 * what it will see. Reachability and TLS problems come back as errors a user can act on.
 */
import http from 'node:http';
import https from 'node:https';
import { explainRights, parseAuthInfo, type ConnectionCheck } from '../../shared/domain/auth-check.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { TtsStatus } from '../../shared/tts/types.js';
import { classifyHttpFailure, classifyNetworkFailure } from '../stream/failures.js';

export interface CheckOptions {
  url: string;
  apiKey: string | undefined;
  ca?: string;
  timeoutMs?: number;
  clock?: () => number;
}

const MAX_BODY = 1024 * 1024;

export function checkConnection(options: CheckOptions): Promise<Result<ConnectionCheck>> {
  const clock = options.clock ?? Date.now;
  const started = clock();
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL('/api/v3/auth_info', options.url);
    } catch {
      resolve(err('invalid-input', `The server URL "${options.url}" is not valid.`));
      return;
    }
    const lib = url.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (options.apiKey) headers.Authorization = `Bearer ${options.apiKey}`;
    const req = lib.request(url, { method: 'GET', headers, timeout: options.timeoutMs ?? 10_000, ...(options.ca ? { ca: options.ca } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) req.destroy(new Error('The answer is larger than 1 MB; this does not look like a Things Stack.'));
        else chunks.push(c);
      });
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        const status = res.statusCode ?? 0;
        if (status !== 200) {
          const h: Record<string, string | undefined> = {};
          for (const [k, v] of Object.entries(res.headers)) h[k] = Array.isArray(v) ? v.join(', ') : v;
          const failure = classifyHttpFailure(status, body as TtsStatus | undefined, h);
          resolve({ ok: false, error: failure.error });
          return;
        }
        if (body === undefined) {
          resolve(err('protocol', `The server at ${url.origin} answered, but not with JSON: is this the stack's base URL (not the Console URL)?`));
          return;
        }
        const auth = parseAuthInfo(body);
        if (auth.kind === 'none' && !options.apiKey) {
          resolve(ok({ url: url.origin, auth, warnings: [{ severity: 'warning', text: 'No API key is set for this profile: set one to stream events.' }], ms: clock() - started }));
          return;
        }
        resolve(ok({ url: url.origin, auth, warnings: explainRights(auth), ms: clock() - started }));
      });
      res.on('error', (e) => resolve({ ok: false, error: classifyNetworkFailure(e as NodeJS.ErrnoException).error }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => {
      const failure = classifyNetworkFailure(e);
      resolve(err(failure.error.code, e.code === 'ETIMEDOUT' ? `No answer from ${url.origin} within ${Math.round((options.timeoutMs ?? 10_000) / 1000)} s. Check the URL, a VPN or a proxy.` : failure.error.message.replace('; reconnecting.', '.'), failure.error.detail));
    });
    req.end();
  });
}
