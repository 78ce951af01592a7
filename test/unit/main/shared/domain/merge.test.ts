import { describe, expect, it } from 'vitest';
import { mergeByTime } from '../../../../../src-main/shared/domain/merge.js';
import type { EventSummary } from '../../../../../src-main/shared/domain/summary.js';

const e = (id: number, ms: number): EventSummary => ({
  id,
  ms,
  streamId: 's',
  kind: 'event',
  time: '',
  name: 'n',
  entity: '',
  entityKind: '',
  preview: '',
  correlationIds: [],
});

describe('mergeByTime', () => {
  it('appends a newer batch as is', () => {
    expect(mergeByTime([e(1, 10), e(2, 20)], [e(3, 30)]).map((x) => x.id)).toEqual([1, 2, 3]);
  });
  it('slots late events from a slower server into place', () => {
    expect(mergeByTime([e(1, 10), e(2, 20), e(3, 40)], [e(5, 35), e(4, 15)]).map((x) => x.id)).toEqual([1, 4, 2, 5, 3]);
  });
  it('orders equal times by capture order, so the result is stable', () => {
    expect(mergeByTime([e(2, 10)], [e(1, 10), e(3, 10)]).map((x) => x.id)).toEqual([1, 2, 3]);
  });
  it('returns the same array for an empty batch', () => {
    const prev = [e(1, 1)];
    expect(mergeByTime(prev, [])).toBe(prev);
  });
});
