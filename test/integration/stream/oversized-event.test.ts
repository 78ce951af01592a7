/**
 * What a stream does with what a server should not send: an event past the per-event cap (#13, failure 2) is
 * reported, the connection stays up and the events after it arrive; a handler's throw ends the stream; a web page
 * instead of a stream says which URL to check.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runStream } from '../../../src-main/core/stream/stream-client.js';
import type { DecodedMessage } from '../../../src-main/core/stream/decoder.js';

const event = (note: string) =>
  JSON.stringify({ result: { name: 'as.up.data.forward', time: '2026-01-01T00:00:00Z', data: { note } } });

describe('an event larger than the cap', () => {
  it('is reported as malformed and the next event still arrives on the same connection', async () => {
    const server = http.createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write(`${event('x'.repeat(2_000_000))}\n\n`);
      res.end(`${event('after')}\n\n`);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const out: DecodedMessage[] = [];
    const end = await runStream({
      baseUrl: url,
      apiKey: 'NNSXS.X',
      request: { identifiers: [] } as never,
      signal: new AbortController().signal,
      maxEventBytes: 1024 * 1024,
      onMessage: (m) => out.push(m),
    });
    server.close();
    expect(end).toEqual({ kind: 'eof' });
    expect(out.map((m) => m.kind)).toEqual(['malformed', 'event']);
    expect(out[0]).toMatchObject({ reason: 'an object larger than 1 MiB was skipped' });
  });
});

describe('a handler that throws on what the server sent', () => {
  it('ends that stream with the reason instead of throwing out of the data handler', async () => {
    const server = http.createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write(`${event('boom')}\n\n`);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const end = await runStream({
      baseUrl: url,
      apiKey: 'NNSXS.X',
      request: { identifiers: [] } as never,
      signal: new AbortController().signal,
      onMessage: () => {
        throw new RangeError('Maximum call stack size exceeded');
      },
    });
    server.closeAllConnections();
    server.close();
    expect(end).toMatchObject({
      kind: 'failed',
      failure: {
        error: { code: 'internal', message: /could not process what the server sent.*Maximum call stack/ },
        advice: { retry: false },
      },
    });
  });
});

describe('a server that answers 200 with a web page', () => {
  it('ends the stream with what to check, not retried (it reconnected for ever before)', async () => {
    const server = http.createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end('<!DOCTYPE html><html><head><title>Welcome to nginx!</title></head><body>nginx</body></html>\n');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const out: DecodedMessage[] = [];
    const end = await runStream({
      baseUrl: url,
      apiKey: 'NNSXS.X',
      request: { identifiers: [] } as never,
      signal: new AbortController().signal,
      onMessage: (m) => out.push(m),
    });
    server.closeAllConnections();
    server.close();
    expect(end).toMatchObject({
      kind: 'failed',
      httpStatus: 200,
      failure: {
        error: { code: 'protocol', message: /answered with a web page \(text\/html\).*base URL.*server URL/ },
        advice: { retry: false },
      },
    });
    expect(out).toEqual([]);
  });
});
