/**
 * A file that cannot be opened says why in a red banner. That banner belongs to the tab the user opened the
 * file from, and the next file they open (whatever comes of it) replaces it: it never lingers over later,
 * successful imports or follows the user to every other tab.
 */
import { describe, expect, it } from 'vitest';
import { AppState } from '../../../../src-renderer/lib/state/app-state.svelte';
import type { RendererApi } from '../../../../src-main/shared/ipc/contract.js';
import type { ImportResult } from '../../../../src-main/shared/export/types.js';
import type { Result } from '../../../../src-main/shared/result.js';

const BINARY = 'photo.jpg holds no events: it is a binary file, not an export or a log.';

const opened = (workspaceId: string): Result<ImportResult> => ({
  ok: true,
  value: {
    streamId: 'file-1',
    source: 'good.ndjson',
    format: 'NDJSON',
    stream: {
      streamId: 'file-1',
      spec: { workspaceId, profileId: 'imported', entities: [], names: [] },
      state: { kind: 'stopped', reason: 'Imported from good.ndjson' },
      source: 'good.ndjson',
    },
    events: 0,
    statusEntries: 0,
    skipped: [],
    skippedCount: 0,
  },
});

/** A bridge whose Open… answers come from `answers`, in turn. */
type Answer = (workspaceId: string) => Result<ImportResult | null> | Promise<Result<ImportResult | null>>;

function bridge(answers: Answer[]): RendererApi {
  return new Proxy(
    {},
    {
      get:
        (_t, name: string) =>
        async (...args: string[]) =>
          name === 'openImport'
            ? answers.shift()!(args[0]!)
            : name === 'getPage'
              ? { ok: true, value: { entries: [], more: false, retained: 0 } }
              : { ok: true, value: undefined },
    },
  ) as RendererApi;
}

const failed = (message: string) => (): Result<ImportResult | null> => ({
  ok: false,
  error: { code: 'invalid-input', message },
});

describe('the banner of a file that could not be opened', () => {
  it('shows on the tab it was opened from only', async () => {
    const app = new AppState(bridge([failed(BINARY)]));
    const first = app.addWorkspace();
    const second = app.addWorkspace();
    app.activate(first.id);
    await app.openFile();
    expect(app.imports.shownOn(app.activeId)).toBe(BINARY);
    app.activate(second.id);
    expect(app.imports.shownOn(app.activeId)).toBeUndefined();
    app.activate(first.id);
    expect(app.imports.shownOn(app.activeId)).toBe(BINARY);
  });

  it('a file opened before the app had a tab says why on the tab the user is on', async () => {
    const app = new AppState(bridge([failed(BINARY)]));
    await app.openFile();
    const first = app.addWorkspace();
    app.activate(first.id);
    expect(app.imports.shownOn(app.activeId)).toBe(BINARY);
  });

  it('goes away when a later file opens, and is replaced by the next failure', async () => {
    const app = new AppState(bridge([failed(BINARY), opened, failed('empty.txt holds no events.')]));
    const first = app.addWorkspace();
    await app.openFile();
    expect(app.imports.shownOn(app.activeId)).toBe(BINARY);
    await app.openFile();
    // The good file's tab is in front; back on the first tab the old failure is gone too.
    app.activate(first.id);
    expect(app.imports.shownOn(app.activeId)).toBeUndefined();
    await app.openFile();
    expect(app.imports.shownOn(app.activeId)).toBe('empty.txt holds no events.');
  });

  it('is gone as soon as another file starts opening', async () => {
    let release: (r: Result<ImportResult | null>) => void = () => undefined;
    const later: Answer = () => new Promise((resolve) => (release = resolve));
    const app = new AppState(bridge([failed(BINARY), later]));
    app.addWorkspace();
    await app.openFile();
    expect(app.imports.shownOn(app.activeId)).toBe(BINARY);
    const opening = app.openFile();
    expect(app.imports.shownOn(app.activeId)).toBeUndefined();
    release({ ok: true, value: null });
    await opening;
    expect(app.imports.shownOn(app.activeId)).toBeUndefined();
  });
});
