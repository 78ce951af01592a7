import { describe, expect, it } from 'vitest';
import { windowOf, withWindow, withoutWindow } from '../../../../src-renderer/lib/state/network.svelte.js';
import { compileQuery } from '../../../../src-main/shared/query/query.js';

const A = Date.parse('2026-03-01T10:00:00Z');
const B = Date.parse('2026-03-01T10:05:00Z');

describe('the overview window as filter terms', () => {
  it('adds, replaces and removes the window, keeping what the user typed', () => {
    const f = withWindow('device:dev1', A, B);
    expect(f).toBe('device:dev1 time>=2026-03-01T10:00:00.000Z time<2026-03-01T10:05:00.000Z');
    expect(windowOf(f)).toEqual({ fromMs: A, toMs: B });
    expect(windowOf(withWindow(f, A + 1000, B))).toEqual({ fromMs: A + 1000, toMs: B });
    expect(withoutWindow(f)).toBe('device:dev1');
  });

  it('puts a filter with OR in parentheses so the window applies to all of it, and takes them off again', () => {
    const f = withWindow('a.b OR c.d', A, B);
    expect(f.startsWith('(a.b OR c.d) time>=')).toBe(true);
    const q = compileQuery(f);
    expect(q.ok).toBe(true);
    expect(withoutWindow(f)).toBe('a.b OR c.d');
    // A user's own parentheses without a window are left alone.
    expect(withoutWindow('(a.b OR c.d)')).toBe('(a.b OR c.d)');
  });
});
