/**
 * The renderer's view model: fed by pushes from main and by invoke results; no server logic here.
 */
import type { RendererApi } from '../../../src-main/shared/ipc/contract';
import type { StreamInfo, StreamStateChange } from '../../../src-main/shared/domain/stream';
import type { EventSummary } from '../../../src-main/shared/domain/summary';
import { DEFAULT_SETTINGS, type SavedStream, type WorkspacesDoc } from '../../../src-main/shared/domain/workspace';
import { ProfilesState } from './profiles-state.svelte';
import type { ImportResult, JobProgress } from '../../../src-main/shared/export/types';
import type { Result } from '../../../src-main/shared/result';
import { Workspace } from './workspace.svelte';

/** The same request, whatever the order of its fields. */
function sameSpec(a: SavedStream, b: SavedStream): boolean {
  return a.profileId === b.profileId && JSON.stringify(a.entities.map((e) => [e.kind, e.id, e.application ?? ''])) === JSON.stringify(b.entities.map((e) => [e.kind, e.id, e.application ?? ''])) &&
    JSON.stringify(a.names) === JSON.stringify(b.names) && (a.tail ?? 0) === (b.tail ?? 0) && (a.after ?? '') === (b.after ?? '');
}

/** Per-stream arrival statistics the status bar shows. */
export interface StreamActivity {
  /** Events in the last few seconds, as [time ms, count] samples. */
  samples: [number, number][];
  lastEventAt?: number;
  gaps: number;
}

const RATE_WINDOW_MS = 5_000;

export class AppState {
  readonly profiles: ProfilesState;
  workspaces = $state.raw<Workspace[]>([]);
  activeId = $state<string | undefined>(undefined);
  streams = $state.raw<StreamInfo[]>([]);
  error = $state<string | undefined>(undefined);
  utc = $state(DEFAULT_SETTINGS.utc);
  newestOnTop = $state(DEFAULT_SETTINGS.newestOnTop);
  /** A clock for countdowns and "no events for N minutes", ticking once a second. */
  now = $state(Date.now());
  activity = $state.raw<Record<string, StreamActivity>>({});
  loaded = $state(false);
  panel = $state<'profiles' | 'add-stream' | 'shortcuts' | 'export' | 'retention' | undefined>(undefined);
  /** Capture retention main applies per stream. */
  retention = $state.raw<{ maxEvents: number; maxBytes: number } | undefined>(undefined);
  /** The export dialog opens on this scope (the chain view asks for "this chain"). */
  exportHint = $state<'chain' | undefined>(undefined);
  /** Exports and imports in progress or just finished, by job id. */
  jobs = $state.raw<Record<string, JobProgress>>({});

  // Plain (non-reactive) maps on purpose: routing bookkeeping that no view renders.
  /** streamId → workspaceId, learnt from state pushes (which precede a stream's first batch). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #route = new Map<string, string>();
  /** Summaries of streams not routed yet (a batch that beat its state push). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #orphans = new Map<string, EventSummary[]>();
  #saveTimer: ReturnType<typeof setTimeout> | undefined;
  #nextWs = 1;

  constructor(readonly api: RendererApi) {
    this.profiles = new ProfilesState(api);
  }

  get active(): Workspace | undefined {
    return this.workspaces.find((w) => w.id === this.activeId);
  }

  streamsOf(workspaceId: string): StreamInfo[] {
    return this.streams.filter((s) => s.spec.workspaceId === workspaceId);
  }

  /** Subscribe to main's pushes once; returns the unsubscribe. */
  wire(): () => void {
    const offBatch = this.api.onEventBatch((b) => this.#route_batch(b.summaries));
    const offState = this.api.onStreamState((c) => this.applyState(c));
    const offJobs = this.api.onJobProgress((p) => (this.jobs = { ...this.jobs, [p.jobId]: p }));
    const tick = setInterval(() => (this.now = Date.now()), 1000);
    const leave = () => this.flush();
    window.addEventListener('pagehide', leave);
    return () => {
      window.removeEventListener('pagehide', leave);
      offBatch();
      offState();
      offJobs();
      clearInterval(tick);
    };
  }

  #route_batch(summaries: readonly EventSummary[]): void {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local tally, never rendered
    const byWs = new Map<string, EventSummary[]>();
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local tally, never rendered
    const counts = new Map<string, { n: number; gaps: number }>();
    for (const s of summaries) {
      const ws = this.#route.get(s.streamId);
      if (!ws) {
        const list = this.#orphans.get(s.streamId) ?? [];
        list.push(s);
        this.#orphans.set(s.streamId, list);
        continue;
      }
      let list = byWs.get(ws);
      if (!list) byWs.set(ws, (list = []));
      list.push(s);
      const c = counts.get(s.streamId) ?? { n: 0, gaps: 0 };
      if (s.kind === 'event') c.n++;
      if (s.name === 'event-desk.gap') c.gaps++;
      counts.set(s.streamId, c);
    }
    for (const [ws, list] of byWs) this.workspaces.find((w) => w.id === ws)?.ingest(list);
    if (counts.size) {
      const t = Date.now();
      const next = { ...this.activity };
      for (const [id, c] of counts) {
        const a = next[id] ?? { samples: [], gaps: 0 };
        const samples = a.samples.filter(([at]) => t - at < RATE_WINDOW_MS);
        if (c.n) samples.push([t, c.n]);
        next[id] = { samples, gaps: a.gaps + c.gaps, ...(c.n ? { lastEventAt: t } : a.lastEventAt !== undefined ? { lastEventAt: a.lastEventAt } : {}) };
      }
      this.activity = next;
    }
  }

