import { describe, expect, it } from 'vitest';
import { deleteProfileQuestion } from '../../../../src-renderer/lib/logic/delete-profile';
import type { StreamInfo, StreamState } from '../../../../src-main/shared/domain/stream.js';

const stream = (
  workspaceId: string,
  state: StreamState = { kind: 'open', since: 0 },
  more: Partial<StreamInfo> = {},
): StreamInfo => ({
  streamId: `${workspaceId}-${Math.random()}`,
  spec: { workspaceId, profileId: 'p1', entities: [{ kind: 'application', id: 'app1' }], names: [] },
  state,
  ...more,
});
const names: Record<string, string> = { w1: 'Workspace 1', w2: 'Field test' };
const profile = { id: 'p1', name: 'Unreachable' };

describe('the question Delete asks about a profile', () => {
  it('asks only about the profile and its key when no running stream uses it', () => {
    const stopped = stream('w1', { kind: 'stopped', reason: 'Stopped by you.' });
    const file = stream('w1', { kind: 'open', since: 0 }, { source: 'a.ndjson' });
    expect(deleteProfileQuestion(profile, [stopped, file], (id) => names[id])).toBe(
      'Delete "Unreachable" and its key?',
    );
  });

  it('names the one stream that uses it, its workspace, and that it will be stopped', () => {
    const retrying = stream('w1', {
      kind: 'retrying',
      attempt: 3,
      retryAt: 0,
      lastError: { code: 'network', message: 'refused' },
    });
    expect(deleteProfileQuestion(profile, [retrying], (id) => names[id])).toBe(
      'Delete "Unreachable" and its key?\n\n1 stream uses it (in "Workspace 1"): it will be stopped. Its captured events stay.',
    );
  });

  it('counts streams per workspace when several use it', () => {
    const q = deleteProfileQuestion(profile, [stream('w1'), stream('w2'), stream('w2')], (id) => names[id]);
    expect(q).toContain('3 streams use it (in 1 in "Workspace 1", 2 in "Field test"): they will be stopped.');
  });
});
