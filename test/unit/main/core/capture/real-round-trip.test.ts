/**
 * The index keeps an entry as columns and builds its summary again when a page, a chain or a push asks.
 * Every event of the real public data (test/fixtures/real) must come back as it was summarised: times with
 * their own digits, correlation IDs from packed ULIDs (and the texts kept for the next rows), gateways,
 * signal, frame fields and previews.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CaptureIndex } from '../../../../../src-main/core/capture/capture-index.js';
import type { EventSummary } from '../../../../../src-main/shared/domain/summary.js';
import type { TtsEvent } from '../../../../../src-main/shared/tts/types.js';

const REAL = 'test/fixtures/real';

describe('real events through the index', () => {
  it('gives back every real event as it was summarised, on every page read', async () => {
    const events = readdirSync(REAL)
      .filter((f) => f.endsWith('.json'))
      .flatMap((f) => (JSON.parse(readFileSync(path.join(REAL, f), 'utf8')) as { events: TtsEvent[] }).events);
    const index = new CaptureIndex({ dir: mkdtempSync(path.join(os.tmpdir(), 'event-desk-real-')) });
    try {
      await index.open('file', 'w', 'import');
      const appended = new Map<number, EventSummary>();
      for (const e of events) {
        const s = index.appendEvent('file', JSON.stringify(e), e)!;
        appended.set(s.id, structuredClone(s));
      }
      expect(appended.size).toBe(events.length);
      for (let read = 0; read < 2; read++) {
        const page = index.page({ workspaceId: 'w', query: '', limit: 10_000 });
        if (!page.ok) throw new Error(page.error.message);
        expect(page.value.entries).toHaveLength(events.length);
        for (const s of page.value.entries) expect(s).toStrictEqual(appended.get(s.id));
      }
    } finally {
      await index.dispose();
    }
  });
});
