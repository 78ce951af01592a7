/**
 * Runs every stream session of the app, each with its own capture, and feeds the renderer.
 */
import path from 'node:path';
import { promises as fs } from 'node:fs';
import type { StreamInfo, StreamSpec, StreamState } from '../../shared/domain/stream.js';
import { err, ok, type Result } from '../../shared/result.js';
import { toIdentifiers, type TtsEvent } from '../../shared/tts/types.js';
import type { PushSink } from '../../shared/ipc/contract.js';
import { Capture } from '../capture/capture.js';
import { STATUS_KEY } from '../capture/capture-file.js';
import { runStream } from '../stream/stream-client.js';
import { StreamSession, type SessionStats } from '../stream/stream-session.js';
import type { BackoffOptions } from '../stream/backoff.js';
import { EventBatcher } from './event-batcher.js';

/** Where a profile's server is and the key to use; resolved in main, never sent to the renderer. */
export interface ServerEndpoint {
  /** One URL, or one per distinct component URL of a split deployment (their events merge into one capture). */
  urls: string[];
  apiKey: string;
  ca?: string;
}

export type ResolveEndpoint = (profileId: string) => Promise<Result<ServerEndpoint>>;

interface Running {
  info: StreamInfo;
  sessions: StreamSession[];
  /** Latest state of each session; the stream shows the most telling one. */
  states: StreamState[];
  capture: Capture;
}

/** One state for a stream served by several component URLs: a stop or retry matters more than "open". */
export function combineStates(states: readonly StreamState[]): StreamState {
  const rank = { stopped: 4, retrying: 3, connecting: 2, idle: 1, open: 0 } as const;
  let best = states[0] ?? ({ kind: 'idle' } as StreamState);
  for (const s of states) if (rank[s.kind] > rank[best.kind]) best = s;
  return best;
}

const ID_SPACE = 1_000_000_000;

export class StreamManager {
  readonly #streams = new Map<string, Running>();
  readonly #batcher: EventBatcher;
  #next = 1;

  constructor(private readonly deps: { dataDir: string; sink: PushSink; resolve: ResolveEndpoint; backoff?: BackoffOptions; log?: (msg: string) => void }) {
    this.#batcher = new EventBatcher(deps.sink);
  }

  async start(spec: StreamSpec): Promise<Result<StreamInfo>> {
    const endpoint = await this.deps.resolve(spec.profileId);
    if (!endpoint.ok) return endpoint;
    const n = this.#next++;
    const streamId = `s${n}`;
    const dir = path.join(this.deps.dataDir, 'captures');
    await fs.mkdir(dir, { recursive: true });
    const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${streamId}.ndjson`);
    let capture: Capture;
    try {
      ({ capture } = await Capture.open(file, streamId, n * ID_SPACE, { onError: (e) => this.#diskError(streamId, e) }));
    } catch (e) {
      return err('io', `The capture file could not be created in ${dir}: ${(e as Error).message}. Free some disk space or check permissions.`);
    }
    const info: StreamInfo = { streamId, spec, state: { kind: 'idle' } };
    const request = { identifiers: spec.entities.map(toIdentifiers), ...(spec.names.length ? { names: spec.names } : {}), ...(spec.tail ? { tail: spec.tail } : {}), ...(spec.after ? { after: spec.after } : {}) };
    const { urls, apiKey, ca } = endpoint.value;
    const running: Running = { info, sessions: [], states: urls.map(() => ({ kind: 'idle' })), capture };
    urls.forEach((baseUrl, i) => {
      const session = new StreamSession({
        request,
        ...(this.deps.backoff ? { backoff: this.deps.backoff } : {}),
        connect: (req, signal, handlers) => runStream({ baseUrl, apiKey, request: req, signal, ...(ca ? { ca } : {}), ...handlers }),
        listener: {
          onEvent: (raw, event) => this.#batcher.add(capture.appendEvent(raw, event)),
          onStatus: (entry) => this.#batcher.add(capture.appendStatus(entry)),
          onState: (state) => {
            running.states[i] = state;
            this.#state(info, combineStates(running.states));
          },
        },
      });
      running.sessions.push(session);
    });
    this.#streams.set(streamId, running);
    for (const session of running.sessions) void session.start();
    return ok(info);
  }

  #state(info: StreamInfo, state: StreamState): void {
    info.state = state;
    this.deps.sink.send('streams:state', { streamId: info.streamId, workspaceId: info.spec.workspaceId, profileId: info.spec.profileId, state });
  }

  #diskError(streamId: string, e: Error): void {
    this.deps.log?.(`capture write failed for ${streamId}: ${e.message}`);
    const s = this.#streams.get(streamId);
    s?.sessions.forEach((x) => x.stop(`Writing the capture failed (${e.message}); the stream was stopped so nothing goes unrecorded. Free disk space and start it again.`));
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

  /** Session statistics (events, bytes, duplicates, gaps, reconnects) of one stream. */
  stats(streamId: string): SessionStats | undefined {
    const s = this.#streams.get(streamId);
    if (!s) return undefined;
    const total: SessionStats = { events: 0, bytes: 0, duplicates: 0, gaps: 0, reconnects: 0, malformed: 0 };
    for (const x of s.sessions) for (const k of Object.keys(total) as (keyof SessionStats)[]) total[k] += x.stats[k];
    return total;
  }

  capture(streamId: string): Capture | undefined {
    return this.#streams.get(streamId)?.capture;
  }

  async getEvent(id: number): Promise<Result<TtsEvent>> {
    const s = this.#streams.get(`s${Math.floor(id / ID_SPACE)}`);
    const raw = await s?.capture.raw(id);
    if (raw === undefined) return err('not-found', `Event ${id} is not in any open capture.`);
    const parsed = JSON.parse(raw) as Record<string, unknown>;
    if (parsed[STATUS_KEY]) return err('not-found', `Entry ${id} is a status entry, not an event.`);
    return ok(parsed as unknown as TtsEvent);
  }

  async dispose(): Promise<void> {
    this.#batcher.dispose();
    for (const s of this.#streams.values()) {
      s.sessions.forEach((x) => x.stop('The app is closing.'));
      await s.capture.close();
    }
    this.#streams.clear();
  }
}
