/**
 * Runs the app's stream sessions: each stream's sessions (one per component URL) append what they
 * receive to the capture index, and wait when the index says the disk is behind.
 */
import type { KnownProfile, StreamInfo, StreamMeta, StreamSpec, StreamState } from '../../shared/domain/stream.js';
import { combineStates, requestOf } from '../../shared/domain/stream.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { StreamEventsRequest } from '../../shared/tts/types.js';
import type { PushSink } from '../../shared/ipc/contract.js';
import { DUPLICATE, type CaptureIndex, type CatalogEntry } from '../capture/capture-index.js';
import { runStream } from '../stream/stream-client.js';
import { StreamSession, type SessionOptions, type SessionStats } from '../stream/stream-session.js';
import type { BackoffOptions } from '../stream/backoff.js';

/** Where a profile's server is and the key to use; resolved in main, never sent to the renderer. */
export interface ServerEndpoint {
  /** One URL, or one per distinct component URL of a split deployment (their events merge into one capture). */
  urls: string[];
  apiKey: string;
  ca?: string;
}

export type ResolveEndpoint = (profileId: string) => Promise<Result<ServerEndpoint>>;

type Resume = NonNullable<SessionOptions['resume']>;

interface Running {
  info: StreamInfo;
  sessions: StreamSession[];
  /** Latest state of each session; the stream shows the most telling one. */
  states: StreamState[];
}

const iso = (ms: number) => new Date(ms).toISOString();

const deletedReason = (profile: KnownProfile) => `The profile "${profile.name}" was deleted; the captured events stay.`;

export interface StreamManagerDeps {
  index: CaptureIndex;
  sink: PushSink;
  resolve: ResolveEndpoint;
  backoff?: BackoffOptions;
  log?: (msg: string) => void;
  clock?: () => number;
}

export class StreamManager {
  readonly #streams = new Map<string, Running>();

  constructor(private readonly deps: StreamManagerDeps) {}

  async start(spec: StreamSpec): Promise<Result<StreamInfo>> {
    const endpoint = await this.deps.resolve(spec.profileId);
    if (!endpoint.ok) return endpoint;
    const streamId = this.deps.index.newStreamId();
    const opened = await this.deps.index.open(streamId, spec.workspaceId, 'stream', spec);
    if (!opened.ok) return opened;
    return ok(this.#run({ streamId, spec, state: { kind: 'idle' } }, endpoint.value, requestOf(spec)));
  }

  /**
   * After a restart: reopen the captures of streams that are still wanted (`keep`), record the
   * downtime as a gap (from the last entry before the app stopped to now), and start them again
   * where they were, appending to the same capture.
   */
  async resume(entries: readonly CatalogEntry[], keep: (spec: StreamSpec) => boolean): Promise<void> {
    for (const entry of entries) {
      const { profile, ...spec } = (entry.meta ?? {}) as StreamMeta;
      if (entry.kind !== 'stream' || !spec.profileId || spec.workspaceId !== entry.workspaceId || !keep(spec)) continue;
      const reopened = await this.deps.index.reopen(entry);
      if (!reopened.ok) {
        this.deps.log?.(reopened.error.message);
        continue;
      }
      const now = this.deps.clock?.() ?? Date.now();
      const { lastMs, recentIds } = reopened.value;
      const info: StreamInfo = {
        streamId: entry.streamId,
        spec,
        state: { kind: 'idle' },
        ...(profile ? { profile } : {}),
      };
      const endpoint = await this.deps.resolve(spec.profileId);
      if (endpoint.ok) {
        // The session asks the server's event store for the downtime, like after a reconnect, and says
        // as a gap what the store cannot give back (no store, older than it reaches, more than it replays).
        const { tail: _t, after: _a, ...request } = requestOf(spec);
        this.#run(info, endpoint.value, request, { fromMs: lastMs || now, recentIds });
      } else {
        const from = iso(lastMs || now);
        this.deps.index.appendStatus(entry.streamId, {
          kind: 'gap',
          time: iso(now),
          from,
          to: iso(now),
          message:
            `Event Desk was not running between ${from} and ${iso(now)}, and the stream could not start ` +
            'again: events since then are not in this capture.',
        });
        this.#streams.set(info.streamId, { info, sessions: [], states: [] });
        const reason = profile ? deletedReason(profile) : endpoint.error.message;
        this.#state(info, { kind: 'stopped', reason, error: endpoint.error });
      }
    }
  }

  #run(info: StreamInfo, endpoint: ServerEndpoint, request: StreamEventsRequest, resume?: Resume): StreamInfo {
    const { index } = this.deps;
    const { urls, apiKey, ca } = endpoint;
    const running: Running = { info, sessions: [], states: urls.map(() => ({ kind: 'idle' })) };
    urls.forEach((baseUrl, i) => {
      const session = new StreamSession({
        request,
        ...(resume ? { resume } : {}),
        ...(this.deps.backoff ? { backoff: this.deps.backoff } : {}),
        connect: (req, signal, handlers) =>
          runStream({ baseUrl, apiKey, request: req, signal, ...(ca ? { ca } : {}), ...handlers }),
        listener: {
          onEvent: (raw, event, bytes) => index.appendStreamEvent(info.streamId, bytes ?? raw, event) !== DUPLICATE,
          dedupes: true,
          onStatus: (entry) => void index.appendStatus(info.streamId, entry),
          onState: (state) => {
            running.states[i] = state;
            this.#state(info, combineStates(running.states));
          },
          ready: () => index.ready(info.streamId),
        },
      });
      running.sessions.push(session);
    });
    this.#streams.set(info.streamId, running);
    for (const session of running.sessions) void session.start();
    return info;
  }

