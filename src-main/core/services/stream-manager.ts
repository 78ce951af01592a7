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
import { STATUS_KEY, type StatusEntry } from '../capture/capture-file.js';
import { runStream } from '../stream/stream-client.js';
import { StreamSession, type SessionStats } from '../stream/stream-session.js';
import type { BackoffOptions } from '../stream/backoff.js';
import { EventBatcher } from './event-batcher.js';
import { compileQuery } from '../../shared/query/query.js';
import type { PageRequest, PageResult } from '../../shared/ipc/contract.js';
import { analyzeChain, collectChain, isLinkingId, scanSource, type Chain } from '../../shared/correlation/chain.js';
import { summarizeEvent, type EventSummary } from '../../shared/domain/summary.js';
import { getJson } from '../stream/http-get.js';

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
  /** The segment being written (the newest of `segments`). */
  capture: Capture;
  /** Capture files of this stream, oldest first; retention removes from the front. */
  segments: Capture[];
  rotating: boolean;
  /** The next segment, opened ahead of time so switching to it is immediate. */
  next?: { n: number; capture: Capture };
  /** Events retention removed, and the time before which they were. */
  removed: number;
}

/** How much of each stream's capture is kept (on disk and in the index). */
export interface Retention {
  maxEvents: number;
  maxBytes: number;
}

export const DEFAULT_RETENTION: Retention = { maxEvents: 2_000_000, maxBytes: 4 * 1024 ** 3 };

/** One state for a stream served by several component URLs: a stop or retry matters more than "open". */
export function combineStates(states: readonly StreamState[]): StreamState {
  const rank = { stopped: 4, retrying: 3, connecting: 2, idle: 1, open: 0 } as const;
  let best = states[0] ?? ({ kind: 'idle' } as StreamState);
  for (const s of states) if (rank[s.kind] > rank[best.kind]) best = s;
  return best;
}

const ID_SPACE = 1_000_000_000;
/** The profile id of streams that came from a file. */
export const IMPORTED_PROFILE = 'imported';
/** Backfilled events get ids above every stream's range. */
const BACKFILL_BASE = 1_000_000 * ID_SPACE;

export class StreamManager {
  readonly #streams = new Map<string, Running>();
  /** Segment number (id / ID_SPACE) → its stream and capture: every id lookup goes through here. */
  readonly #bases = new Map<number, { running: Running; capture: Capture }>();
  retention: Retention = { ...DEFAULT_RETENTION };
  readonly #batcher: EventBatcher;
  /** Events fetched from `events/related`, per workspace: in memory only, marked as backfilled. */
  readonly #backfill = new Map<string, { summaries: EventSummary[]; raw: Map<number, string> }>();
  #nextBackfill = 0;
  #next = 1;

  constructor(private readonly deps: { dataDir: string; sink: PushSink; resolve: ResolveEndpoint; backoff?: BackoffOptions; log?: (msg: string) => void }) {
    this.#batcher = new EventBatcher(deps.sink);
  }

