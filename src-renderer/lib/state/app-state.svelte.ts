/**
 * The renderer's view model: fed by pushes from main and by invoke results; no server logic here.
 * Batches say which workspace they belong to, so nothing is routed or held back here.
 */
import type { RendererApi } from '../../../src-main/shared/ipc/contract';
import type { StreamInfo, StreamStateChange } from '../../../src-main/shared/domain/stream';
import type { EventSummary } from '../../../src-main/shared/domain/summary';
import {
  DEFAULT_SETTINGS,
  type SavedStream,
  type SavedWorkspace,
  type WorkspacesDoc,
} from '../../../src-main/shared/domain/workspace';
import type { JobProgress } from '../../../src-main/shared/export/types';
import type { QueryContext, StreamOrigin } from '../../../src-main/shared/query/query';
import { streamOrigin } from '../../../src-main/shared/query/origin';
import { ProfilesState } from './profiles-state.svelte';
import { Workspace } from './workspace.svelte';
import { FrameFactsView } from './frame-facts.svelte';
import { rateOf, tallyActivity, type StreamActivity } from '../logic/activity';
import * as actions from './app-actions';

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
  #saveTimer: ReturnType<typeof setTimeout> | undefined;
  /** Workspaces a file is being opened into: not tabs until the file was read, but their batches land here. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping no view renders
  readonly #pending = new Map<string, Workspace>();
  /** Workspace ids are never reused in a session: main may still hold entries of a closed one. */
  #nextWs = 1;

  /** Who delivered a stream's entries, for the `server:` and `profile:` filters (read when a filter runs). */
  readonly queryContext: QueryContext = { origin: (streamId) => this.originOf(streamId) };

  originOf(streamId: string): StreamOrigin | undefined {
    const s = this.streams.find((x) => x.streamId === streamId);
    return s && streamOrigin(s, this.profiles.byId(s.spec.profileId));
  }

  /** main's frame decoder's answers for `mic:`/`mac:` filters, shared by every workspace (#18). */
  readonly frameFacts: FrameFactsView;

  constructor(readonly api: RendererApi) {
    this.profiles = new ProfilesState(api);
    this.frameFacts = new FrameFactsView(api);
  }

  /** A workspace object wired to this app (saving, server filters); not yet a tab. */
  workspace(saved: SavedWorkspace): Workspace {
    return this.watch(new Workspace(saved, this.queryContext));
  }

  get active(): Workspace | undefined {
    return this.workspaces.find((w) => w.id === this.activeId);
  }

  streamsOf(workspaceId: string): StreamInfo[] {
    return this.streams.filter((s) => s.spec.workspaceId === workspaceId);
  }

  /** The distinct origins (profile and server) of a workspace's streams, by profile name. */
  originsOf(workspaceId: string): StreamOrigin[] {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local lookup, never rendered
    const byProfile = new Map<string, StreamOrigin>();
    for (const s of this.streamsOf(workspaceId)) {
      const o = this.originOf(s.streamId);
      if (o && !byProfile.has(o.profile)) byProfile.set(o.profile, o);
    }
    return [...byProfile.values()].sort((a, b) => a.profile.localeCompare(b.profile));
  }

  /** Subscribe to main's pushes once; returns the unsubscribe. */
  wire(): () => void {
    const offBatch = this.api.onEventBatch((b) => this.applyBatch(b.workspaceId, b.summaries));
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

  /** New and changed entries of one workspace (a workspace closed meanwhile ignores them). */
  applyBatch(workspaceId: string, summaries: readonly EventSummary[]): void {
    (this.workspaces.find((w) => w.id === workspaceId) ?? this.#pending.get(workspaceId))?.ingest(summaries);
    this.activity = tallyActivity(this.activity, summaries, Date.now());
  }

  /** Events per second of a stream over the last few seconds. */
  rate(streamId: string): number {
    return rateOf(this.activity[streamId], this.now);
  }

  applyState(change: StreamStateChange): void {
    this.streams = this.streams.map((s) => (s.streamId === change.streamId ? { ...s, state: change.state } : s));
  }

  load = (): Promise<void> => actions.loadApp(this);

  /** Give a workspace its save hook (called for every workspace the app holds). */
  watch(w: Workspace): Workspace {
    w.onChange = () => this.persist();
    w.frameFacts = this.frameFacts;
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
    // Imported workspaces are saved too: main reopens their captures from its data folder (#16).
    const workspaces = this.workspaces.map((w) => w.toSaved());
    const doc: WorkspacesDoc = {
      schemaVersion: 1,
      workspaces,
      settings: { utc: this.utc, newestOnTop: this.newestOnTop },
      ...(this.activeId ? { activeId: this.activeId } : {}),
    };
    void this.api.saveWorkspaces($state.snapshot(doc) as WorkspacesDoc).then((r) => {
      if (!r.ok) this.error = r.error.message;
    });
  }

  /** A workspace id no tab of this session had (main may still hold entries of a closed one). */
  #newId(): string {
    const next = Math.max(this.#nextWs, ...this.workspaces.map((w) => Number(/^ws(\d+)$/.exec(w.id)?.[1] ?? 0) + 1));
    this.#nextWs = next + 1;
    return `ws${next}`;
  }

  #blank(name: string): Workspace {
    return this.workspace({ id: this.#newId(), name, streams: [], filter: '', savedFilters: [] });
  }

  addWorkspace = (name?: string): Workspace => {
    const w = this.#blank(name ?? `Workspace ${this.workspaces.length + 1}`);
    this.workspaces = [...this.workspaces, w];
    this.activeId = w.id;
    this.persist();
    return w;
  };

  /** A read-only workspace for a file being opened: no tab yet, so a file that fails changes nothing. */
  pendingWorkspace = (name: string): Workspace => {
    const w = this.#blank(name);
    w.readOnly = true;
    this.#pending.set(w.id, w);
    return w;
  };

  /** The file was read: its workspace becomes a tab, in front. */
  adoptPending = (w: Workspace): void => {
    this.#pending.delete(w.id);
    this.workspaces = [...this.workspaces, w];
    this.activeId = w.id;
    this.persist();
  };

  dropPending = (w: Workspace): void => {
    this.#pending.delete(w.id);
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

  addStream = (spec: SavedStream): Promise<boolean> => actions.addStream(this, spec);
  removeStream = (streamId: string): Promise<void> => actions.removeStream(this, streamId);
  restartStream = (streamId: string): Promise<void> => actions.restartStream(this, streamId);
  loadOlder = (w: Workspace, limit?: number): Promise<void> => actions.loadOlder(this, w, limit);
  openFile = (): Promise<void> => actions.openFile(this);
  importDropped = (file: File): Promise<void> => actions.importDropped(this, file);

  stopStream = async (streamId: string): Promise<void> => {
    const r = await this.api.stopStream(streamId);
    if (!r.ok) this.error = r.error.message;
  };

  setRetention = async (maxEvents: number, maxBytes: number): Promise<string | undefined> => {
    const r = await this.api.setRetention({ maxEvents, maxBytes });
    if (!r.ok) return r.error.message;
    this.retention = r.value.retention;
    return undefined;
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
    [w.detail, w.detailError] = r.ok ? [r.value, undefined] : [undefined, r.error.message];
  };

  profileOf(streamId: string): { name: string; color: string } {
    const s = this.streams.find((x) => x.streamId === streamId);
    if (s?.source) return { name: 'File', color: '#8c959f' };
    const p = s && this.profiles.byId(s.spec.profileId);
    return p ? { name: p.name, color: p.color } : { name: s?.spec.profileId ?? '?', color: '#888888' };
  }

  /** What delivered an entry: its stream(s), named by what they subscribe to (for the list's tooltip). */
  deliveredBy(entry: EventSummary): string {
    const ids = entry.streamIds ?? [entry.streamId];
    return ids
      .map((id) => {
        const s = this.streams.find((x) => x.streamId === id);
        return `${this.profileOf(id).name}: ${s?.source ?? s?.spec.entities.map((e) => e.id).join(', ') ?? id}`;
      })
      .join('\n');
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
