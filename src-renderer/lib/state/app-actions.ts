/**
 * What the app does for the user across workspaces and main (loading, streams, imports, paging), as
 * functions over the `AppState` they change: the state class stays a list of fields and one-liners.
 */
import { DEFAULT_SETTINGS, type SavedStream, type WorkspacesDoc } from '../../../src-main/shared/domain/workspace';
import { sameSpec } from '../../../src-main/shared/domain/same-spec';
import type { ImportResult } from '../../../src-main/shared/export/types';
import type { Result } from '../../../src-main/shared/result';
import type { AppState } from './app-state.svelte';
import { VIEW_CAPACITY, Workspace } from './workspace.svelte';
import type { EventSummary } from '../../../src-main/shared/domain/summary';
import { before } from '../../../src-main/shared/domain/merge';
import { summarizeFailures, type Failure } from '../logic/failure-summary';
import { thresholds } from './thresholds.svelte';

type Outcome = { ok: true } | { ok: false; message: string };

/** Restore settings and workspaces, adopt the streams main runs for them, start the others. */
export async function loadApp(app: AppState): Promise<void> {
  const { api } = app;
  await api.rendererReady();
  await app.profiles.refresh();
  const settings = await api.getSettings();
  if (settings.ok) {
    app.retention = settings.value.retention;
    await thresholds.load(api, settings.value);
  }
  const saved = await api.loadWorkspaces();
  const doc: WorkspacesDoc = saved.ok
    ? saved.value.doc
    : { schemaVersion: 1, workspaces: [], settings: DEFAULT_SETTINGS };
  if (saved.ok && saved.value.problem) app.error = saved.value.problem;
  else if (!saved.ok) app.error = saved.error.message;
  app.utc = doc.settings.utc;
  app.newestOnTop = doc.settings.newestOnTop;
  app.workspaces = doc.workspaces.map((w) => app.workspace(w));
  if (app.workspaces.length === 0) app.addWorkspace();
  app.activeId = app.workspaces.some((w) => w.id === doc.activeId) ? doc.activeId : app.workspaces[0]!.id;
  app.loaded = true;
  // Streams main runs for these workspaces (a reloaded window, or main continued them after a restart)
  // are adopted, whatever their state; saved streams without one are started.
  const running = await api.listStreams();
  const adopted = running.ok
    ? running.value.filter((s) => app.workspaces.some((w) => w.id === s.spec.workspaceId))
    : [];
  app.streams = [...app.streams.filter((x) => !adopted.some((a) => a.streamId === x.streamId)), ...adopted];
  // A workspace opened from a file whose capture main could not reopen (files removed) has nothing to show.
  const lost = app.workspaces.filter((w) => w.readOnly && !adopted.some((s) => s.spec.workspaceId === w.id));
  if (lost.length) {
    for (const w of lost) await app.closeWorkspace(w.id);
    const names = lost.map((w) => `“${w.name}”`).join(', ');
    const which = lost.length === 1 ? 'the capture read from this file is' : 'the captures read from these files are';
    app.error = `${names}: ${which} no longer in the data folder. Open the file again.`;
  }
  const failures: Failure[] = [];
  const unclaimed = [...adopted];
  for (const w of app.workspaces) {
    for (const spec of w.specs) {
      const i = unclaimed.findIndex((s) => s.spec.workspaceId === w.id && sameSpec(s.spec, spec));
      if (i >= 0) {
        unclaimed.splice(i, 1);
        continue;
      }
      const r = await startStream(app, w, spec);
      if (!r.ok) failures.push({ who: w.name, why: r.message });
    }
  }
  // Grouped and capped: thousands of failing streams must not make one unreadable alert (#13).
  if (failures.length)
    app.error = summarizeFailures(['saved stream', 'saved streams'], 'could not start again', failures);
  // Show what main's index already holds for them.
  for (const w of app.workspaces.filter((x) => adopted.some((s) => s.spec.workspaceId === x.id)))
    await loadOlder(app, w, 20_000);
}

export async function startStream(app: AppState, w: Workspace, spec: SavedStream): Promise<Outcome> {
  const r = await app.api.startStream({ ...spec, workspaceId: w.id });
  if (!r.ok) return { ok: false, message: r.error.message };
  if (!app.streams.some((s) => s.streamId === r.value.streamId)) app.streams = [...app.streams, r.value];
  return { ok: true };
}

