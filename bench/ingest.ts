/**
 * Rows 1, 2a and 2b of `npm run bench`: the floor, the stack's capacity to a client that only counts
 * lines, and the app's ingest from the stack in its own process.
 */
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { Scenario } from '../src-main/core/stack/scenario.js';
import { createPipeline } from '../src-main/core/pipeline.js';
import { ok } from '../src-main/shared/result.js';
import { pushToWire } from '../src-main/shared/ipc/push-wire.js';
import { startStackProcess } from './stack-process.js';
/**
 * The floor: the same bytes decoded the way a client receives them (a Buffer, indexOf newline, UTF-8
 * decode of each line, JSON.parse), best of three runs.
 */
export function floor(): { eventsPerSec: number; mbPerSec: number; avgBytes: number } {
  const scenario = new Scenario({ devices: 200, gateways: 10, seed: 1 }, Date.now);
  const lines: string[] = [];
  while (lines.length < 200_000) for (const e of scenario.nextFlow()) lines.push(`{"result":${e.json}}`);
  const body = Buffer.from(lines.join('\n\n') + '\n\n');
  let best = Infinity;
  let n = 0;
  for (let run = 0; run < 3; run++) {
    const start = process.hrtime.bigint();
    n = 0;
    let from = 0;
    for (let nl = body.indexOf(10, from); nl >= 0; from = nl + 1, nl = body.indexOf(10, from)) {
      if (nl === from) continue;
      JSON.parse(body.toString('utf8', from, nl));
      n++;
    }
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
  }
  return { eventsPerSec: n / best, mbPerSec: body.length / 1e6 / best, avgBytes: body.length / n };
}

export const FAST_STACK = ['--rate', 'max', '--devices', '200', '--gateways', '10'];
// The full server buffer (tail 1024 with after), as Event Desk's client asks: a tail-less counter would get
// the 8-event channel and measure the stack's drops, not its speed.
const ALL = JSON.stringify({
  identifiers: [
    { application_ids: { application_id: 'demo-app' } },
    ...Array.from({ length: 10 }, (_, i) => ({ gateway_ids: { gateway_id: `demo-gateway-${i + 1}` } })),
  ],
  tail: 1024,
  after: new Date().toISOString(),
});

/** What the stack process can deliver to a client that only counts lines (NDJSON framing). */
export async function stackCapacity(secs: number): Promise<{ eventsPerSec: number; mbPerSec: number }> {
  const stack = await startStackProcess(FAST_STACK);
  try {
    let lines = 0;
    let bytes = 0;
    let started = 0;
    await new Promise<void>((resolve, reject) => {
      const req = http.request(
        `${stack.url}/api/v3/events`,
        { method: 'POST', headers: { Authorization: `Bearer ${stack.key}`, Accept: 'application/json' } },
        (res) => {
          started = Date.now();
          res.on('data', (c: Buffer) => {
            bytes += c.length;
            for (let i = c.indexOf(10); i >= 0; i = c.indexOf(10, i + 1)) lines++;
          });
          setTimeout(() => {
            res.destroy();
            resolve();
          }, secs * 1000);
        },
      );
      req.on('error', reject);
      req.end(ALL);
    });
    const elapsed = (Date.now() - started) / 1000;
    return { eventsPerSec: lines / elapsed, mbPerSec: bytes / 1e6 / elapsed };
  } finally {
    await stack.close();
  }
}

export async function ingest(secs: number): Promise<{ eventsPerSec: number; events: number; batches: number }> {
  const stack = await startStackProcess(FAST_STACK);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-bench-'));
  let batches = 0;
  const pipeline = createPipeline({
    dataDir,
    // What the desktop app's main thread does with a push before Electron copies it (a free sink flattered
    // ingest: the structured clone Electron did before cost ~25 % of it at full speed).
    sink: { send: (c, p) => void (batches++, pushToWire(c, p)) },
    resolve: async () => ok({ urls: [stack.url], apiKey: stack.key }),
  });
  const manager = pipeline.streams;
  try {
    const entities = [
      { kind: 'application' as const, id: 'demo-app' },
      ...Array.from({ length: 10 }, (_, i) => ({ kind: 'gateway' as const, id: `demo-gateway-${i + 1}` })),
    ];
    const r = await manager.start({ workspaceId: 'b', profileId: 'p', entities, names: [] });
    if (!r.ok) throw new Error(r.error.message);
    while (manager.list()[0]?.state.kind !== 'open') await new Promise((res) => setTimeout(res, 10));
    const t0 = Date.now();
    const e0 = manager.stats(r.value.streamId)?.events ?? 0;
    await new Promise((res) => setTimeout(res, secs * 1000));
    const events = (manager.stats(r.value.streamId)?.events ?? 0) - e0;
    return { eventsPerSec: events / ((Date.now() - t0) / 1000), events, batches };
  } finally {
    await pipeline.dispose();
    await stack.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
