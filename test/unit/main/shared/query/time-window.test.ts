import { describe, expect, it } from 'vitest';
import { compileQuery } from '../../../../../src-main/shared/query/query.js';
import type { EventSummary } from '../../../../../src-main/shared/domain/summary.js';

const at = (iso: string): EventSummary => ({
  id: 1,
  streamId: 's',
  kind: 'event',
  ms: Date.parse(iso),
  time: iso,
  name: 'as.up.data.forward',
  entity: 'dev1',
  entityKind: 'device',
  preview: '',
  correlationIds: [],
});

describe('time window in the filter', () => {
  it('keeps the events inside time>=A time<B (what a selection on the overview writes)', () => {
    const q = compileQuery('time>=2026-03-01T10:00:00Z time<2026-03-01T10:05:00.000Z');
    if (!q.ok) throw new Error(q.error.message);
    expect(q.test(at('2026-03-01T09:59:59.999Z'))).toBe(false);
    expect(q.test(at('2026-03-01T10:00:00.000Z'))).toBe(true);
    expect(q.test(at('2026-03-01T10:04:59.999Z'))).toBe(true);
    expect(q.test(at('2026-03-01T10:05:00.000Z'))).toBe(false);
  });

  it('takes epoch milliseconds, and explains a value that is not a time', () => {
    const q = compileQuery(`time>${Date.parse('2026-03-01T10:00:00Z')}`);
    expect(q.ok && q.test(at('2026-03-01T10:00:01Z'))).toBe(true);
    const bad = compileQuery('time>=yesterday');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.message).toMatch(/date-time/);
  });
});
