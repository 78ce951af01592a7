/**
 * What an export reads from a capture that is still being written: every line whole. A tester saw a JSON export
 * during live streaming fail once with "Unexpected end of JSON input".
 */
import { describe, expect, it } from 'vitest';
import { storedLines } from '../../../../../src-main/core/exchange/stored-lines.js';
import { countersOf, liveCapture } from '../../../../helpers/live-capture.js';

describe('storedLines while the stream goes on', () => {
  it('reads only lines already written: none cut, whatever arrives while it waits for the disk', async () => {
    const live = await liveCapture();
    const counters: number[] = [];
    try {
      const lines = storedLines(live.index, 'w', () => true);
      const first = lines.next();
      live.arrive();
      for (let r = await first; !r.done; r = await lines.next()) counters.push(...countersOf(r.value.lines));
    } finally {
      await live.index.dispose();
    }
    expect(counters.length).toBeGreaterThanOrEqual(500);
    expect(counters).toEqual(counters.map((_, i) => i));
  });
});
