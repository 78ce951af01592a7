/**
 * The byte path of exports writes exactly the stored lines: as stored (pieces of the read windows,
 * merged across captures by time), as a JSON array, or through a line transform, with a line stored
 * without its newline given one, and status lines only in bundles.
 */
import os from 'node:os';
import path from 'node:path';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { CaptureIndex } from '../../../../../src-main/core/capture/capture-index.js';
import { ExportFile, writeLines, type LinePlan } from '../../../../../src-main/core/exchange/export-writer.js';
import type { ByteSink } from '../../../../../src-main/core/exchange/redact-line.js';
import { storedLines } from '../../../../../src-main/core/exchange/stored-lines.js';
import type { TtsEvent } from '../../../../../src-main/shared/tts/types.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const open: CaptureIndex[] = [];
afterEach(async () => {
  for (const i of open.splice(0)) await i.dispose();
});

const event = (n: number, stream: string): TtsEvent => ({
  name: 'as.up.data.forward',
  time: new Date(T0 + n * 10).toISOString(),
  identifiers: [{ device_ids: { device_id: `dev${n % 3}`, application_ids: { application_id: 'app1' } } }],
  correlation_ids: [`as:up:${stream}${n}`],
  unique_id: `${stream}-${n}`,
  // Lines of many sizes: each capture spans more than one 4 MB read window.
  data: { note: 'x'.repeat((n * 37) % 7000) },
});

async function twoCaptures(dir: string): Promise<CaptureIndex> {
  const index = new CaptureIndex({ dir });
  open.push(index);
  await index.open('s1', 'w', 'import');
  await index.open('s2', 'w', 'import');
  for (let n = 0; n < 3000; n++) {
    const e = event(n, n % 3 ? 's1' : 's2');
    index.appendEvent(n % 3 ? 's1' : 's2', JSON.stringify(e), e);
    if (n % 500 === 0) index.appendStatus('s1', { kind: 'reconnect', time: e.time, message: `back ${n}` });
  }
  await index.written();
  return index;
}

async function exportTo(index: CaptureIndex, plan: Partial<LinePlan> & Pick<LinePlan, 'format'>): Promise<string> {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'event-desk-writer-')), 'out');
  const out = await ExportFile.create(file);
  await writeLines((transient) => storedLines(index, 'w', () => true, transient), out, {
    slowLine: (line, status) => (status ? `status:${line.toString('utf8')}` : `slow:${line.toString('utf8')}`),
    cancelled: () => false,
    progress: () => undefined,
    ...plan,
  });
  await out.close();
  return readFileSync(file, 'utf8');
}

/** The stored lines of the workspace in export order, from the object path. */
async function expected(index: CaptureIndex): Promise<{ raw: string; status: boolean }[]> {
  const out: { raw: string; status: boolean }[] = [];
  for await (const { summary, raw } of index.entries('w', () => true))
    out.push({ raw, status: summary.kind === 'status' });
  return out;
}

/** NDJSON and a bundle as stored, a JSON array, and a bundle through a copying line transform: each as stored. */
async function expectEveryFormat(index: CaptureIndex, lines: { raw: string; status: boolean }[]): Promise<void> {
  const events = lines.filter((l) => !l.status).map((l) => l.raw);
  const bundle = lines.map((l) => `${l.status ? `status:${l.raw}` : l.raw}\n`).join('');
  expect(await exportTo(index, { format: 'ndjson' })).toBe(events.map((r) => `${r}\n`).join(''));
  expect(await exportTo(index, { format: 'bundle' })).toBe(bundle);
  expect(await exportTo(index, { format: 'json' })).toBe(events.join(',\n'));
  const copy = (line: Buffer, into: ByteSink) => (into.put(line, 0, line.length), true);
  expect(await exportTo(index, { format: 'bundle', redactLine: copy })).toBe(bundle);
}

describe('export writer', () => {
  it('writes NDJSON as stored, a bundle with its status lines, and a JSON array, merged across captures', async () => {
    const index = await twoCaptures(mkdtempSync(path.join(os.tmpdir(), 'event-desk-writer-')));
    const lines = await expected(index);
    expect(lines.filter((l) => l.status)).toHaveLength(6);
    await expectEveryFormat(index, lines);
    const events = lines.filter((l) => !l.status).map((l) => l.raw);
    // Through a line transform (the redactor's place), every event line goes through it once.
    const upper = await exportTo(index, {
      format: 'ndjson',
      redactLine: (line, into) => {
        const b = Buffer.from(line.toString('utf8').toUpperCase());
        into.put(b, 0, b.length);
        return true;
      },
    });
    expect(upper).toBe(events.map((r) => `${r.toUpperCase()}\n`).join(''));
  });

  it('writes one capture of several read windows the same way in every format (its windows are read into again)', async () => {
    const index = new CaptureIndex({ dir: mkdtempSync(path.join(os.tmpdir(), 'event-desk-writer-')) });
    open.push(index);
    await index.open('s1', 'w', 'import');
    // ~16 MB in one capture: four windows, so a copying writer's reader reads into its one buffer again.
    for (let n = 0; n < 4500; n++) {
      const e = event(n, 's1');
      index.appendEvent('s1', JSON.stringify(e), e);
      if (n % 1000 === 0) index.appendStatus('s1', { kind: 'reconnect', time: e.time, message: `back ${n}` });
    }
    await index.written();
    await expectEveryFormat(index, await expected(index));
  });

  it('gives a line stored without its newline (kept after a crash) one, and stops when cancelled', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-writer-'));
    const first = new CaptureIndex({ dir });
    await first.open('s1', 'w', 'import');
    for (let n = 0; n < 5; n++) first.appendEvent('s1', JSON.stringify(event(n, 's1')), event(n, 's1'));
    await first.dispose();
    const file = readdirSync(dir).find((f) => f.endsWith('.ndjson'))!;
    appendFileSync(path.join(dir, file), JSON.stringify(event(5, 's1')));
    const again = new CaptureIndex({ dir });
    open.push(again);
    for (const c of await again.catalog()) expect((await again.reopen(c)).ok).toBe(true);
    const text = await exportTo(again, { format: 'ndjson' });
    expect(text.split('\n')).toHaveLength(7);
    expect(text.endsWith(`${JSON.stringify(event(5, 's1'))}\n`)).toBe(true);
    expect(await exportTo(again, { format: 'ndjson', cancelled: () => true })).toBe('');
  });
});
