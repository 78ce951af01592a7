/**
 * Child process of `npm run bench` (run with --expose-gc): builds captures of 100,000 and 1,000,000
 * realistic events through the real capture code and measures, in one clean process:
 *   3. memory per retained event (heap after GC, as a slope between the two sizes so the bounded
 *      cache and fixed costs cancel out), against the average event size on disk;
 *   5. filter queries over the 1,000,000 retained summaries (p50/p95);
 *   6. exports of all of it to NDJSON and to a redacted bundle (MB/s, peak resident memory).
 * Prints one JSON line with the results.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { Scenario } from '../src-main/core/stack/scenario.js';
import { CaptureIndex } from '../src-main/core/capture/capture-index.js';
import { ExportService } from '../src-main/core/services/export-service.js';
import { ScriptedDialogs } from '../src-main/core/services/dialogs.js';
import { compileQuery } from '../src-main/shared/query/query.js';
import { NO_REDACTION } from '../src-main/shared/export/redact.js';
import type { JobProgress } from '../src-main/shared/export/types.js';
import type { TtsEvent } from '../src-main/shared/tts/types.js';
import { err } from '../src-main/shared/result.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const heap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

const dir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-big-'));
const progress: JobProgress[] = [];
const index = new CaptureIndex({ dir: path.join(dir, 'captures') });
const baseHeap = heap();

const scenario = new Scenario({ devices: 1000, gateways: 50, applications: 5, seed: 8 }, () => Date.parse('2026-01-01T00:00:00Z'));
let t = Date.parse('2026-01-01T00:00:00Z');
const opened = await index.open('s1', 'big', 'import');
if (!opened.ok) throw new Error(opened.error.message);
const sink = { append: (raw: string, ev: TtsEvent) => index.appendEvent('s1', raw, ev), finish: () => index.written() };
let count = 0;
let bytes = 0;
async function fill(target: number): Promise<void> {
  while (count < target) {
    for (const e of scenario.nextFlow()) {
      // Spread events over time as a real capture would be.
      t += 3;
      const ev = JSON.parse(e.json) as TtsEvent;
      ev.time = new Date(t).toISOString();
      const raw = JSON.stringify(ev);
      sink.append(raw, ev);
      bytes += raw.length + 1;
      count++;
    }
    const wait = index.ready('s1'); // the capture's disk sets the pace, as it does for a stream
    if (wait) await wait;
  }
  await sink.finish();
}

await fill(100_000);
const heap100k = heap() - baseHeap;
const n100k = count;
await fill(1_000_000);
const heap1m = heap() - baseHeap;
const n1m = count;
const perEventSlope = (heap1m - heap100k) / (n1m - n100k);

// 5. Query over the retained entries (the index's columns through one moving view).
const retained = index.retained('big');
const queries = ['ns.up.*', 'device:eui-70b3d57ed0000123', 'gateway:demo-gateway-7 rssi<-100', '*.fail OR *.drop', '(as.up.* AND f_port:1) OR NOT app:demo-app', 'temperature'];
const timings: number[] = [];
const perQuery: Record<string, { ms: number; matches: number }> = {};
for (const q of queries) {
  const c = compileQuery(q);
  if (!c.ok) throw new Error(c.error.message);
  for (let run = 0; run < 5; run++) {
    const start = process.hrtime.bigint();
    let matches = 0;
    index.scan('big', () => void matches++, c.test);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    timings.push(ms);
    perQuery[q] = { ms, matches };
  }
}
timings.sort((a, b) => a - b);
const pct = (p: number) => timings[Math.min(timings.length - 1, Math.floor((p / 100) * timings.length))]!;

// 6. Export, sampling resident memory while it runs.
const dialogs = new ScriptedDialogs();
const exports = new ExportService({ index, streamsOf: () => [], chainIds: () => err('not-found', 'no chains in this benchmark'), dialogs, sink: { send: (c, p) => void (c === 'jobs:progress' && progress.push(p as JobProgress)) }, version: 'bench', profile: () => undefined });
async function runExport(format: 'ndjson' | 'bundle', redact: boolean): Promise<{ mbPerSec: number; seconds: number; bytes: number; peakRssMb: number; rssBeforeMb: number }> {
  const file = path.join(dir, `export-${format}.ndjson`);
  dialogs.saves.push(file);
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const start = Date.now();
  const r = await exports.start({ workspaceId: 'big', workspaceName: 'bench', scope: { kind: 'workspace' }, format, redaction: redact ? { apiKeyIds: true, remoteIps: true, userAgents: true, payloads: true, locations: true, pseudonymize: true } : NO_REDACTION, displayUtc: true });
  if (!r.ok || !r.value) throw new Error('export did not start');
  const jobId = r.value.jobId;
  while (!progress.some((p) => p.jobId === jobId && p.state !== 'running')) await new Promise((res) => setTimeout(res, 50));
  const seconds = (Date.now() - start) / 1000;
  clearInterval(sampler);
  const last = progress.filter((p) => p.jobId === jobId).pop()!;
  if (last.state !== 'done') throw new Error(last.message);
  const size = statSync(file).size;
  rmSync(file);
  return { mbPerSec: size / 1e6 / seconds, seconds, bytes: size, peakRssMb: peak / 1e6, rssBeforeMb: rssBefore / 1e6 };
}
const ndjson = await runExport('ndjson', false);
const bundle = await runExport('bundle', true);

console.log(JSON.stringify({
  memory: { events100k: n100k, heap100kMb: heap100k / 1e6, bytesPerEvent100k: heap100k / n100k, events1m: n1m, heap1mMb: heap1m / 1e6, bytesPerEvent1m: heap1m / n1m, slopeBytesPerEvent: perEventSlope, avgEventBytesOnDisk: bytes / count },
  query: { events: retained, p50Ms: pct(50), p95Ms: pct(95), perQuery },
  export: { events: count, ndjson, redactedBundle: bundle },
}));
await index.dispose();
rmSync(dir, { recursive: true, force: true });