  /** Events per second of a stream over the last few seconds. */
  rate(streamId: string): number {
    const a = this.activity[streamId];
    if (!a) return 0;
    const n = a.samples.filter(([at]) => this.now - at < RATE_WINDOW_MS).reduce((sum, [, c]) => sum + c, 0);
    return n / (RATE_WINDOW_MS / 1000);
  }

  applyState(change: StreamStateChange): void {
    if (!this.#route.has(change.streamId)) {
      this.#route.set(change.streamId, change.workspaceId);
      const orphans = this.#orphans.get(change.streamId);
      if (orphans) {
        this.#orphans.delete(change.streamId);
        this.#route_batch(orphans);
      }
    }
    this.streams = this.streams.map((s) => (s.streamId === change.streamId ? { ...s, state: change.state } : s));
  }

  async load(): Promise<void> {
    await this.api.rendererReady();
    await this.profiles.refresh();
    const settings = await this.api.getSettings();
    if (settings.ok) this.retention = settings.value.retention;
    const saved = await this.api.loadWorkspaces();
    const doc: WorkspacesDoc = saved.ok ? saved.value.doc : { schemaVersion: 1, workspaces: [], settings: DEFAULT_SETTINGS };
    if (saved.ok && saved.value.problem) this.error = saved.value.problem;
    else if (!saved.ok) this.error = saved.error.message;
    this.utc = doc.settings.utc;
    this.newestOnTop = doc.settings.newestOnTop;
    this.workspaces = doc.workspaces.map((w) => this.#watch(new Workspace(w)));
    for (const w of this.workspaces) this.#nextWs = Math.max(this.#nextWs, Number(/^ws(\d+)$/.exec(w.id)?.[1] ?? 0) + 1);
    if (this.workspaces.length === 0) this.addWorkspace();
    this.activeId = this.workspaces.some((w) => w.id === doc.activeId) ? doc.activeId : this.workspaces[0]!.id;
    this.loaded = true;
    // Streams main still runs for these workspaces (the window was reloaded) are adopted, whatever their
    // state; saved streams without one are started again (new captures; the old ones stay on disk).
    const running = await this.api.listStreams();
    const known = this.workspaces.map((w) => w.id);
    const adopted = running.ok ? running.value.filter((s) => known.includes(s.spec.workspaceId)) : [];
    const adoptedIn: Workspace[] = [];
    for (const s of adopted) {
      this.#route.set(s.streamId, s.spec.workspaceId);
      const orphans = this.#orphans.get(s.streamId);
      if (orphans) {
        this.#orphans.delete(s.streamId);
        this.#route_batch(orphans);
      }
      const w = this.workspaces.find((x) => x.id === s.spec.workspaceId)!;
      if (!adoptedIn.includes(w)) adoptedIn.push(w);
    }
    this.streams = [...this.streams.filter((x) => !adopted.some((a) => a.streamId === x.streamId)), ...adopted];
    const failures: string[] = [];
    const unclaimed = [...adopted];
    for (const w of this.workspaces) {
      for (const spec of w.specs) {
        const i = unclaimed.findIndex((s) => s.spec.workspaceId === w.id && sameSpec(s.spec, spec));
        if (i >= 0) {
          unclaimed.splice(i, 1);
          continue;
        }
        const r = await this.#start(w, spec);
        if (!r.ok) failures.push(`${w.name}: ${r.message}`);
      }
    }
    if (failures.length) this.error = `Some saved streams could not start again. ${failures.join(' ')}`;
    // The window was reloaded while main kept streaming: show what main's index already holds.
    for (const w of adoptedIn) await this.loadOlder(w, 20_000);
  }

  #watch(w: Workspace): Workspace {
    w.onChange = () => this.persist();
    return w;
  }

