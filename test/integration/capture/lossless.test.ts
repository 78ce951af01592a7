/**
 * The capture engine against the built-in stack on loopback: real HTTP, real files.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { generateApiKey, startStack, type StackHandle } from '../../../src-main/core/stack/server.js';
import { post } from '../../helpers/raw-http.js';
import { rig, waitFor } from '../../helpers/session.js';

const APP = { identifiers: [{ application_ids: { application_id: 'demo-app' } }] };

/** Collect what a fault-free reference subscription (with its own key) sees: the ground truth. */
async function reference(stack: StackHandle) {
  const key = generateApiKey();
  stack.addKey({ key, rights: { application: { '*': ['RIGHT_APPLICATION_ALL'] } } });
  // The server's full buffer (tail 1024 with after, as Event Desk asks): a tail-less subscriber gets an
  // 8-event channel and loses events in every burst, on TTS and on the built-in stack alike.
  const s = await post(
    stack.url,
    '/api/v3/events',
    JSON.stringify({ ...APP, tail: 1024, after: new Date().toISOString() }),
    { Authorization: `Bearer ${key}` },
  );
  await s.until((t) => t.includes('\n'));
  return {
    events: () =>
      s
        .text()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).result)
        .filter((e: { name: string }) => e.name !== 'events.stream.start') as Array<{
        unique_id: string;
        time: string;
      }>,
    /** Events seen so far: one line each in plain mode, minus the stream start. */
    count: () => s.newlines() - 1,
    close: () => s.close(),
  };
}

/** Publish flows in small bursts until the reference has seen `target` events, killing the streams at `killAt` counts. */
async function publishUntil(stack: StackHandle, seen: () => number, target: number, killAt: number[] = []) {
  const kills = [...killAt].sort((a, b) => a - b);
  while (seen() < target) {
    while (kills.length > 0 && seen() >= kills[0]!) {
      kills.shift();
      stack.killStreams(stack.demoKey);
    }
    stack.emitFlows(3);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 1));
  }
}

function capturedIds(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((o) => !o._eventDesk)
    .map((o) => o.unique_id as string);
}

function statusEntries(file: string) {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l)._eventDesk)
    .filter(Boolean) as Array<{ kind: string; from?: string; to?: string; message: string }>;
}

describe('lossless capture', () => {
  let stack: StackHandle | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it(
    'store on: 10,000 events with the connection killed at about 100 random points are captured exactly once',
    { timeout: 180_000 },
    async () => {
      stack = await startStack({
        seed: 21,
        store: { enabled: true, entityCount: 50_000 },
        scenario: { devices: 40, gateways: 4 },
      });
      const r = await rig(stack.url, stack.demoKey, APP);
      await waitFor(() => r.states.some((s) => s.kind === 'open'), 'the first connection');
      const ref = await reference(stack);
      const killAt = Array.from({ length: 100 }, () => Math.floor(Math.random() * 10_000));
      await publishUntil(stack, () => ref.count(), 10_000, killAt);
      const expected = ref.events().map((e) => e.unique_id);
      await waitFor(
        () => r.session.stats.events >= expected.length,
        `${expected.length} events in the capture (have ${r.session.stats.events})`,
        60_000,
      );
      r.session.stop();
      const file = await r.written();
      ref.close();

      const got = capturedIds(file);
      expect(r.session.stats.reconnects).toBeGreaterThanOrEqual(50);
      expect(new Set(got).size).toBe(got.length);
      expect(got.length).toBe(expected.length);
      expect(new Set(got)).toEqual(new Set(expected));
      expect(statusEntries(file).filter((s) => s.kind === 'gap')).toEqual([]);
    },
  );

  it(
    'store off: every lost window is a gap whose bounds contain the missing events, and nothing else is missing',
    { timeout: 120_000 },
    async () => {
      stack = await startStack({ seed: 22, store: { enabled: false }, scenario: { devices: 20, gateways: 2 } });
      const ref = await reference(stack);
      stack.setFaults({ closeProbability: 0.01 });
      const r = await rig(stack.url, stack.demoKey, APP);
      await waitFor(() => r.states.some((s) => s.kind === 'open'), 'the first connection');
      await publishUntil(stack, () => ref.count(), 3_000);
      await waitFor(() => r.states.at(-1)?.kind === 'open', 'a final open connection');
      r.session.stop();
      const file = await r.written();
      ref.close();

      const got = new Set(capturedIds(file));
      const gaps = statusEntries(file).filter((s) => s.kind === 'gap');
      const missing = ref.events().filter((e) => !got.has(e.unique_id));
      expect(gaps.length).toBeGreaterThan(5);
      expect(missing.length).toBeGreaterThan(0);
      for (const m of missing) {
        const t = Date.parse(m.time);
        const covered = gaps.some((g) => Date.parse(g.from!) <= t && t <= Date.parse(g.to!));
        expect(covered, `missing event at ${m.time} is inside a recorded gap`).toBe(true);
      }
      for (const g of gaps) expect(g.message).toMatch(/no event history/);
    },
  );
});
