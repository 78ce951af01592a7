/**
 * `npm run bench`: a first cut of the pipeline benchmarks (issue 8 extends it).
 *
 * 1. Floor: split + JSON.parse of a recorded stream of realistic events, in one process.
 * 2. Ingest: built-in stack on loopback at full speed → stream client → decoder → capture file +
 *    index → batches to a sink standing in for IPC. Reported as events/s and as a ratio to the floor.
 * Numbers go to the console as a table and to bench/results.json with Node version and CPU.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { Scenario } from '../src-main/core/stack/scenario.js';
import { startStack } from '../src-main/core/stack/server.js';
import { StreamManager } from '../src-main/core/services/stream-manager.js';
import { ok } from '../src-main/shared/result.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 30);

function floor(): { eventsPerSec: number; mbPerSec: number; avgBytes: number } {
  const scenario = new Scenario({ devices: 200, gateways: 10, seed: 1 }, Date.now);
  const lines: string[] = [];
  while (lines.length < 200_000) for (const e of scenario.nextFlow()) lines.push(`{"result":${e.json}}`);
  const body = Buffer.from(lines.join('\n\n') + '\n\n');
  const start = process.hrtime.bigint();
  let n = 0;
  for (const part of body.toString('utf8').split('\n')) {
    if (part.length === 0) continue;
    JSON.parse(part);
    n++;
  }
  const s = Number(process.hrtime.bigint() - start) / 1e9;
  return { eventsPerSec: n / s, mbPerSec: body.length / 1e6 / s, avgBytes: body.length / n };
}

async function ingest(): Promise<{ eventsPerSec: number; events: number }> {
  const stack = await startStack({ seed: 2, scenario: { devices: 200, gateways: 10 } });
  let batches = 0;
  const manager = new StreamManager({
    dataDir: mkdtempSync(path.join(os.tmpdir(), 'event-desk-bench-')),
    sink: { send: () => void batches++ },
    resolve: async () => ok({ urls: [stack.url], apiKey: stack.demoKey }),
  });
  const r = await manager.start({ workspaceId: 'b', profileId: 'p', entities: [...stack.scenario.devices.map((d) => ({ kind: 'device' as const, id: d.deviceId, application: d.appId })), ...stack.scenario.gateways.map((g) => ({ kind: 'gateway' as const, id: g.gatewayId }))], names: [] });
  if (!r.ok) throw new Error(r.error.message);
  while (manager.list()[0]?.state.kind !== 'open') await new Promise((res) => setTimeout(res, 10));
  // Full speed, paced by the client: publish a burst whenever the capture has caught up. The stream
  // covers every device and gateway, so nearly every event reaches it (organization/user registry
  // events do not: the 5 % slack).
  const startedAt = Date.now();
  let published = 0;
  while (Date.now() - startedAt < seconds * 1000) {
    const seen = manager.stats(r.value.streamId)?.events ?? 0;
    if (published - seen < 20_000 + published * 0.05) published += stack.emitFlows(200).length;
    await new Promise((res) => setImmediate(res));
  }
  const events = manager.stats(r.value.streamId)?.events ?? 0;
  const elapsed = (Date.now() - startedAt) / 1000;
  await manager.dispose();
  await stack.close();
  return { eventsPerSec: events / elapsed, events };
}

const f = floor();
const i = await ingest();
const results = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  floor: f,
  ingest: { ...i, seconds, ratioToFloor: i.eventsPerSec / f.eventsPerSec },
};
console.table({
  'floor (split + JSON.parse)': { 'events/s': Math.round(f.eventsPerSec), 'MB/s': f.mbPerSec.toFixed(1), 'ratio': '1.00' },
  'ingest (stack → capture → batches)': { 'events/s': Math.round(i.eventsPerSec), 'MB/s': ((i.eventsPerSec * f.avgBytes) / 1e6).toFixed(1), 'ratio': results.ingest.ratioToFloor.toFixed(2) },
});
writeFileSync(path.join('bench', 'results.json'), JSON.stringify(results, null, 2) + '\n');
console.log('wrote bench/results.json');