/** Start a new stream in the active workspace and remember it there. */
export async function addStream(app: AppState, spec: SavedStream): Promise<boolean> {
  const w = app.active;
  if (!w) return false;
  const r = await startStream(app, w, spec);
  if (!r.ok) {
    app.error = r.message;
    return false;
  }
  app.error = undefined;
  w.specs = [...w.specs, spec];
  app.persist();
  return true;
}

/** Stop a stream and take it out of its workspace (its capture file stays on disk). */
export async function removeStream(app: AppState, streamId: string): Promise<void> {
  const s = app.streams.find((x) => x.streamId === streamId);
  if (!s) return;
  if (s.state.kind !== 'stopped') await app.api.stopStream(streamId);
  const w = app.workspaces.find((x) => x.id === s.spec.workspaceId);
  if (w) {
    const i = w.specs.findIndex((x) => sameSpec(x, s.spec));
    if (i >= 0) w.specs = [...w.specs.slice(0, i), ...w.specs.slice(i + 1)];
    w.dropStream(streamId);
  }
  app.streams = app.streams.filter((x) => x.streamId !== streamId);
  app.persist();
}

/** Restart a stopped stream with the same request (e.g. after fixing its key). */
export async function restartStream(app: AppState, streamId: string): Promise<void> {
  const s = app.streams.find((x) => x.streamId === streamId);
  const w = s && app.workspaces.find((x) => x.id === s.spec.workspaceId);
  if (!s || !w) return;
  const { workspaceId: _w, ...spec } = s.spec;
  const r = await startStream(app, w, spec);
  if (!r.ok) app.error = r.message;
  else app.streams = app.streams.filter((x) => x.streamId !== streamId);
}

/** Fetch entries older than the view from main's index (all of them, not only the filter's). */
export async function loadOlder(app: AppState, w: Workspace, limit = 10_000): Promise<void> {
  const oldest = w.entries[0];
  const r = await app.api.getPage({
    workspaceId: w.id,
    query: '',
    limit,
    ...(oldest ? { before: { ms: oldest.ms, id: oldest.id } } : {}),
  });
  if (!r.ok) {
    app.error = r.error.message;
    return;
  }
  // Not past *Clear view*: what it hid comes back only with *Show them again*.
  const floor = w.cleared?.edge;
  const page = floor ? r.value.entries.filter((e) => before(floor, e)) : r.value.entries;
  const added = w.addOlder(page);
  if (r.value.window) w.windowCount = r.value.window;
  w.mayHaveOlder = r.value.more && added > 0 && page.length === r.value.entries.length;
  if (r.value.more && added === 0)
    app.error =
      `The view already holds ${w.entries.length.toLocaleString('en')} entries. ` +
      'A filter searches the whole capture; export it to work with all of it.';
}

/**
 * Open a file (main asks which) as a new read-only workspace. The workspace becomes a tab only once the
 * file was read: a cancelled dialog or a file that holds no events leaves the tabs as they were.
 */
export async function openFile(app: AppState): Promise<void> {
  const w = app.pendingWorkspace('Opening…');
  await fileRead(app, w, await app.api.openImport(w.id));
}

/**
 * A file's tab, once the file is read, shows its newest entries from main's index (main pushes none while
 * it reads: that held ~40 % of opening a file): a screenful at once, then older pages up to a full view.
 */
async function fileRead(app: AppState, w: Workspace, r: Result<ImportResult | null>): Promise<void> {
  imported(app, w, r);
  if (!r.ok || !r.value) return;
  await loadOlder(app, w, 2_000);
  // Until the view is full, main has no more, or a page brought nothing (an error, a closed tab).
  for (let had = -1; w.mayHaveOlder && w.entries.length > had && w.entries.length < VIEW_CAPACITY;) {
    had = w.entries.length;
    await loadOlder(app, w, Math.min(20_000, VIEW_CAPACITY - had));
  }
}

/** A file dropped on the window: its bytes go to main in chunks, never a path. */
export async function importDropped(app: AppState, file: File): Promise<void> {
  const w = app.pendingWorkspace(file.name);
  const begin = await app.api.beginImport(w.id, file.name, file.size);
  if (!begin.ok) return imported(app, w, begin);
  const CHUNK = 256 * 1024;
  const decoder = new TextDecoder();
  for (let at = 0; at < file.size; at += CHUNK) {
    const bytes = new Uint8Array(await file.slice(at, at + CHUNK).arrayBuffer());
    const r = await app.api.importChunk(begin.value, decoder.decode(bytes, { stream: at + CHUNK < file.size }));
    // Main has ended the import (a binary file is refused at its first chunk): stop sending the rest.
    if (!r.ok) return imported(app, w, r);
  }
  await fileRead(app, w, await app.api.endImport(begin.value));
}

