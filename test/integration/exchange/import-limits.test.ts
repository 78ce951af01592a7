/**
 * Imports (#13, failure 8): a byte order mark is not part of the first event, Open… and drop share one
 * size limit, and an imported capture keeps to the retention limit like a stream.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, openSync, closeSync, ftruncateSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptureIndex } from '../../../src-main/core/capture/capture-index.js';
import { ImportService, MAX_IMPORT_BYTES } from '../../../src-main/core/exchange/import-service.js';
import { ScriptedDialogs } from '../../../src-main/core/services/dialogs.js';
import { RecordingSink } from '../../helpers/recording-sink.js';
import { entriesOf, rawOfStream } from '../../helpers/index-entries.js';

const event = (n: number) => ({
  name: 'as.up.data.forward',
  time: new Date(Date.UTC(2026, 0, 1) + n).toISOString(),
  identifiers: [{ device_ids: { device_id: 'dev1', application_ids: { application_id: 'app1' } } }],
  correlation_ids: [`as:up:${n}`],
  unique_id: `u${n}`,
});

describe('importing files', () => {
  let dir: string;
  let index: CaptureIndex;
  let imports: ImportService;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-import-'));
    index = new CaptureIndex({ dir: path.join(dir, 'captures') });
    imports = new ImportService({ index, dialogs: new ScriptedDialogs(), sink: new RecordingSink() });
  });
  afterAll(() => index.dispose());

  it('reads NDJSON that starts with a byte order mark from its first event', async () => {
    const file = path.join(dir, 'bom.ndjson');
    writeFileSync(file, '\uFEFF' + [0, 1, 2].map((n) => JSON.stringify(event(n))).join('\n') + '\n');
    const r = await imports.importFile('w1', file);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value).toMatchObject({ events: 3, skippedCount: 0, format: 'NDJSON' });
    expect(entriesOf(index, 'w1').map((s) => s.time)).toEqual([0, 1, 2].map((n) => event(n).time));
  });

  it('reads a Console export (a JSON array) with a byte order mark without bogus skipped lines, opened or dropped', async () => {
    const text = '\uFEFF' + JSON.stringify([event(5), event(6)], null, 2);
    const file = path.join(dir, 'console.json');
    writeFileSync(file, text);
    const opened = await imports.importFile('w2', file);
    expect(opened.ok && opened.value).toMatchObject({ events: 2, skippedCount: 0, format: 'JSON array' });
    const id = await imports.begin('w3', 'console.json', Buffer.byteLength(text));
    if (!id.ok) throw new Error(id.error.message);
    await imports.chunk(id.value, text.slice(0, 7));
    await imports.chunk(id.value, text.slice(7));
    const dropped = await imports.end(id.value);
    expect(dropped.ok && dropped.value).toMatchObject({ events: 2, skippedCount: 0 });
  });

  it('applies one size limit to Open… and to a dropped file', async () => {
    const big = path.join(dir, 'huge.ndjson');
    const fd = openSync(big, 'w');
    ftruncateSync(fd, MAX_IMPORT_BYTES + 1); // sparse: no disk used
    closeSync(fd);
    const opened = await imports.importFile('w4', big);
    const dropped = await imports.begin('w5', 'huge.ndjson', MAX_IMPORT_BYTES + 1);
    expect(!opened.ok && opened.error.message).toMatch(/larger than 4 GB/);
    expect(!dropped.ok && dropped.error.message).toMatch(/larger than 4 GB/);
    expect((await imports.begin('w5', 'ok.ndjson', MAX_IMPORT_BYTES)).ok).toBe(true);
  });

  it('keeps an imported capture within the retention limit, and says what went', async () => {
    index.retention = { maxEvents: 2_000, maxBytes: 1024 ** 3 };
    const file = path.join(dir, 'many.ndjson');
    writeFileSync(file, Array.from({ length: 12_000 }, (_, n) => JSON.stringify(event(n))).join('\n'));
    const r = await imports.importFile('w6', file);
    expect(r.ok && r.value.events).toBe(12_000);
    await new Promise((res) => setTimeout(res, 50));
    const kept = entriesOf(index, 'w6');
    const events = kept.filter((s) => s.kind === 'event');
    expect(events.length).toBeGreaterThanOrEqual(2_000);
    expect(events.length).toBeLessThan(6_000);
    expect(events.at(-1)!.time).toBe(event(11_999).time);
    expect(kept.some((s) => s.name === 'event-desk.retention')).toBe(true);
  });

  it('copies every line of a file read in several chunks byte for byte, lines across chunk ends included', async () => {
    index.retention = { maxEvents: 1_000_000, maxBytes: 1024 ** 3 };
    // ~3.6 MB: four 1 MB reads, so both read buffers are read into again while the file is being imported.
    const lines = Array.from({ length: 6_000 }, (_, n) =>
      JSON.stringify({ ...event(n), data: { note: `ünïcödé ✓ ${'x'.repeat(n % 997)}`, n } }),
    );
    const file = path.join(dir, 'chunks.ndjson');
    writeFileSync(file, lines.map((l, n) => (n % 5 === 0 ? `${l}\r\n` : `${l}\n`)).join(''));
    const r = await imports.importFile('w7', file);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value).toMatchObject({ events: 6_000, skippedCount: 0 });
    const streamId = entriesOf(index, 'w7')[0]!.streamId;
    const stored = await rawOfStream(index, 'w7', streamId);
    expect(stored.map((e) => e.raw)).toEqual(lines);
    expect(stored.map((e) => e.summary.time)).toEqual(lines.map((_, n) => event(n).time));
  });

  it('calls a file of one event per line NDJSON when its first line is longer than a read (a 3 MB event)', async () => {
    // The file is read 1 MB at a time: the first event (a long decoded payload) spans three reads.
    const lines = [
      JSON.stringify({ ...event(0), data: { decoded_payload: { blob: 'A'.repeat(3 * 1024 * 1024) } } }),
      JSON.stringify(event(1)),
      JSON.stringify(event(2)),
    ];
    const file = path.join(dir, 'long-first.ndjson');
    writeFileSync(file, lines.join('\n') + '\n');
    const r = await imports.importFile('w8', file);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value).toMatchObject({ events: 3, skippedCount: 0, format: 'NDJSON' });
    // Read as lines, each is kept as the file has it.
    const stored = await rawOfStream(index, 'w8', entriesOf(index, 'w8')[0]!.streamId);
    expect(stored.map((e) => e.raw)).toEqual(lines);
  });
});
