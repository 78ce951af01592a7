import { describe, expect, it } from 'vitest';
import { isExportRequest, isPageRequest } from '../../../../../src-main/shared/ipc/validate.js';

/** An export asked after *Clear view* names where the view was cut; main takes only a well-formed place. */
describe('export requests since Clear view', () => {
  const base = {
    workspaceId: 'w1',
    workspaceName: 'Support',
    format: 'ndjson',
    displayUtc: true,
    redaction: {
      apiKeyIds: true,
      remoteIps: true,
      userAgents: true,
      payloads: false,
      locations: false,
      pseudonymize: false,
    },
  };

  it('takes the whole workspace or a filter, from a place in event order or not', () => {
    expect(isExportRequest({ ...base, scope: { kind: 'workspace' } })).toBe(true);
    expect(isExportRequest({ ...base, scope: { kind: 'workspace', after: { ms: 1_700_000_000_000, id: 42 } } })).toBe(
      true,
    );
    expect(isExportRequest({ ...base, scope: { kind: 'filter', query: 'as.up.*', after: { ms: 1, id: 0 } } })).toBe(
      true,
    );
  });

  it('refuses a place that is not one', () => {
    for (const after of [null, 5, { ms: 'soon', id: 1 }, { ms: 1, id: 1.5 }, { ms: 1, id: 1, extra: 'x' }, { ms: 1 }])
      expect(isExportRequest({ ...base, scope: { kind: 'workspace', after } })).toBe(false);
    expect(isExportRequest({ ...base, scope: { kind: 'filter', query: 'x', after: { ms: Infinity, id: 1 } } })).toBe(
      false,
    );
  });

  it('checks a page request\'s "before" the same way', () => {
    const page = { workspaceId: 'w1', query: '', limit: 10 };
    expect(isPageRequest({ ...page, before: { ms: 5, id: 3 } })).toBe(true);
    expect(isPageRequest({ ...page, before: { ms: 5 } })).toBe(false);
  });
});