/** What was opened (a file, or a window of a ClickHouse recording) becomes a read-only tab, or the error is shown. */
export function imported(app: AppState, w: Workspace, r: Result<ImportResult | null>): void {
  if (!r.ok || !r.value) {
    // Nothing was created (main removed the empty capture); the user stays where they were.
    // Cancelled by the user (the progress bar's Cancel): nothing to report.
    if (!r.ok && r.error.code !== 'cancelled') app.imports.failed(w.id, r.error.message);
    app.dropPending(w);
    return;
  }
  w.name = r.value.source;
  w.importReport = r.value;
  const info = r.value.stream;
  app.streams = [...app.streams.filter((x) => x.streamId !== info.streamId), info];
  app.adoptPending(w);
}

/** What is saved of the window: tabs, streams, filters and settings (workspaces opened from files too: main reopens their captures, #16). */
export function workspacesDoc(app: AppState): WorkspacesDoc {
  return {
    schemaVersion: 1,
    workspaces: app.workspaces.map((w) => w.toSaved()),
    settings: { utc: app.utc, newestOnTop: app.newestOnTop },
    ...(app.activeId ? { activeId: app.activeId } : {}),
  };
}

/** Subscribe to main's pushes once; returns the unsubscribe. */
export function wire(app: AppState): () => void {
  const offBatch = app.api.onEventBatch((b) => app.applyBatch(b.workspaceId, b.summaries));
  const offState = app.api.onStreamState((c) => app.applyState(c));
  const offJobs = app.api.onJobProgress((p) => (app.jobs = { ...app.jobs, [p.jobId]: p }));
  // A ClickHouse window counting its events in main (#19).
  const offCount = app.api.onWindowCount((c) => {
    const w = app.workspaces.find((x) => x.id === c.workspaceId);
    if (w) w.windowCount = c;
  });
  const tick = setInterval(() => (app.now = Date.now()), 1000);
  const leave = () => app.flush();
  window.addEventListener('pagehide', leave);
  return () => {
    window.removeEventListener('pagehide', leave);
    offBatch();
    offState();
    offJobs();
    offCount();
    clearInterval(tick);
  };
}

export async function closeWorkspace(app: AppState, id: string): Promise<void> {
  for (const s of app.streamsOf(id)) if (s.state.kind !== 'stopped') await app.api.stopStream(s.streamId);
  app.workspaces = app.workspaces.filter((w) => w.id !== id);
  app.streams = app.streams.filter((s) => s.spec.workspaceId !== id);
  if (app.workspaces.length === 0) app.addWorkspace();
  if (app.activeId === id) app.activeId = app.workspaces[0]!.id;
  app.persist();
}

export function renameWorkspace(app: AppState, id: string, name: string): void {
  const w = app.workspaces.find((x) => x.id === id);
  if (!w || !name.trim()) return;
  w.name = name.trim().slice(0, 80);
  app.persist();
}

export async function stopStream(app: AppState, streamId: string): Promise<void> {
  const r = await app.api.stopStream(streamId);
  if (!r.ok) app.error = r.error.message;
}

/** Select an entry and fetch its event; `summary` stands in for entries not in the view (e.g. backfilled into a chain). */
export async function select(
  app: AppState,
  w: Workspace,
  id: number,
  options: { summary?: EventSummary } = {},
): Promise<void> {
  w.selectedId = id;
  const entry = w.visible.find((e) => e.id === id) ?? w.entries.find((e) => e.id === id) ?? options.summary;
  w.selected = entry;
  w.detailError = undefined;
  if (!entry || entry.kind !== 'event') {
    w.detail = undefined;
    return;
  }
  const r = await app.api.getEvent(id);
  if (w.selectedId !== id) return;
  [w.detail, w.detailError] = r.ok ? [r.value, undefined] : [undefined, r.error.message];
}

export async function setRetention(app: AppState, maxEvents: number, maxBytes: number): Promise<string | undefined> {
  const r = await app.api.setRetention({ maxEvents, maxBytes });
  if (!r.ok) return r.error.message;
  app.retention = r.value.retention;
  return undefined;
}

/** The number of the next workspace id (`ws<n>`): past every open tab and every id handed out before. */
export function nextWorkspaceNumber(workspaces: readonly Workspace[], floor: number): number {
  return Math.max(floor, ...workspaces.map((w) => Number(/^ws(\d+)$/.exec(w.id)?.[1] ?? 0) + 1));
}