  async #openSegment(streamId: string, label = ''): Promise<Result<{ n: number; capture: Capture }>> {
    const n = this.#next++;
    const dir = path.join(this.deps.dataDir, 'captures');
    try {
      await fs.mkdir(dir, { recursive: true });
      const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${streamId}${n === Number(streamId.slice(1)) ? '' : `-part${n}`}${label}.ndjson`);
      const { capture } = await Capture.open(file, streamId, n * ID_SPACE, { onError: (e) => this.#diskError(streamId, e) });
      return ok({ n, capture });
    } catch (e) {
      return err('io', `The capture file could not be created in ${dir}: ${(e as Error).message}. Free some disk space or check permissions.`);
    }
  }

  async start(spec: StreamSpec): Promise<Result<StreamInfo>> {
    const endpoint = await this.deps.resolve(spec.profileId);
    if (!endpoint.ok) return endpoint;
    const streamId = `s${this.#next}`;
    const seg = await this.#openSegment(streamId);
    if (!seg.ok) return seg;
    const { capture } = seg.value;
    const info: StreamInfo = { streamId, spec, state: { kind: 'idle' } };
    const request = { identifiers: spec.entities.map(toIdentifiers), ...(spec.names.length ? { names: spec.names } : {}), ...(spec.tail ? { tail: spec.tail } : {}), ...(spec.after ? { after: spec.after } : {}) };
    const { urls, apiKey, ca } = endpoint.value;
    const running: Running = { info, sessions: [], states: urls.map(() => ({ kind: 'idle' })), capture, segments: [capture], rotating: false, removed: 0 };
    this.#bases.set(seg.value.n, { running, capture });
    urls.forEach((baseUrl, i) => {
      const session = new StreamSession({
        request,
        ...(this.deps.backoff ? { backoff: this.deps.backoff } : {}),
        connect: (req, signal, handlers) => runStream({ baseUrl, apiKey, request: req, signal, ...(ca ? { ca } : {}), ...handlers }),
        listener: {
          onEvent: (raw, event) => {
            this.#batcher.add(running.capture.appendEvent(raw, event));
            this.#retain(running);
          },
          onStatus: (entry) => this.#batcher.add(running.capture.appendStatus(entry)),
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

  /**
   * Retention: a stream's capture is a series of segment files. The next file is opened when the one
   * being written is half full (an eighth of the limits is a full segment), so the switch happens on
   * the event that fills it, not after a burst has piled in. Whole oldest segments are then removed
   * while what stays is still at least the limit, and a status entry says what went.
   */
  #retain(running: Running): void {
    const r = this.retention;
    const c = running.capture;
    const fill = Math.max(c.summaries.length / Math.max(1000, r.maxEvents / 8), c.file.size / Math.max(1024 * 1024, r.maxBytes / 8));
    if (fill >= 0.5 && !running.next && !running.rotating) {
      running.rotating = true;
      void this.#openSegment(running.info.streamId).then((seg) => {
        running.rotating = false;
        if (!seg.ok) return this.deps.log?.(seg.error.message);
        running.next = seg.value;
      });
    }
    if (fill < 1 || !running.next) return;
    const { n, capture } = running.next;
    running.next = undefined;
    running.capture = capture;
    running.segments.push(capture);
    this.#bases.set(n, { running, capture });
    let removed = 0;
    let before = '';
    let events = running.segments.reduce((a, x) => a + x.summaries.length, 0);
    let bytes = running.segments.reduce((a, x) => a + x.file.size, 0);
    const dropped: Capture[] = [];
    while (running.segments.length > 1) {
      const oldest = running.segments[0]!;
      if (events - oldest.summaries.length < r.maxEvents && bytes - oldest.file.size < r.maxBytes) break;
      running.segments.shift();
      events -= oldest.summaries.length;
      bytes -= oldest.file.size;
      removed += oldest.eventCount;
      before = oldest.summaries.at(-1)?.time ?? before;
      for (const [k, b] of this.#bases) if (b.capture === oldest) this.#bases.delete(k);
      dropped.push(oldest);
    }
    if (removed === 0) return;
    running.removed += removed;
    this.#batcher.add(capture.appendStatus({ kind: 'retention', time: new Date().toISOString(), message: `Retention removed ${removed.toLocaleString('en')} older events (up to ${before}) to stay within ${r.maxEvents.toLocaleString('en')} events / ${(r.maxBytes / 1024 ** 3).toFixed(1)} GB for this stream. Change the limit under Retention.` }));
    void (async () => {
      for (const old of dropped) {
        await old.close();
        await fs.unlink(old.file.path).catch((e: Error) => this.deps.log?.(`could not delete ${old.file.path}: ${e.message}`));
      }
    })();
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

  /**
   * A page of the workspace's retained entries before a cursor, through a query. Each capture is in
   * arrival order (close to time order), so it is scanned from its newest end and the scan stops once
   * it has `limit` matches: a page costs about what it returns, not the size of the capture.
   */
  page(req: PageRequest): Result<PageResult> {
    const q = compileQuery(req.query);
    if (!q.ok) return err('invalid-input', `The filter is not valid: ${q.error.message}`);
    const before = req.before;
    const older = (s: EventSummary) => !before || s.ms < before.ms || (s.ms === before.ms && s.id < before.id);
    let found: EventSummary[] = [];
    let more = false;
    let retained = 0;
    for (const { capture } of this.workspaceStreams(req.workspaceId)) {
      const list = capture.summaries;
      retained += list.length;
      let taken = 0;
      for (let i = list.length - 1; i >= 0; i--) {
        const s = list[i]!;
        if (!older(s) || !q.test(s)) continue;
        if (taken === req.limit) {
          more = true;
          break;
        }
        found.push(s);
        taken++;
      }
    }
    found.sort((a, b) => a.ms - b.ms || a.id - b.id);
    if (found.length > req.limit) {
      more = true;
      found = found.slice(found.length - req.limit);
    }
    return ok({ entries: found, more, retained });
  }

  /** The streams of one workspace with their captures (live and imported). */
  workspaceStreams(workspaceId: string): { info: StreamInfo; capture: Capture }[] {
    return [...this.#streams.values()].filter((s) => s.info.spec.workspaceId === workspaceId).flatMap((s) => s.segments.map((capture) => ({ info: s.info, capture })));
  }

  /** Ids of the events in an event's chain (for exporting one chain). */
  chainIds(id: number): Result<number[]> {
    const r = this.chain(id);
    return r.ok ? ok(r.value.steps.map((s) => s.event.id).filter((x) => x < BACKFILL_BASE)) : r;
  }

  /**
   * A capture for events read from a file: it behaves like a stream that has ended (same list,
   * detail, filter, chains and export), fed by the importer instead of a server.
   */
  async openImported(workspaceId: string, source: string): Promise<Result<{ info: StreamInfo; append: (raw: string, event: TtsEvent) => void; status: (entry: StatusEntry) => void; finish: () => Promise<void> }>> {
    const n = this.#next++;
    const streamId = `s${n}`;
    const dir = path.join(this.deps.dataDir, 'captures');
    await fs.mkdir(dir, { recursive: true });
    const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${streamId}-imported.ndjson`);
    let capture: Capture;
    try {
      ({ capture } = await Capture.open(file, streamId, n * ID_SPACE));
    } catch (e) {
      return err('io', `The import could not be stored in ${dir}: ${(e as Error).message}. Free some disk space or check permissions.`);
    }
    const info: StreamInfo = { streamId, spec: { workspaceId, profileId: IMPORTED_PROFILE, entities: [], names: [] }, state: { kind: 'stopped', reason: `Imported from ${source}` }, source };
    const running: Running = { info, sessions: [], states: [], capture, segments: [capture], rotating: false, removed: 0 };
    this.#streams.set(streamId, running);
    this.#bases.set(n, { running, capture });
    this.#state(info, info.state);
    return ok({
      info,
      append: (raw, event) => this.#batcher.add(capture.appendEvent(raw, event)),
      status: (entry) => this.#batcher.add(capture.appendStatus(entry)),
      finish: () => capture.file.flush(),
    });
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

  /** The correlation chain of an event, among the streams of its workspace (one scan per hop, no extra index). */
  chain(id: number): Result<Chain> {
    const start = this.#summary(id);
    const workspace = this.#workspaceOf(id);
    if (!start || !workspace) return err('not-found', `Event ${id} is not in any open capture.`);
    if (start.kind !== 'event') return err('invalid-input', 'Status entries belong to no correlation chain.');
    const { events, truncated } = collectChain(id, this.#chainSource(workspace));
    return ok(analyzeChain(events, truncated));
  }

  #chainSource(workspace: string) {
    const captures = [...this.#streams.values()].filter((s) => s.info.spec.workspaceId === workspace).flatMap((s) => s.segments);
    const backfill = this.#backfill.get(workspace)?.summaries ?? [];
    return scanSource(() => [...captures.map((c) => c.summaries), backfill], (x) => this.#summary(x));
  }

  #workspaceOf(id: number): string | undefined {
    if (id >= BACKFILL_BASE) {
      for (const [ws, b] of this.#backfill) if (b.raw.has(id)) return ws;
      return undefined;
    }
    return this.#bases.get(Math.floor(id / ID_SPACE))?.running.info.spec.workspaceId;
  }

  #summary(id: number): EventSummary | undefined {
    if (id >= BACKFILL_BASE) {
      for (const b of this.#backfill.values()) {
        const s = b.summaries.find((x) => x.id === id);
        if (s) return s;
      }
      return undefined;
    }
    return this.#bases.get(Math.floor(id / ID_SPACE))?.capture.summary(id);
  }

  /**
   * Ask the server (its events store) for the rest of an event's chain: `GET /api/v3/events/related`
   * for each of the chain's linking IDs. What comes back is kept apart from the capture and marked.
   */
  async backfill(id: number): Promise<Result<Chain>> {
    const workspace = this.#workspaceOf(id);
    const start = this.#summary(id);
    const owner = start && this.#streams.get(start.streamId);
    if (!workspace || !owner) return err('not-found', `Event ${id} is not in any open capture.`);
    const before = collectChain(id, this.#chainSource(workspace));
    const ids = [...new Set(before.events.flatMap((e) => e.correlationIds).filter(isLinkingId))].slice(0, 8);
    if (ids.length === 0) return err('invalid-input', 'This event carries no correlation ID to look up.');
    const endpoint = await this.deps.resolve(owner.info.spec.profileId);
    if (!endpoint.ok) return endpoint;
    const known = new Set(before.events.map((e) => `${e.name}|${e.time}`));
    const store = this.#backfill.get(workspace) ?? this.#backfill.set(workspace, { summaries: [], raw: new Map() }).get(workspace)!;
    for (const s of store.summaries) known.add(`${s.name}|${s.time}`);
    for (const cid of ids) {
      for (const url of endpoint.value.urls) {
        const r = await getJson({ baseUrl: url, path: `/api/v3/events/related?correlation_id=${encodeURIComponent(cid)}`, apiKey: endpoint.value.apiKey, ...(endpoint.value.ca ? { ca: endpoint.value.ca } : {}) });
        if (!r.ok) {
          if (/storage/i.test(r.error.detail ?? '')) return err('not-found', 'The server keeps no event history (its events store is off), so there is nothing to backfill from.', r.error.detail);
          return r;
        }
        const list = (r.value as { events?: unknown }).events;
        for (const ev of Array.isArray(list) ? list : []) {
          const event = ev as TtsEvent;
          if (typeof event?.name !== 'string' || typeof event.time !== 'string') continue;
          const key = `${event.name}|${event.time}`;
          if (known.has(key)) continue;
          known.add(key);
          const sid = BACKFILL_BASE + this.#nextBackfill++;
          store.summaries.push({ ...summarizeEvent(event, sid, owner.info.streamId), backfilled: true });
          store.raw.set(sid, JSON.stringify(event));
        }
      }
    }
    const { events, truncated } = collectChain(id, this.#chainSource(workspace));
    return ok(analyzeChain(events, truncated));
  }

  async getEvent(id: number): Promise<Result<TtsEvent>> {
    if (id >= BACKFILL_BASE) {
      for (const b of this.#backfill.values()) {
        const raw = b.raw.get(id);
        if (raw) return ok(JSON.parse(raw) as TtsEvent);
      }
      return err('not-found', `Backfilled event ${id} is no longer in memory.`);
    }
    const raw = await this.#bases.get(Math.floor(id / ID_SPACE))?.capture.raw(id);
    if (raw === undefined) return err('not-found', `Event ${id} is no longer in the capture (removed by retention, or its workspace was closed).`);
    const parsed = JSON.parse(raw) as Record<string, unknown>;
    if (parsed[STATUS_KEY]) return err('not-found', `Entry ${id} is a status entry, not an event.`);
    return ok(parsed as unknown as TtsEvent);
  }

  async dispose(): Promise<void> {
    this.#batcher.dispose();
    for (const s of this.#streams.values()) {
      s.sessions.forEach((x) => x.stop('The app is closing.'));
      for (const c of s.segments) await c.close();
      if (s.next) {
        await s.next.capture.close();
        await fs.unlink(s.next.capture.file.path).catch(() => undefined);
      }
    }
    this.#streams.clear();
    this.#bases.clear();
  }
}
