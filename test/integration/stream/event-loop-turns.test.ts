/**
 * A fast stream shares the event loop (#14): with megabytes waiting on the socket, the client reads a
 * bounded amount per turn, so the capture's write completions, the feed's timer and the window's
 * requests run in between instead of after ~2 MB of decoding.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runStream } from '../../../src-main/core/stream/stream-client.js';

const EVENTS = 6_000;
const line = (i: number) =>
  `${JSON.stringify({
    result: {
      name: 'as.up.data.forward',
      time: '2026-01-01T00:00:00Z',
      unique_id: `u${i}`,
      data: { note: 'x'.repeat(1_200) },
    },
  })}\n\n`;

describe('a stream with megabytes waiting', () => {
  it('is read at most a few hundred KB per turn of the event loop, every event in order', async () => {
    const body = Array.from({ length: EVENTS }, (_, i) => line(i)).join('');
    const server = http.createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    // Bytes read between two runs of the loop's check phase (setImmediate), the largest of them.
    let turn = 0;
    let largest = 0;
    let turns = 0;
    let reading = true;
    const tick = () => {
      largest = Math.max(largest, turn);
      if (turn > 0) turns++;
      turn = 0;
      if (reading) setImmediate(tick);
    };
    setImmediate(tick);
    const ids: string[] = [];
    const end = await runStream({
      baseUrl: url,
      apiKey: 'NNSXS.X',
      request: { identifiers: [] } as never,
      signal: new AbortController().signal,
      onBytes: (n) => void (turn += n),
      onMessage: (m) => void (m.kind === 'event' && ids.push(String(m.event.unique_id))),
    });
    reading = false;
    server.close();

    expect(end).toEqual({ kind: 'eof' });
    expect(ids).toEqual(Array.from({ length: EVENTS }, (_, i) => `u${i}`));
    expect(body.length).toBeGreaterThan(7_000_000);
    // 128 KB and the chunk that crossed it (64 KB at most from a socket).
    expect(largest).toBeLessThanOrEqual(256 * 1024);
    expect(turns).toBeGreaterThan(body.length / (256 * 1024));
  });
});
