import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * Issue #14: the two former hubs stay small. The manager runs sessions that append to the index and the
 * renderer's app state routes nothing; once either grows past 200 lines it is taking on another owner's job
 * again (main had slipped to 212 lines without anyone noticing).
 */
const hubs = ['src-main/core/services/stream-manager.ts', 'src-renderer/lib/state/app-state.svelte.ts'];

describe('the former hubs', () => {
  it.each(hubs)('%s is under 200 lines', (path) => {
    const lines = readFileSync(path, 'utf8').replace(/\n$/, '').split('\n').length;
    expect(lines).toBeLessThan(200);
  });
});
