/**
 * Child process of `npm run bench` (run with --expose-gc): builds one capture of N1 (default 1,000,000)
 * and then N2 (default 5,000,000) realistic events through the real capture index and measures, in one
 * clean process (the #14 table):
 *   3. index memory per retained event: heap + array buffers after GC, as the slope N1 → N2 (fixed costs
 *      cancel out), and resident memory with N2 retained;
 *   5. the six filter queries over N1 and N2 (every row, p50/p95) and a page of 1,000 (p95);
 *   8. the correlation chain of an event over N1 (p95);
 *   6. exports over N1 to NDJSON and to a redacted bundle (MB/s, peak resident memory);
 *   9. a 500 MB NDJSON file for the import benchmark (bench/import-file.ts), cut from the capture.
 * Prints one JSON line with the results.
 */
import os from 'node:os';
import path from 'node:path';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { CaptureIndex } from '../src-main/core/capture/capture-index.js';
import { ChainService } from '../src-main/core/correlation/chain-service.js';
import { ExportService } from '../src-main/core/exchange/export-service.js';
import { ScriptedDialogs } from '../src-main/core/services/dialogs.js';
import { FULL_REDACTION, NO_REDACTION } from '../src-main/shared/export/redact.js';
import type { JobProgress } from '../src-main/shared/export/types.js';
import { err } from '../src-main/shared/result.js';
import { BIG_QUERIES as queries, bigFiller } from './big-fill.js';

