import { describe, expect, it } from 'vitest';
import { summarizeFailures } from '../../../../src-renderer/lib/logic/failure-summary.js';

const STREAMS = ['saved stream', 'saved streams'] as const;

describe('summarizeFailures (#13: 5,000 failing streams made a 464,543-character alert)', () => {
  it('5,000 failures with a long reason give one short, readable alert', () => {
    const why = `The server had a problem (HTTP 500); trying again. ${'x'.repeat(60)}`;
    const failures = Array.from({ length: 5000 }, (_, i) => ({
      who: `Workspace ${i + 1}`,
      why: i % 1000 === 0 ? 'The API key is not allowed to stream these entities.' : why,
    }));
    const text = summarizeFailures(STREAMS, 'could not start again', failures);
    expect(text.length).toBeLessThanOrEqual(600);
    expect(text).toMatch(/^5,000 saved streams could not start again: The server had a problem/);
    expect(text).toContain('(Workspace 2, Workspace 3, Workspace 4 and 4,992 more)');
    expect(text).toContain(
      'The API key is not allowed to stream these entities. (Workspace 1, Workspace 1001, Workspace 2001 and 2 more)',
    );
  });

  it('a few failures are listed as they are', () => {
    expect(summarizeFailures(STREAMS, 'could not start again', [{ who: 'Support', why: 'No key set.' }])).toBe(
      '1 saved stream could not start again: No key set. (Support).',
    );
    expect(summarizeFailures(STREAMS, 'could not start again', [])).toBe('');
  });

  it('many distinct reasons are counted, not listed', () => {
    const failures = Array.from({ length: 50 }, (_, i) => ({ who: `w${i}`, why: `reason ${i}` }));
    expect(summarizeFailures(STREAMS, 'could not start again', failures)).toMatch(/; and 47 other reasons\.$/);
  });
});
