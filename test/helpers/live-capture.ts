/**
 * A capture still being written by a live stream, for readers of stored lines: 500 events, then 100 more when the
 * reader has begun. Each event's FCnt is its number, so a reader can check it got every line whole and in order.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { CaptureIndex } from '../../src-main/core/capture/capture-index.js';
import type { TtsEvent } from '../../src-main/shared/tts/types.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');

const event = (n: number): TtsEvent => ({
  name: 'as.up.data.forward',
  time: new Date(T0 + n).toISOString(),
  identifiers: [{ device_ids: { device_id: 'dev1', application_ids: { application_id: 'app1' } } }],
  correlation_ids: [`as:up:${n}`],
  unique_id: `u${n}`,
  data: { uplink_message: { f_cnt: n, frm_payload: 'A'.repeat(400) } },
});

export async function liveCapture(): Promise<{ index: CaptureIndex; arrive: () => void }> {
  const index = new CaptureIndex({ dir: mkdtempSync(path.join(os.tmpdir(), 'event-desk-live-')), clock: () => T0 });
  await index.open('s1', 'w', 'stream');
  let next = 0;
  const append = (n: number) => {
    for (const to = next + n; next < to; next++) {
      const e = event(next);
      index.appendEvent('s1', JSON.stringify(e), e);
    }
  };
  append(500);
  // The stream's next batch, under the size that is written at once: the capture writes it on its timer (50 ms).
  return { index, arrive: () => append(100) };
}

/** The FCnt of each stored line, which must parse whole. */
export function countersOf(lines: readonly Uint8Array[]): number[] {
  return lines.map((line) => {
    const text = Buffer.from(line).toString('utf8');
    try {
      return (JSON.parse(text) as { data: { uplink_message: { f_cnt: number } } }).data.uplink_message.f_cnt;
    } catch (e) {
      throw new Error(`a cut line (${(e as Error).message}): …${text.slice(-60)}`, { cause: e });
    }
  });
}