  /** Save tabs, streams, filters and settings soon (coalesced). */
  persist(): void {
    if (!this.loaded) return;
    clearTimeout(this.#saveTimer);
    this.#saveTimer = setTimeout(() => this.flush(), 100);
  }

  /** Save now (also when the window goes away, so a pending change is not lost). */
  flush(): void {
    if (!this.loaded) return;
    clearTimeout(this.#saveTimer);
    // Imported workspaces are views of a file: open the file again rather than restoring them.
    const doc: WorkspacesDoc = { schemaVersion: 1, workspaces: this.workspaces.filter((w) => !w.readOnly).map((w) => w.toSaved()), settings: { utc: this.utc, newestOnTop: this.newestOnTop }, ...(this.activeId ? { activeId: this.activeId } : {}) };
    void this.api.saveWorkspaces($state.snapshot(doc) as WorkspacesDoc).then((r) => {
      if (!r.ok) this.error = r.error.message;
    });
  }

  addWorkspace = (name?: string): Workspace => {
    const id = `ws${this.#nextWs++}`;
    const w = this.#watch(new Workspace({ id, name: name ?? `Workspace ${this.workspaces.length + 1}`, streams: [], filter: '', savedFilters: [] }));
    this.workspaces = [...this.workspaces, w];
    this.activeId = id;
    this.persist();
    return w;
  };

  closeWorkspace = async (id: string): Promise<void> => {
    for (const s of this.streamsOf(id)) if (s.state.kind !== 'stopped') await this.api.stopStream(s.streamId);
    this.workspaces = this.workspaces.filter((w) => w.id !== id);
    this.streams = this.streams.filter((s) => s.spec.workspaceId !== id);
    if (this.workspaces.length === 0) this.addWorkspace();
    if (this.activeId === id) this.activeId = this.workspaces[0]!.id;
    this.persist();
  };

  activate = (id: string): void => {
    this.activeId = id;
    this.persist();
  };

  renameWorkspace = (id: string, name: string): void => {
    const w = this.workspaces.find((x) => x.id === id);
    if (!w || !name.trim()) return;
    w.name = name.trim().slice(0, 80);
    this.persist();
  };

  async #start(w: Workspace, spec: SavedStream): Promise<{ ok: true } | { ok: false; message: string }> {
    const r = await this.api.startStream({ ...spec, workspaceId: w.id });
    if (!r.ok) return { ok: false, message: r.error.message };
    this.#route.set(r.value.streamId, w.id);
    if (!this.streams.some((s) => s.streamId === r.value.streamId)) this.streams = [...this.streams, r.value];
    return { ok: true };
  }

  /** Start a new stream in the active workspace and remember it there. */
  addStream = async (spec: SavedStream): Promise<boolean> => {
    const w = this.active;
    if (!w) return false;
    const r = await this.#start(w, spec);
    if (!r.ok) {
      this.error = r.message;
      return false;
    }
    this.error = undefined;
    w.specs = [...w.specs, spec];
    this.persist();
    return true;
  };

  stopStream = async (streamId: string): Promise<void> => {
    const r = await this.api.stopStream(streamId);
    if (!r.ok) this.error = r.error.message;
  };

  /** Stop a stream and take it out of its workspace (its capture file stays on disk). */
  removeStream = async (streamId: string): Promise<void> => {
    const s = this.streams.find((x) => x.streamId === streamId);
    if (!s) return;
    if (s.state.kind !== 'stopped') await this.api.stopStream(streamId);
    const w = this.workspaces.find((x) => x.id === s.spec.workspaceId);
    if (w) {
      const { workspaceId: _w, ...saved } = s.spec;
      const key = JSON.stringify(saved);
      const i = w.specs.findIndex((x) => JSON.stringify(x) === key);
      if (i >= 0) w.specs = [...w.specs.slice(0, i), ...w.specs.slice(i + 1)];
      w.dropStream(streamId);
    }
    this.streams = this.streams.filter((x) => x.streamId !== streamId);
    this.persist();
  };

  setRetention = async (maxEvents: number, maxBytes: number): Promise<string | undefined> => {
    const r = await this.api.setRetention({ maxEvents, maxBytes });
    if (!r.ok) return r.error.message;
    this.retention = r.value.retention;
    return undefined;
  };

  /** Fetch entries older than the view from main's index (all of them, not only the filter's). */
  loadOlder = async (w: Workspace, limit = 10_000): Promise<void> => {
    const oldest = w.entries[0];
    const r = await this.api.getPage({ workspaceId: w.id, query: '', limit, ...(oldest ? { before: { ms: oldest.ms, id: oldest.id } } : {}) });
    if (!r.ok) {
      this.error = r.error.message;
      return;
    }
    const added = w.addOlder(r.value.entries);
    w.mayHaveOlder = r.value.more && added > 0;
    if (r.value.more && added === 0) this.error = `The view already holds ${w.entries.length.toLocaleString('en')} entries. Narrow the filter, or export the capture to work with all of it.`;
  };

  /** Open a file (main asks which) as a new read-only workspace. */
  openFile = async (): Promise<void> => {
    const w = this.addWorkspace('Opening…');
    w.readOnly = true;
    const r = await this.api.openImport(w.id);
    this.#imported(w, r);
  };

  /** A file dropped on the window: its bytes go to main in chunks, never a path. */
  importDropped = async (file: File): Promise<void> => {
    const w = this.addWorkspace(file.name);
    w.readOnly = true;
    const begin = await this.api.beginImport(w.id, file.name, file.size);
    if (!begin.ok) return this.#imported(w, begin);
    const CHUNK = 256 * 1024;
    const decoder = new TextDecoder();
    for (let at = 0; at < file.size; at += CHUNK) {
      const bytes = new Uint8Array(await file.slice(at, at + CHUNK).arrayBuffer());
      const text = decoder.decode(bytes, { stream: at + CHUNK < file.size });
      const r = await this.api.importChunk(begin.value, text);
      if (!r.ok) return this.#imported(w, r);
    }
    this.#imported(w, await this.api.endImport(begin.value));
  };

  #imported(w: Workspace, r: Result<ImportResult | null>): void {
    if (r.ok && r.value) {
      w.name = r.value.source;
      w.importReport = r.value;
      this.#route.set(r.value.streamId, w.id);
      const info: StreamInfo = { streamId: r.value.streamId, spec: { workspaceId: w.id, profileId: 'imported', entities: [], names: [] }, state: { kind: 'stopped', reason: `Imported from ${r.value.source}` }, source: r.value.source };
      this.streams = [...this.streams.filter((x) => x.streamId !== info.streamId), info];
      return;
    }
    void this.closeWorkspace(w.id);
    if (!r.ok) this.error = r.error.message;
  }

