/**
 * The renderer's view model: fed by pushes from main and by invoke results; no server logic here.
 */
import type { RendererApi } from '../../../src-main/shared/ipc/contract';
import type { ProfileSummary } from '../../../src-main/shared/domain/profile';
import type { StreamInfo, StreamSpec, StreamStateChange } from '../../../src-main/shared/domain/stream';
import type { EventSummary } from '../../../src-main/shared/domain/summary';
import type { TtsEvent } from '../../../src-main/shared/tts/types';
import { mergeByTime } from '../../../src-main/shared/domain/merge';

/** How many list entries the view keeps (the capture on disk keeps everything). */
export const VIEW_CAPACITY = 100_000;

export class AppState {
  profiles = $state.raw<ProfileSummary[]>([]);
  streams = $state.raw<StreamInfo[]>([]);
  /** Oldest first by event time; the list shows newest on top. `$state.raw`: replaced per batch, never proxied. */
  entries = $state.raw<EventSummary[]>([]);
  selectedId = $state<number | undefined>(undefined);
  detail = $state.raw<TtsEvent | undefined>(undefined);
  error = $state<string | undefined>(undefined);
  utc = $state(true);
  readonly workspaceId = 'ws1';

  /** The selected entry, kept as a value so a new batch never rescans the list to find it. */
  selected = $state.raw<EventSummary | undefined>(undefined);
  /** Server events in view (status rows excluded), counted per batch rather than recounted. */
  eventCount = $state(0);

  constructor(private readonly api: RendererApi) {}

  /** Subscribe to main's pushes once; returns the unsubscribe. */
  wire(): () => void {
    const offBatch = this.api.onEventBatch((b) => {
      // Streams from several servers interleave: keep the view in event-time order, bounded.
      const merged = mergeByTime(this.entries, b.summaries);
      const dropped = merged.length > VIEW_CAPACITY ? merged.slice(0, merged.length - VIEW_CAPACITY) : [];
      this.entries = dropped.length > 0 ? merged.slice(dropped.length) : merged;
      this.eventCount += countEvents(b.summaries) - countEvents(dropped);
    });
    const offState = this.api.onStreamState((c) => this.applyState(c));
    return () => {
      offBatch();
      offState();
    };
  }

  applyState(change: StreamStateChange): void {
    this.streams = this.streams.map((s) => (s.streamId === change.streamId ? { ...s, state: change.state } : s));
  }

  async load(): Promise<void> {
    await this.api.rendererReady();
    const profiles = await this.api.listProfiles();
    if (profiles.ok) this.profiles = profiles.value;
    else this.error = profiles.error.message;
  }

  startStream = async (spec: Omit<StreamSpec, 'workspaceId'>): Promise<boolean> => {
    const r = await this.api.startStream({ ...spec, workspaceId: this.workspaceId });
    if (!r.ok) {
      this.error = r.error.message;
      return false;
    }
    this.error = undefined;
    if (!this.streams.some((s) => s.streamId === r.value.streamId)) this.streams = [...this.streams, r.value];
    return true;
  };

  stopStream = async (streamId: string): Promise<void> => {
    const r = await this.api.stopStream(streamId);
    if (!r.ok) this.error = r.error.message;
  };

  select = async (id: number): Promise<void> => {
    this.selectedId = id;
    const entry = this.entries.find((e) => e.id === id);
    this.selected = entry;
    if (!entry || entry.kind !== 'event') {
      this.detail = undefined;
      return;
    }
    const r = await this.api.getEvent(id);
    if (this.selectedId !== id) return;
    if (r.ok) this.detail = r.value;
    else this.error = r.error.message;
  };

  profileName(profileId: string): string {
    return this.profiles.find((p) => p.id === profileId)?.name ?? profileId;
  }
}

const countEvents = (list: readonly EventSummary[]): number => list.reduce((n, e) => n + (e.kind === 'event' ? 1 : 0), 0);
