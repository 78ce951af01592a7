/**
 * A bounded JSON GET against a Things Stack (auth_info, events/related): one place for TLS, timeouts,
 * size limits and turning failures into the words the stream client uses.
 */
import http from 'node:http';
import https from 'node:https';
import { err, ok, type Result } from '../../shared/result.js';
import type { TtsStatus } from '../../shared/tts/types.js';
import { classifyHttpFailure, classifyNetworkFailure } from './failures.js';

export interface GetOptions {
  baseUrl: string;
  path: string;
  apiKey?: string;
  ca?: string;
  timeoutMs?: number;
  maxBytes?: number;
}

export function getJson(options: GetOptions): Promise<Result<unknown>> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(options.path, options.baseUrl);
    } catch {
      resolve(err('invalid-input', `The server URL "${options.baseUrl}" is not valid.`));
      return;
    }
    const lib = url.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (options.apiKey) headers.Authorization = `Bearer ${options.apiKey}`;
    const req = lib.request(
      url,
      { method: 'GET', headers, timeout: timeoutMs, ...(options.ca ? { ca: options.ca } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxBytes)
            req.destroy(
              Object.assign(new Error(`The answer is larger than ${Math.round(maxBytes / 1024 / 1024)} MB.`), {
                code: 'ETOOBIG',
              }),
            );
          else chunks.push(c);
        });
        res.on('end', () => {
          let body: unknown;
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            body = undefined;
          }
          const status = res.statusCode ?? 0;
          if (status !== 200) {
            const h: Record<string, string | undefined> = {};
            for (const [k, v] of Object.entries(res.headers)) h[k] = Array.isArray(v) ? v.join(', ') : v;
            resolve({ ok: false, error: classifyHttpFailure(status, body as TtsStatus | undefined, h).error });
            return;
          }
          if (body === undefined)
            resolve(
              err(
                'protocol',
                `The server at ${url.origin} answered, but not with JSON: is this the stack's base URL (not the Console URL)?`,
              ),
            );
          else resolve(ok(body));
        });
        res.on('error', (e) => resolve({ ok: false, error: classifyNetworkFailure(e as NodeJS.ErrnoException).error }));
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ETOOBIG') return resolve(err('protocol', e.message));
      const failure = classifyNetworkFailure(e);
      resolve(
        err(
          failure.error.code,
          e.code === 'ETIMEDOUT'
            ? `No answer from ${url.origin} within ${Math.round(timeoutMs / 1000)} s. Check the URL, a VPN or a proxy.`
            : failure.error.message.replace('; reconnecting.', '.'),
          failure.error.detail,
        ),
      );
    });
    req.end();
  });
}
