/** The index's stored lines (samples of an export, panels) from a capture that is still being written. */
import { describe, expect, it } from 'vitest';
import { countersOf, liveCapture } from '../../../../helpers/live-capture.js';

describe('index.lines while the stream goes on', () => {
  it('reads only lines already written: none cut, whatever arrives while it waits for the disk', async () => {
    const live = await liveCapture();
    const counters: number[] = [];
    try {
      const lines = live.index.lines('w', () => true);
      const first = lines.next();
      live.arrive();
      for (let r = await first; !r.done; r = await lines.next())
        counters.push(...countersOf([r.value.line.subarray(0, -1)]));
    } finally {
      await live.index.dispose();
    }
    expect(counters.length).toBeGreaterThanOrEqual(500);
    expect(counters).toEqual(counters.map((_, i) => i));
  });
});
