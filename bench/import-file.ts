/**
 * Child process of `npm run bench`: imports one NDJSON file (argv[2]) through the app's importer into a
 * fresh capture, sampling resident memory, and prints one JSON line: MB/s, peak RSS, progress reports.
 * The index is wired as the app wires it (`createPipeline`: live feed, chain watch), so whatever the app
 * pushes to the window while a file is read is paid for here too.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createPipeline } from '../src-main/core/pipeline.js';
import { err } from '../src-main/shared/result.js';
import { ImportService } from '../src-main/core/exchange/import-service.js';
import { ScriptedDialogs } from '../src-main/core/services/dialogs.js';

const file = process.argv[2]!;
const dir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-import-bench-'));
let progressReports = 0;
let pushed = 0;
const sink = {
  send: (c: string, p: unknown) => {
    if (c === 'jobs:progress') progressReports++;
    if (c === 'events:batch') pushed += (p as { summaries: unknown[] }).summaries.length;
  },
};
const pipeline = createPipeline({ dataDir: dir, sink, resolve: async () => err('not-found', 'no servers') });
const index = pipeline.index;
const imports = new ImportService({ index, dialogs: new ScriptedDialogs(), sink });
// How often, and how long, reading waited for the capture's disk (the bench runs it after writing gigabytes).
let diskWaits = 0;
let diskWaitMs = 0;
const ready = index.ready.bind(index);
index.ready = (streamId) => {
  const wait = ready(streamId);
  if (!wait) return wait;
  diskWaits++;
  const t = Date.now();
  return wait.then(() => void (diskWaitMs += Date.now() - t));
};
const rssBefore = process.memoryUsage().rss;
let peak = rssBefore;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
const start = Date.now();
const r = await imports.importFile('w', file);
// The tab then shows the file's newest entries: the first page it asks main for counts as opening the file
// (older pages follow in the background, as the view is scrolled).
const pageStart = Date.now();
const page = index.page({ workspaceId: 'w', query: '', limit: 2_000 });
if (!page.ok || page.value.entries.length === 0) throw new Error('no first page');
const firstPageMs = Date.now() - pageStart;
const seconds = (Date.now() - start) / 1000;
clearInterval(sampler);
if (!r.ok) throw new Error(r.error.message);
const size = statSync(file).size;
console.log(
  JSON.stringify({
    bytes: size,
    events: r.value.events,
    seconds,
    mbPerSec: size / 1e6 / seconds,
    peakRssMb: peak / 1e6,
    rssBeforeMb: rssBefore / 1e6,
    progressReports,
    pushedEntries: pushed,
    firstPageMs,
    diskWaits,
    diskWaitMs,
  }),
);
await pipeline.dispose();
rmSync(dir, { recursive: true, force: true });
