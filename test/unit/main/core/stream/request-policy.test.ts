import { describe, expect, it } from 'vitest';
import { planRequest, SERVER_BUFFER_MAX } from '../../../../../src-main/core/stream/request-policy.js';

const ids = [{ application_ids: { application_id: 'app1' } }];
const NOW = Date.parse('2026-03-01T12:00:00Z');

describe('what each request of a stream asks the server for', () => {
  it('asks for the largest server buffer and no history on a first request without tail or after', () => {
    const { request, keepHistory } = planRequest({ identifiers: ids, names: ['as.up.data.forward'] }, undefined, NOW);
    expect(request).toEqual({
      identifiers: ids,
      names: ['as.up.data.forward'],
      tail: SERVER_BUFFER_MAX,
      after: '2026-03-01T12:00:00.000Z',
    });
    expect(SERVER_BUFFER_MAX).toBe(1024);
    expect(keepHistory).toBeUndefined();
  });

  it('resumes with tail 1024 and after = last event minus the overlap, whatever the user asked first', () => {
    const { request } = planRequest(
      { identifiers: ids, tail: 20, after: '2026-01-01T00:00:00Z' },
      NOW,
      NOW + 60_000,
      1000,
    );
    expect(request).toEqual({ identifiers: ids, tail: 1024, after: '2026-03-01T11:59:59.000Z' });
  });

  it("keeps the user's own after, with the full buffer", () => {
    expect(planRequest({ identifiers: ids, after: '2026-02-28T00:00:00Z' }, undefined, NOW).request).toEqual({
      identifiers: ids,
      tail: 1024,
      after: '2026-02-28T00:00:00Z',
    });
  });

  it("keeps the meaning of the user's small tail: asks for 1024, keeps the newest N", () => {
    const plan = planRequest({ identifiers: ids, tail: 20 }, undefined, NOW);
    expect(plan.request).toEqual({ identifiers: ids, tail: 1024 });
    expect(plan.keepHistory).toBe(20);
  });

  it('sends a tail of 1024 or more as asked', () => {
    const plan = planRequest({ identifiers: ids, tail: 5000 }, undefined, NOW);
    expect(plan.request).toEqual({ identifiers: ids, tail: 5000 });
    expect(plan.keepHistory).toBeUndefined();
  });
});
