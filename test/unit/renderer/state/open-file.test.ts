/**
 * Opening a file: main pushes nothing while it reads, so the tab fills its view from main's pages once the
 * file is read: the newest 2,000 first, then older pages until the view is full or main has no more, and a
 * page that brings nothing (an error, a closed tab) ends it rather than asking again and again.
 */
import { describe, expect, it } from 'vitest';
import { AppState } from '../../../../src-renderer/lib/state/app-state.svelte';
import { VIEW_CAPACITY } from '../../../../src-renderer/lib/state/workspace.svelte';
import type { PageRequest, PageResult, RendererApi } from '../../../../src-main/shared/ipc/contract.js';
import type { EventSummary } from '../../../../src-main/shared/domain/summary.js';
import type { Result } from '../../../../src-main/shared/result.js';

const entry = (i: number): EventSummary => ({
  id: i,
  streamId: 'file-1',
  kind: 'event',
  ms: 1_764_000_000_000 + i,
  time: new Date(1_764_000_000_000 + i).toISOString(),
  name: 'as.up.data.forward',
  entity: 'dev1',
  entityKind: 'device',
  preview: '',
  correlationIds: [],
});

/** A bridge whose file holds `count` entries; `page` may answer otherwise for a given call. */
function bridge(count: number, page?: (req: PageRequest, call: number) => Result<PageResult> | undefined) {
  const all = Array.from({ length: count }, (_, i) => entry(i));
  const limits: number[] = [];
  const answers: Record<string, unknown> = {
    // Main names the tab's stream after the workspace the file is opened into.
    openImport: (workspaceId: string) => ({
      ok: true,
      value: {
        streamId: 'file-1',
        source: 'big.ndjson',
        format: 'NDJSON',
        stream: {
          streamId: 'file-1',
          spec: { workspaceId, profileId: 'imported', entities: [], names: [] },
          state: { kind: 'stopped', reason: 'Imported from big.ndjson' },
          source: 'big.ndjson',
        },
        events: count,
        statusEntries: 0,
        skipped: [],
        skippedCount: 0,
      },
    }),
  };
  const getPage = async (req: PageRequest): Promise<Result<PageResult>> => {
    limits.push(req.limit);
    const special = page?.(req, limits.length);
    if (special) return special;
    const older = req.before ? all.filter((e) => e.ms < req.before!.ms) : all;
    const entries = older.slice(Math.max(0, older.length - req.limit));
    return { ok: true, value: { entries, more: older.length > entries.length, retained: count } };
  };
  const api = new Proxy(
    {},
    {
      get: (_t, name: string) =>
        name === 'getPage'
          ? getPage
          : async (...args: string[]) => {
              const a = answers[name];
              return (typeof a === 'function' ? a(...args) : a) ?? { ok: true, value: undefined };
            },
    },
  ) as RendererApi;
  return { api, limits };
}

describe('opening a file fills its tab from pages', () => {
  it('shows the newest 2,000 first, then pages of up to 20,000 until the view is exactly full', async () => {
    const { api, limits } = bridge(150_000);
    const app = new AppState(api);
    await app.openFile();
    const w = app.workspaces.find((x) => x.name === 'big.ndjson')!;
    expect(limits).toEqual([2_000, 20_000, 20_000, 20_000, 20_000, 18_000]);
    expect(w.entries).toHaveLength(VIEW_CAPACITY);
    expect(w.entries.at(-1)!.id).toBe(149_999);
    expect(w.entries[0]!.id).toBe(150_000 - VIEW_CAPACITY);
    expect(w.mayHaveOlder).toBe(true);
  });

  it('stops when main has no more', async () => {
    const { api, limits } = bridge(25_000);
    const app = new AppState(api);
    await app.openFile();
    expect(limits).toEqual([2_000, 20_000, 20_000]);
    expect(app.workspaces.find((x) => x.name === 'big.ndjson')!.entries).toHaveLength(25_000);
  });

  it('stops at a page that fails, with the reason shown, instead of asking again', async () => {
    const { api, limits } = bridge(50_000, (_req, call) =>
      call === 3 ? { ok: false, error: { code: 'io', message: 'The capture could not be read.' } } : undefined,
    );
    const app = new AppState(api);
    await app.openFile();
    expect(limits).toEqual([2_000, 20_000, 20_000]);
    expect(app.workspaces.find((x) => x.name === 'big.ndjson')!.entries).toHaveLength(22_000);
    expect(app.error).toBe('The capture could not be read.');
  });
});
