/**
 * Child process of `npm run bench`: imports one NDJSON file (argv[2]) through the app's importer into a
 * fresh capture, sampling resident memory, and prints one JSON line: MB/s, peak RSS, progress reports.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { CaptureIndex } from '../src-main/core/capture/capture-index.js';
import { ImportService } from '../src-main/core/exchange/import-service.js';
import { ScriptedDialogs } from '../src-main/core/services/dialogs.js';

const file = process.argv[2]!;
const dir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-import-bench-'));
const index = new CaptureIndex({ dir: path.join(dir, 'captures') });
let progressReports = 0;
const imports = new ImportService({
  index,
  dialogs: new ScriptedDialogs(),
  sink: { send: (c) => void (c === 'jobs:progress' && progressReports++) },
});
const rssBefore = process.memoryUsage().rss;
let peak = rssBefore;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
const start = Date.now();
const r = await imports.importFile('w', file);
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
  }),
);
await index.dispose();
rmSync(dir, { recursive: true, force: true });
