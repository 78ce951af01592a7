/**
 * The real server's per-subscriber buffer (lorawan-stack `pkg/events/grpc/grpc.go`: a channel of
 * `clamp(tail, 8, 1024)` events; `pkg/events/handler.go` drops silently when it is full), reproduced
 * by the built-in stack, and Event Desk's client asking for the largest one.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverBufferSize, startStack, type StackHandle } from '../../../src-main/core/stack/server.js';
import type { StackEvent } from '../../../src-main/core/stack/scenario.js';
import { StreamSession } from '../../../src-main/core/stream/stream-session.js';
import { runStream } from '../../../src-main/core/stream/stream-client.js';

/** A plain client that reads everything, with the request body it is given. */
function rawClient(
  stack: StackHandle,
  body: object,
): { received: () => number; close: () => void; ready: Promise<void> } {
  let received = -1; // the first object is events.stream.start
  let req!: http.ClientRequest;
  const ready = new Promise<void>((resolve) => {
    req = http.request(
      `${stack.url}/api/v3/events`,
      { method: 'POST', headers: { Authorization: `Bearer ${stack.demoKey}` } },
      (res) => {
        res.on('data', (c: Buffer) => {
          for (let i = c.indexOf(10); i >= 0; i = c.indexOf(10, i + 1)) received++;
        });
        resolve();
      },
    );
    req.end(JSON.stringify(body));
  });
  return { received: () => received, close: () => req.destroy(), ready };
}

const seenByApp = (events: StackEvent[]) =>
  events.filter(
    (e) =>
      (e.entity.kind === 'device' && e.propagates) || (e.entity.kind === 'application' && e.entity.id === 'demo-app'),
  ).length;

describe('the server buffer model', () => {
  let stack: StackHandle;
  beforeAll(async () => {
    stack = await startStack({ seed: 8, scenario: { devices: 20, gateways: 3 } });
  });
  afterAll(() => stack.close());

  it('sizes the buffer as clamp(tail, 8, 1024)', () => {
    expect([undefined, 0, 5, 8, 20, 1024, 5000].map(serverBufferSize)).toEqual([8, 8, 8, 8, 20, 1024, 1024]);
  });

  it('a client with tail 0 loses events in a burst of a few thousand; Event Desk loses none of the same burst', async () => {
    const ids = [{ application_ids: { application_id: 'demo-app' } }];
    const plain = rawClient(stack, { identifiers: ids });
    let eventDesk = 0;
    const session = new StreamSession({
      request: { identifiers: ids },
      connect: (request, signal, handlers) =>
        runStream({ baseUrl: stack.url, apiKey: stack.demoKey, request, signal, ...handlers }),
      listener: { onEvent: () => eventDesk++, onStatus: () => undefined, onState: () => undefined },
    });
    void session.start();
    await plain.ready;
    await new Promise((r) => setTimeout(r, 200));
    const droppedBefore = stack.stats.dropped;

    // A burst: a few thousand events arriving within milliseconds, in publishes of ~100 as a busy
    // cluster's pub/sub delivers them; the sender drains the channel between them.
    let expected = 0;
    while (expected < 3000) {
      const out: StackEvent[] = [];
      while (out.length < 100) out.push(...stack.scenario.nextFlow());
      stack.publish(out);
      expected += seenByApp(out);
      await new Promise((r) => setImmediate(r));
    }
    const deadline = Date.now() + 10_000;
    while (eventDesk < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    session.stop();
    plain.close();

    expect(expected).toBeGreaterThan(2000);
    expect(eventDesk).toBe(expected);
    expect(plain.received()).toBeLessThan(expected);
    // Only the stack's own counter knows: exactly what the plain client missed.
    expect(stack.stats.dropped - droppedBefore).toBe(expected - plain.received());
  }, 30_000);
});
