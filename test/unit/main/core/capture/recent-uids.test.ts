import { describe, expect, it } from 'vitest';
import { RecentUniqueIds } from '../../../../../src-main/core/capture/recent-uids.js';

describe('RecentUniqueIds', () => {
  it('knows an id per workspace, for two generations, and forgets older ones', () => {
    const r = new RecentUniqueIds(3);
    r.remember('w1', 'a', 1);
    expect(r.known('w1', 'a')).toBe(1);
    expect(r.known('w2', 'a')).toBeUndefined(); // another workspace's streams are other rows
    r.remember('w1', 'b', 2);
    r.remember('w1', 'c', 3); // the first generation is full: it becomes the previous one
    r.remember('w1', 'd', 4);
    expect([r.known('w1', 'a'), r.known('w1', 'd')]).toEqual([1, 4]);
    r.remember('w1', 'e', 5);
    r.remember('w1', 'f', 6); // the second is full too: a, b and c are forgotten
    expect([r.known('w1', 'a'), r.known('w1', 'c'), r.known('w1', 'd'), r.known('w1', 'f')]).toEqual([
      undefined,
      undefined,
      4,
      6,
    ]);
  });
});
