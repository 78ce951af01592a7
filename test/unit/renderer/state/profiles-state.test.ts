/**
 * Deleting a profile in the profiles panel when the keychain cannot forget its key: main deleted the
 * profile and says the key stayed. The panel must show what is left, not the deleted profile as if it were there.
 */
import { describe, expect, it } from 'vitest';
import { ProfilesState } from '../../../../src-renderer/lib/state/profiles-state.svelte';
import type { RendererApi } from '../../../../src-main/shared/ipc/contract.js';
import type { ProfileSummary } from '../../../../src-main/shared/domain/profile.js';
import { err, ok } from '../../../../src-main/shared/result.js';

const profile = (id: string, name: string): ProfileSummary => ({
  id,
  name,
  baseUrl: `https://${id}.example.com`,
  color: '#3b82f6',
  components: {},
  isDemo: false,
  hasKey: true,
});

describe('deleting a profile whose key the keychain keeps', () => {
  it('lists the profiles that are left, edits the next one and says the key stayed', async () => {
    let profiles = [profile('p1', 'Acme EU1'), profile('p2', 'Acme NAM1')];
    const api = {
      listProfiles: async () => ok({ profiles }),
      deleteProfile: async (id: string) => {
        profiles = profiles.filter((p) => p.id !== id);
        return err(
          'keychain-unavailable',
          'The profile was deleted, but its key could not be removed from the keychain: locked.',
        );
      },
    } as unknown as RendererApi;
    const state = new ProfilesState(api);
    await state.refresh();
    state.edit('p1');
    await state.remove('p1');
    expect(state.list.map((p) => p.name)).toEqual(['Acme NAM1']);
    expect(state.editingId).toBe('p2');
    expect(state.message).toEqual({
      kind: 'error',
      text: 'The profile was deleted, but its key could not be removed from the keychain: locked.',
    });
  });
});