  /** Restart a stopped stream with the same request (e.g. after fixing its key). */
  restartStream = async (streamId: string): Promise<void> => {
    const s = this.streams.find((x) => x.streamId === streamId);
    const w = s && this.workspaces.find((x) => x.id === s.spec.workspaceId);
    if (!s || !w) return;
    const { workspaceId: _w, ...spec } = s.spec;
    const r = await this.#start(w, spec);
    if (!r.ok) this.error = r.message;
    else this.streams = this.streams.filter((x) => x.streamId !== streamId);
  };

  /** Select an entry; `summary` stands in for events not in the view (e.g. backfilled into a chain). */
  select = async (w: Workspace, id: number, options: { summary?: EventSummary } = {}): Promise<void> => {
    w.selectedId = id;
    const entry = w.visible.find((e) => e.id === id) ?? w.entries.find((e) => e.id === id) ?? options.summary;
    w.selected = entry;
    w.detailError = undefined;
    if (!entry || entry.kind !== 'event') {
      w.detail = undefined;
      return;
    }
    const r = await this.api.getEvent(id);
    if (w.selectedId !== id) return;
    if (r.ok) w.detail = r.value;
    else {
      w.detail = undefined;
      w.detailError = r.error.message;
    }
  };

  profileOf(streamId: string): { name: string; color: string } {
    const s = this.streams.find((x) => x.streamId === streamId);
    if (s?.source) return { name: 'File', color: '#8c959f' };
    const p = s && this.profiles.byId(s.spec.profileId);
    return p ? { name: p.name, color: p.color } : { name: s?.spec.profileId ?? '?', color: '#888888' };
  }

  setUtc = (utc: boolean): void => {
    this.utc = utc;
    this.persist();
  };

  setNewestOnTop = (v: boolean): void => {
    this.newestOnTop = v;
    this.persist();
  };
}