const N1 = Number(process.env.BENCH_BIG_N1 ?? 1_000_000);
const N2 = Number(process.env.BENCH_BIG_N2 ?? 5_000_000);
const IMPORT_BYTES = Number(process.env.BENCH_IMPORT_MB ?? 500) * 1e6;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
/** What the index holds in memory: the JS heap and the typed arrays' buffers. */
const heap = () => {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const log = (m: string) => console.error(`[big] ${m}`);

const dir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-big-'));
const progress: JobProgress[] = [];
const index = new CaptureIndex({ dir: path.join(dir, 'captures') });
index.retention = { maxEvents: N2 * 2, maxBytes: 1e13 };
const baseHeap = heap();

const filler = await bigFiller(index);
const fill = (target: number) => filler.fill(target, (n) => log(`${n.toLocaleString('en')} events`));

const pct = (list: number[], p: number) =>
  [...list].sort((a, b) => a - b)[Math.min(list.length - 1, Math.floor((p / 100) * list.length))]!;
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

function queryTimes(runs = 3): {
  p50Ms: number;
  p95Ms: number;
  pageP95Ms: number;
  perQuery: Record<string, { ms: number; matches: number }>;
} {
  const timings: number[] = [];
  const pages: number[] = [];
  const perQuery: Record<string, { ms: number; matches: number }> = {};
  for (const q of queries) {
    // The index's own query path (on its columns), as a page or an export of "current filter" runs it.
    const c = index.query(q);
    if (!c.ok) throw new Error(c.error.message);
    for (let run = 0; run < runs; run++) {
      const start = process.hrtime.bigint();
      let matches = 0;
      index.scan('big', () => void matches++, c.value);
      timings.push(ms(start));
      perQuery[q] = { ms: ms(start), matches };
      const p = process.hrtime.bigint();
      index.page({ workspaceId: 'big', query: q, limit: 1000 });
      pages.push(ms(p));
    }
  }
  return { p50Ms: pct(timings, 50), p95Ms: pct(timings, 95), pageP95Ms: pct(pages, 95), perQuery };
}

log(`filling ${N1.toLocaleString('en')}…`);
const fillStart = Date.now();
await fill(N1);
const fillSeconds = (Date.now() - fillStart) / 1000;
const heapN1 = heap() - baseHeap;
const nN1 = filler.count;
const queryN1 = queryTimes();

// 8. Chains of uplinks spread over the capture, from the postings.
const chains = new ChainService({
  index,
  resolve: async () => err('not-found', 'no servers'),
  profileOf: () => undefined,
});
// Only the ids are kept: the page's summaries must not count as index memory at N2.
const upIds = (() => {
  const ups = index.page({ workspaceId: 'big', query: 'as.up.data.forward', limit: 100_000 });
  if (!ups.ok) throw new Error(ups.error.message);
  const e = ups.value.entries;
  return Array.from({ length: 200 }, (_, i) => e[Math.floor((i * e.length) / 200)]!.id);
})();
const chainTimes: number[] = [];
let chainSteps = 0;
for (const id of upIds) {
  const up = { id };
  const start = process.hrtime.bigint();
  const c = chains.chain(up.id);
  chainTimes.push(ms(start));
  if (c.ok) chainSteps += c.value.steps.length;
}

// 6. Export, sampling resident memory while it runs.
const dialogs = new ScriptedDialogs();
const exports = new ExportService({
  index,
  streamsOf: () => [],
  chainIds: () => err('not-found', 'no chains in this benchmark'),
  dialogs,
  sink: { send: (c, p) => void (c === 'jobs:progress' && progress.push(p as JobProgress)) },
  version: 'bench',
  profile: () => undefined,
});
async function runExport(
  format: 'ndjson' | 'bundle',
  redact: boolean,
): Promise<{ mbPerSec: number; seconds: number; bytes: number; peakRssMb: number; rssBeforeMb: number }> {
  const file = path.join(dir, `export-${format}.ndjson`);
  dialogs.saves.push(file);
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const start = Date.now();
  const r = await exports.start({
    workspaceId: 'big',
    workspaceName: 'bench',
    scope: { kind: 'workspace' },
    format,
    redaction: redact ? FULL_REDACTION : NO_REDACTION,
    displayUtc: true,
  });
  if (!r.ok || !r.value) throw new Error('export did not start');
  const jobId = r.value.jobId;
  while (!progress.some((p) => p.jobId === jobId && p.state !== 'running'))
    await new Promise((res) => setTimeout(res, 50));
  const seconds = (Date.now() - start) / 1000;
  clearInterval(sampler);
  const last = progress.filter((p) => p.jobId === jobId).pop()!;
  if (last.state !== 'done') throw new Error(last.message);
  const size = statSync(file).size;
  rmSync(file);
  return { mbPerSec: size / 1e6 / seconds, seconds, bytes: size, peakRssMb: peak / 1e6, rssBeforeMb: rssBefore / 1e6 };
}
log('exports…');
const ndjson = await runExport('ndjson', false);
const bundle = await runExport('bundle', true);

// 9. The import benchmark's input: the first IMPORT_BYTES of the capture, cut at a line end.
const importFile = path.join(os.tmpdir(), `event-desk-import-${process.pid}.ndjson`);
{
  const src = openSync(index.segmentsOf('big')[0]!.file!.path, 'r');
  const out = openSync(importFile, 'w');
  const buf = Buffer.allocUnsafe(4 * 1024 * 1024);
  let copied = 0;
  for (;;) {
    const n = readSync(src, buf, 0, buf.length, copied);
    if (n === 0) break;
    const end = copied + n >= IMPORT_BYTES ? buf.lastIndexOf(10, n - 1) + 1 : n;
    writeSync(out, buf, 0, end);
    copied += end;
    if (end < n || copied >= IMPORT_BYTES) break;
  }
  closeSync(src);
  closeSync(out);
}

log(`filling ${N2.toLocaleString('en')}…`);
await fill(N2);
const heapN2 = heap() - baseHeap;
const nN2 = filler.count;
const rssN2 = process.memoryUsage().rss;
const queryN2 = queryTimes(1);

console.log(
  JSON.stringify({
    memory: {
      eventsN1: nN1,
      heapN1Mb: heapN1 / 1e6,
      bytesPerEventN1: heapN1 / nN1,
      eventsN2: nN2,
      heapN2Mb: heapN2 / 1e6,
      bytesPerEventN2: heapN2 / nN2,
      slopeBytesPerEvent: (heapN2 - heapN1) / (nN2 - nN1),
      rssN2Mb: rssN2 / 1e6,
      avgEventBytesOnDisk: filler.bytes / filler.count,
      columnBytesPerEvent: index.columnBytes / filler.count,
      fillEventsPerSec: nN1 / fillSeconds,
    },
    query: { events: nN1, ...queryN1 },
    queryN2: { events: nN2, ...queryN2 },
    chain: {
      events: nN1,
      p50Ms: pct(chainTimes, 50),
      p95Ms: pct(chainTimes, 95),
      avgSteps: chainSteps / chainTimes.length,
    },
    export: { events: nN1, ndjson, redactedBundle: bundle },
    importFile,
  }),
);
await index.dispose();
rmSync(dir, { recursive: true, force: true });
