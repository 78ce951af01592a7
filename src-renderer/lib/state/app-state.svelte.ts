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
import * as labels from './stream-labels';
import { ProfilesState } from './profiles-state.svelte';
import { Workspace } from './workspace.svelte';
import { FrameFactsView } from './frame-facts.svelte';
import { rateOf, tallyActivity, type StreamActivity } from '../logic/activity';
import * as actions from './app-actions';
import { OpeningFiles } from './opening-files.svelte';

export class AppState {
  readonly profiles: ProfilesState;
  workspaces = $state.raw<Workspace[]>([]);
  activeId = $state<string | undefined>(undefined);
  streams = $state.raw<StreamInfo[]>([]);
  error = $state<string | undefined>(undefined);
  /** Files being opened (their workspaces are not tabs yet), and why the last one could not be. */
  readonly imports = new OpeningFiles();
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
  /** Workspace ids are never reused in a session: main may still hold entries of a closed one. */
  #nextWs = 1;

  /** Who delivered a stream's entries, for the `server:` and `profile:` filters (read when a filter runs). */
  readonly queryContext: QueryContext = labels.queryContextOf(
    () => this.streams,
    () => this.profiles.list,
  );

  /** main's frame decoder's answers for `mic:`/`mac:` filters, shared by every workspace (#18). */
  readonly frameFacts: FrameFactsView;

  constructor(readonly api: RendererApi) {
    this.profiles = new ProfilesState(api);
    this.frameFacts = new FrameFactsView(api);
  }

  /** A workspace object wired to this app (its save hook, server filters, frame facts, main's pages); not yet a tab. */
  workspace(saved: SavedWorkspace): Workspace {
    const w = new Workspace(saved, this.queryContext, (request) => this.api.getPage(request));
    w.onChange = () => this.persist();
    w.frameFacts = this.frameFacts;
    return w;
  }

  get active(): Workspace | undefined {
    return this.workspaces.find((w) => w.id === this.activeId);
  }

  streamsOf(workspaceId: string): StreamInfo[] {
    return this.streams.filter((s) => s.spec.workspaceId === workspaceId);
  }

  /** The distinct origins (profile and server) of a workspace's streams (and a window's rows), by profile name. */
  originsOf(workspaceId: string): StreamOrigin[] {
    // Entries only for a window (read lazily): a live workspace's change per batch, its origins do not.
    const entries = () => this.workspaces.find((w) => w.id === workspaceId)?.entries ?? [];
    return labels.originsOf(this.streamsOf(workspaceId), this.profiles.list, entries);
  }

  /** Subscribe to main's pushes once; returns the unsubscribe. */
  wire = (): (() => void) => actions.wire(this);

  /** New and changed entries of one workspace (a workspace closed meanwhile ignores them). */
  applyBatch(workspaceId: string, summaries: readonly EventSummary[]): void {
    (this.workspaces.find((w) => w.id === workspaceId) ?? this.imports.pending(workspaceId))?.ingest(summaries);
    this.activity = tallyActivity(this.activity, summaries, Date.now());
  }

  /** Events per second of a stream over the last few seconds. */
  rate(streamId: string): number {
    return rateOf(this.activity[streamId], this.now);
  }

  applyState(change: StreamStateChange): void {
    this.streams = labels.withChange(this.streams, change);
  }

  load = (): Promise<void> => actions.loadApp(this);

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
    void this.api.saveWorkspaces($state.snapshot(actions.workspacesDoc(this)) as WorkspacesDoc).then((r) => {
      if (!r.ok) this.error = r.error.message;
    });
  }

  /** An empty workspace, with an id no tab of this session had (main may still hold entries of a closed one). */
  #blank(name: string): Workspace {
    const next = actions.nextWorkspaceNumber(this.workspaces, this.#nextWs);
    this.#nextWs = next + 1;
    return this.workspace({ id: `ws${next}`, name, streams: [], filter: '', savedFilters: [] });
  }

  /** A workspace becomes a tab, in front. */
  #show(w: Workspace): Workspace {
    this.workspaces = [...this.workspaces, w];
    this.activate(w.id);
    return w;
  }

  addWorkspace = (name?: string): Workspace =>
    this.#show(this.#blank(name ?? `Workspace ${this.workspaces.length + 1}`));

  /** A read-only workspace for a file being opened: no tab yet, so a file that fails changes nothing. */
  pendingWorkspace = (name: string): Workspace => {
    const w = this.#blank(name);
    w.readOnly = true;
    this.imports.opening(w, this.activeId);
    return w;
  };

  /** The file was read: its workspace becomes a tab, in front. */
  adoptPending = (w: Workspace): void => {
    this.imports.settled(w.id);
    this.#show(w);
  };

  dropPending = (w: Workspace): boolean => this.imports.settled(w.id);

  closeWorkspace = (id: string): Promise<void> => actions.closeWorkspace(this, id);

  activate = (id: string): void => {
    this.activeId = id;
    this.persist();
  };

  renameWorkspace = (id: string, name: string): void => actions.renameWorkspace(this, id, name);

  addStream = (spec: SavedStream): Promise<boolean> => actions.addStream(this, spec);
  removeStream = (streamId: string): Promise<void> => actions.removeStream(this, streamId);
  restartStream = (streamId: string): Promise<void> => actions.restartStream(this, streamId);
  loadOlder = (w: Workspace, limit?: number): Promise<void> => actions.loadOlder(this, w, limit);
  openFile = (): Promise<void> => actions.openFile(this);
  importDropped = (file: File): Promise<void> => actions.importDropped(this, file);

  stopStream = (streamId: string): Promise<void> => actions.stopStream(this, streamId);

  setRetention = (maxEvents: number, maxBytes: number): Promise<string | undefined> =>
    actions.setRetention(this, maxEvents, maxBytes);

  /** Select an entry; `summary` stands in for events not in the view (e.g. backfilled into a chain). */
  select = (w: Workspace, id: number, options: { summary?: EventSummary } = {}): Promise<void> =>
    actions.select(this, w, id, options);

  /** The Server column of an entry or a stream's name (a recorded row names its own server). */
  profileOf(of: { streamId: string; server?: string | undefined }): { name: string; color: string } {
    return labels.profileOf(this.streams, this.profiles.list, of);
  }

  /** What delivered an entry: its stream(s), named by what they subscribe to (for the list's tooltip). */
  deliveredBy(entry: EventSummary): string {
    return labels.deliveredBy(this.streams, this.profiles.list, entry);
  }

  /** A display setting (times in UTC, newest on top), saved with the workspaces. */
  setSetting = (key: 'utc' | 'newestOnTop', v: boolean): void => {
    this[key] = v;
    this.persist();
  };
}