  #state(info: StreamInfo, state: StreamState): void {
    info.state = state;
    this.deps.sink.send('streams:state', {
      streamId: info.streamId,
      workspaceId: info.spec.workspaceId,
      profileId: info.spec.profileId,
      state,
      ...(info.profile ? { profile: info.profile } : {}),
    });
  }

  /**
   * A profile was deleted: its streams stop (not retrying with its old key) and keep its name and server as
   * labels, in their captures' catalogs too (the profile store forgets them, a restart reads them there).
   */
  async profileDeleted(profileId: string, profile: KnownProfile): Promise<void> {
    for (const s of this.#streams.values()) {
      if (s.info.spec.profileId !== profileId) continue;
      s.info.profile = profile;
      if (s.info.state.kind === 'stopped') this.#state(s.info, s.info.state);
      else s.sessions.forEach((x) => x.stop(deletedReason(profile)));
      await this.deps.index.setMeta(s.info.streamId, { ...s.info.spec, profile } satisfies StreamMeta);
    }
  }

  /** Writing the capture failed: stop the stream, so nothing goes unrecorded. */
  diskError(streamId: string, e: Error): void {
    this.deps.log?.(`capture write failed for ${streamId}: ${e.message}`);
    const reason = `Writing the capture failed (${e.message}); the stream was stopped so nothing goes unrecorded. Free disk space and start it again.`;
    this.#streams.get(streamId)?.sessions.forEach((x) => x.stop(reason));
  }

  stop(streamId: string): Result<void> {
    const s = this.#streams.get(streamId);
    if (!s) return err('not-found', `There is no stream ${streamId}.`);
    s.sessions.forEach((x) => x.stop());
    return ok(undefined);
  }

  list(): StreamInfo[] {
    return [...this.#streams.values()].map((s) => s.info);
  }

  info(streamId: string): StreamInfo | undefined {
    return this.#streams.get(streamId)?.info;
  }

  /** Session statistics (events, bytes, duplicates, gaps, reconnects) of one stream. */
  stats(streamId: string): SessionStats | undefined {
    const s = this.#streams.get(streamId);
    if (!s) return undefined;
    const total: SessionStats = { events: 0, bytes: 0, duplicates: 0, gaps: 0, reconnects: 0, malformed: 0 };
    for (const x of s.sessions) for (const k of Object.keys(total) as (keyof SessionStats)[]) total[k] += x.stats[k];
    return total;
  }

  /** Stop every session (the index closes the files). */
  dispose(): void {
    for (const s of this.#streams.values()) s.sessions.forEach((x) => x.stop('The app is closing.'));
    this.#streams.clear();
  }
}
