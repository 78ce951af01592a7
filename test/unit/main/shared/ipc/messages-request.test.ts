import { describe, expect, it } from 'vitest';
import { INVOKE_VALIDATORS } from '../../../../../src-main/shared/ipc/validate.js';

/** The messages view's window request comes from an untrusted renderer: main checks its shape (#17). */
describe('messages:watch arguments', () => {
  const ok = { workspaceId: 'w1', query: 'dir:up', newestFirst: true, start: 0, count: 60 };
  const check = (a: unknown[]) => INVOKE_VALIDATORS['messages:watch'](a);

  it('takes a window request, one with an expanded message, or null (stop)', () => {
    expect(check([ok])).toBe(true);
    expect(check([{ ...ok, expanded: 4294967296 }])).toBe(true);
    expect(check([{ ...ok, start: Number.MAX_SAFE_INTEGER }])).toBe(true);
    expect(check([null])).toBe(true);
  });

  it('refuses ranges too big or negative, unknown fields and wrong types', () => {
    expect(check([{ ...ok, count: 0 }])).toBe(false);
    expect(check([{ ...ok, count: 5000 }])).toBe(false);
    expect(check([{ ...ok, start: -1 }])).toBe(false);
    expect(check([{ ...ok, newestFirst: 'yes' }])).toBe(false);
    expect(check([{ ...ok, expanded: -3 }])).toBe(false);
    expect(check([{ ...ok, path: '/etc/passwd' }])).toBe(false);
    expect(check([{ ...ok, workspaceId: '' }])).toBe(false);
    expect(check([ok, ok])).toBe(false);
  });
});
