/**
 * Restoring workspaces whose saved streams all fail to start (#13, failure 10): 5,000 failing streams
 * made one 464,543-character alert. The user now reads one short summary.
 */
import { describe, expect, it } from 'vitest';
import { AppState } from '../../../../src-renderer/lib/state/app-state.svelte';
import { loadApp } from '../../../../src-renderer/lib/state/app-actions';
import type { RendererApi } from '../../../../src-main/shared/ipc/contract.js';
import type { WorkspacesDoc } from '../../../../src-main/shared/domain/workspace.js';

describe('restoring saved streams that cannot start', () => {
  it('5,000 failures give one alert under 600 characters that still says why', async () => {
    const doc: WorkspacesDoc = {
      schemaVersion: 1,
      settings: { utc: true, newestOnTop: true },
      workspaces: Array.from({ length: 100 }, (_, w) => ({
        id: `w${w}`,
        name: `Workspace ${w}`,
        filter: '',
        savedFilters: [],
        streams: Array.from({ length: 50 }, (_, s) => ({
          profileId: 'p1',
          entities: [{ kind: 'device' as const, id: `dev-${s}`, application: 'app1' }],
          names: [],
        })),
      })),
    };
    const answers: Record<string, unknown> = {
      listProfiles: { ok: true, value: { profiles: [] } },
      getSettings: { ok: true, value: { retention: { maxEvents: 1_000_000, maxBytes: 1e9 } } },
      loadWorkspaces: { ok: true, value: { doc } },
      listStreams: { ok: true, value: [] },
      startStream: {
        ok: false,
        error: {
          code: 'not-found',
          message: 'There is no profile "p1": it was deleted. Pick another profile for this stream.',
        },
      },
    };
    // Every other call of the bridge answers ok.
    const api = new Proxy(
      {},
      { get: (_t, name: string) => async () => answers[name] ?? { ok: true, value: undefined } },
    ) as RendererApi;
    const app = new AppState(api);
    await loadApp(app);
    expect(app.error).toBeDefined();
    expect(app.error!.length).toBeLessThanOrEqual(600);
    expect(app.error).toMatch(/^5,000 saved streams could not start again: There is no profile "p1"/);
  });
});
