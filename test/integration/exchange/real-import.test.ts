/**
 * The real public data (test/fixtures/real) opened as a file and reopened after a restart: both read the file in
 * 1 MB chunks of two reused buffers, so lines cross chunk ends and a buffer is read into again mid-file. Every
 * event must come back summarised as it was read, and its line byte for byte.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CaptureIndex } from '../../../src-main/core/capture/capture-index.js';
import { ImportService } from '../../../src-main/core/exchange/import-service.js';
import { ScriptedDialogs } from '../../../src-main/core/services/dialogs.js';
import { summarizeEvent } from '../../../src-main/shared/domain/summary.js';
import type { TtsEvent } from '../../../src-main/shared/tts/types.js';
import { RecordingSink } from '../../helpers/recording-sink.js';
import { rawOfStream } from '../../helpers/index-entries.js';

const REAL = 'test/fixtures/real';

describe('real events opened from a file', () => {
  it('opens them from a 4 MB NDJSON file and reopens the capture after a restart, each event as it was', async () => {
    const real = readdirSync(REAL)
      .filter((f) => f.endsWith('.json'))
      .flatMap((f) => (JSON.parse(readFileSync(path.join(REAL, f), 'utf8')) as { events: TtsEvent[] }).events);
    // 40 copies of the 112 events (~4.3 MB), every third line ending in CRLF.
    const events = Array.from({ length: 40 }, () => real).flat();
    const lines = events.map((e) => JSON.stringify(e));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-real-import-'));
    const file = path.join(dir, 'real.ndjson');
    writeFileSync(file, lines.map((l, n) => (n % 3 === 0 ? `${l}\r\n` : `${l}\n`)).join(''));

    const expectEvents = (stored: Awaited<ReturnType<typeof rawOfStream>>) => {
      expect(stored.map((e) => e.raw)).toEqual(lines);
      stored.forEach(({ summary }, n) =>
        expect(summary).toStrictEqual(summarizeEvent(events[n]!, summary.id, summary.streamId)),
      );
    };

    const captures = path.join(dir, 'captures');
    const first = new CaptureIndex({ dir: captures });
    const imports = new ImportService({ index: first, dialogs: new ScriptedDialogs(), sink: new RecordingSink() });
    const r = await imports.importFile('w', file);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value).toMatchObject({ events: events.length, skippedCount: 0, format: 'NDJSON' });
    expectEvents(await rawOfStream(first, 'w', r.value.streamId));
    await first.dispose();

    const again = new CaptureIndex({ dir: captures });
    try {
      for (const c of await again.catalog()) expect((await again.reopen(c)).ok).toBe(true);
      expectEvents(await rawOfStream(again, 'w', r.value.streamId));
    } finally {
      await again.dispose();
    }
  });
});
