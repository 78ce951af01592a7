import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { startStack } from '../../../src-main/core/stack/server.js';

describe('a consumer that stops reading', () => {
  it('gets events dropped once the slow-consumer buffer is full, as the real server does, and the rest when it reads again', async () => {
    const stack = await startStack({
      seed: 4,
      scenario: { devices: 5, gateways: 2 },
      faults: { slowConsumerBuffer: 500 },
    });
    try {
      let received = 0;
      let res!: http.IncomingMessage;
      await new Promise<void>((resolve) => {
        const req = http.request(
          `${stack.url}/api/v3/events`,
          { method: 'POST', headers: { Authorization: `Bearer ${stack.demoKey}` } },
          (r) => {
            res = r;
            r.on('data', (c: Buffer) => {
              for (let i = c.indexOf(10); i >= 0; i = c.indexOf(10, i + 1)) received++;
            });
            resolve();
          },
        );
        // The full server buffer (tail 1024, as Event Desk asks): the 500-event fault is the smaller limit.
        req.end(
          JSON.stringify({
            identifiers: [{ application_ids: { application_id: 'demo-app' } }],
            tail: 1024,
            after: new Date().toISOString(),
          }),
        );
      });
      await new Promise((r) => setTimeout(r, 100));
      res.pause();
      let published = 0;
      // Enough to fill the socket buffers on both sides, then the 500-event buffer.
      for (let i = 0; i < 40 && stack.stats.dropped === 0; i++) {
        published += stack.emitFlows(500).length;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(stack.stats.dropped).toBeGreaterThan(0);
      res.resume();
      const dropped = stack.stats.dropped;
      await new Promise((r) => setTimeout(r, 500));
      // Everything not dropped arrives once the consumer reads again (application events only; some flows are gateway-only).
      expect(received).toBeGreaterThan(500);
      expect(stack.stats.dropped).toBe(dropped);
      expect(received).toBeLessThan(published);
      res.destroy();
    } finally {
      await stack.close();
    }
  }, 30_000);
});
