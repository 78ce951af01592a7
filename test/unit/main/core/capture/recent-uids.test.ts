import { describe, expect, it } from 'vitest';
import { RecentUniqueIds } from '../../../../../src-main/core/capture/recent-uids.js';

/** An event's time text at `ms` past a second, with nanosecond digits as TTS writes them. */
const t = (ms: number) => new Date(Date.parse('2026-01-01T00:00:00Z') + ms).toISOString().replace('Z', '123456Z');

describe('RecentUniqueIds', () => {
  it('knows an id per workspace, for two generations, and forgets older ones', () => {
    const r = new RecentUniqueIds(3);
    // Each looked up as another stream would (s2): always by its id.
    const known = (ws: string, uid: string) => r.known(ws, uid, 's2', t(100));
    r.remember('w1', 'a', 1, 's1', t(1));
    expect(known('w1', 'a')).toBe(1);
    expect(known('w2', 'a')).toBeUndefined(); // another workspace's streams are other rows
    r.remember('w1', 'b', 2, 's1', t(2));
    r.remember('w1', 'c', 3, 's1', t(3)); // the first generation is full: it becomes the previous one
    r.remember('w1', 'd', 4, 's1', t(4));
    expect([known('w1', 'a'), known('w1', 'd')]).toEqual([1, 4]);
    r.remember('w1', 'e', 5, 's1', t(5));
    r.remember('w1', 'f', 6, 's1', t(6)); // the second is full too: a, b and c are forgotten
    expect([known('w1', 'a'), known('w1', 'c'), known('w1', 'd'), known('w1', 'f')]).toEqual([
      undefined,
      undefined,
      4,
      6,
    ]);
  });

  it("finds a stream's own event again at its time, and takes a newer one as new while one stream delivers", () => {
    const r = new RecentUniqueIds();
    r.remember('w', 'a', 1, 's1', t(1000));
    r.remember('w', 'b', 2, 's1', t(2000));
    // The same event again has the same time text: looked up, found.
    expect(r.known('w', 'a', 's1', t(1000))).toBe(1);
    expect(r.known('w', 'b', 's1', t(2000))).toBe(2);
    // An id the stream resends with a newer time is a different event (TTS times an event once): not looked up.
    expect(r.known('w', 'a', 's1', t(2001))).toBeUndefined();
    // Within one millisecond too: many events share it at full speed, their nanosecond digits grow.
    expect(r.known('w', 'a', 's1', t(2000).replace('123456Z', '123457Z'))).toBeUndefined();
    // Another stream's events are always looked up, newer or not ...
    expect(r.known('w', 'b', 's2', t(5000))).toBe(2);
    // ... and once a second stream delivered one, every stream's are.
    r.remember('w', 'c', 3, 's2', t(3000));
    expect(r.known('w', 'b', 's1', t(9000))).toBe(2);
  });
});
