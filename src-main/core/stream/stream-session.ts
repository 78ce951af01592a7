/**
 * One stream against one server, kept alive: connect, read, reconnect with backoff, resume without
 * loss, and say so in the capture when a window cannot be recovered.
 */
import type { Random } from '../../shared/ids.js';
import type { StreamState } from '../../shared/domain/stream.js';
import type { AppError } from '../../shared/result.js';
import type { StreamEventsRequest, TtsEvent } from '../../shared/tts/types.js';
import type { StatusEntry } from '../capture/capture-file.js';
import { redactSecrets } from '../../shared/redact.js';
import { eventTimeMs } from '../../shared/tts/event-time.js';
import { DEFAULT_BACKOFF, nextDelay, type BackoffOptions } from './backoff.js';
import type { DecodedMessage } from './decoder.js';
import { RecentIds } from './dedupe.js';
import type { StreamEnd, StreamOpenInfo } from './stream-client.js';
import { planRequest } from './request-policy.js';
import { firstRelease } from '../../shared/tts/catalog.js';

/** Runs one HTTP request (the real `runStream`, with URL and key bound). */
export type Connect = (
  request: StreamEventsRequest,
  signal: AbortSignal,
  handlers: {
    onOpen: (info: StreamOpenInfo) => void;
    onMessage: (m: DecodedMessage) => void;
    onBytes: (n: number) => void;
    /** Asked after each chunk: a promise means "wait for it before reading more" (back-pressure). */
    ready?: () => Promise<void> | undefined;
  },
) => Promise<StreamEnd>;

export interface SessionListener {
  /**
   * `bytes`: the same as `raw` as the UTF-8 bytes received, when the decoder had them (a capture copies those).
   * A listener that `dedupes` returns false for an event it already had (the session then counts a duplicate).
   */
  onEvent(raw: string, event: TtsEvent, bytes?: Uint8Array): unknown;
  /**
   * The listener recognises what this stream delivered before by `unique_id` (the capture index does, for
   * every stream of a workspace): the session keeps no set of its own, one lookup per event instead of two.
   */
  dedupes?: boolean;
  onStatus(entry: StatusEntry): void;
  onState(state: StreamState): void;
  /** A promise while the consumer (the capture's disk) is behind: reading pauses until it resolves. */
  ready?(): Promise<void> | undefined;
}

export interface SessionStats {
  events: number;
  bytes: number;
  duplicates: number;
  gaps: number;
  reconnects: number;
  malformed: number;
}

export interface SessionOptions {
  request: StreamEventsRequest;
  connect: Connect;
  listener: SessionListener;
  clock?: () => number;
  random?: Random;
  backoff?: BackoffOptions;
  /** How far before the last event a resume asks from (history is ms-granular and may overlap ~1 s). */
  overlapMs?: number;
  /**
   * How far back the server's events store reaches (TTS indexes events for 24 h by default). An outage
   * longer than this cannot be replayed even with a store, so its unreachable part is a gap.
   */
  storeWindowMs?: number;
  /**
   * Carry on a capture after the app was closed: the first request asks the server's event store for
   * what happened since `fromMs` (like a reconnect), and the `unique_id`s the capture already holds are
   * not stored again when that replay overlaps them.
   */
  resume?: { fromMs: number; recentIds: readonly string[] };
}

const iso = (ms: number) => new Date(ms).toISOString();
/** The server's `X-Warning` when it has no events store to replay history from. */
const noStore = (warning: string | undefined): warning is string =>
  !!warning && /storage is not enabled/i.test(warning);

export class StreamSession {
  readonly stats: SessionStats = { events: 0, bytes: 0, duplicates: 0, gaps: 0, reconnects: 0, malformed: 0 };
  #state: StreamState = { kind: 'idle' };
  #abort: AbortController | undefined;
  #stopped = false;
  #wake: (() => void) | undefined;
  readonly #recent: RecentIds | undefined;
  /** The first connection carries on a capture from before a restart (said once, not a reconnect). */
  #restarted = false;
  /** The server's lack of an events store was said once (a quiet stream reconnects before its first event). */
  #saidNoStore = false;
  /** Newest event time seen (ms), the resume point. */
  #lastEventMs: number | undefined;
  readonly #clock: () => number;
  readonly #random: Random;

  /** What is asked of the server: the options' request, less the names a server turned out not to define. */
  #request: StreamEventsRequest;

  constructor(private readonly options: SessionOptions) {
    this.#request = options.request;
    this.#clock = options.clock ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#recent = options.listener.dedupes ? undefined : new RecentIds();
    if (options.resume) {
      this.#restarted = true;
      this.#lastEventMs = options.resume.fromMs;
      if (this.#recent) for (const id of options.resume.recentIds) this.#recent.seen(id);
    }
  }

  get state(): StreamState {
    return this.#state;
  }

  start(): Promise<void> {
    return this.#run();
  }

  /** Stop for good; the capture keeps everything received. */
  stop(reason = 'Stopped by you.'): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#abort?.abort();
    this.#wake?.();
    this.#setState({ kind: 'stopped', reason });
  }

  /**
   * Every status entry goes into the capture and from there into exports: scrub secrets from its text,
   * which quotes what the server said (a malformed line, an error a server may echo the key into, #13).
   */
  #status(entry: StatusEntry): void {
    this.options.listener.onStatus({ ...entry, message: redactSecrets(entry.message) });
  }

  /**
   * A server older than a name of the filter refuses the whole request (400 no_matching_events or
   * unknown_event_name): the Console's default filter names `gcs.managed.*`, which TTS defines from 3.32 only.
   * The stream goes on without that one name, and says so; a filter of that name alone still stops it.
   */
  #withoutName(name: string): boolean {
    const names = this.#request.names ?? [];
    if (names.length < 2 || !names.includes(name)) return false;
    this.#request = { ...this.#request, names: names.filter((n) => n !== name) };
    const regexp = name.startsWith('/');
    const since = regexp ? undefined : firstRelease(name);
    this.#status({
      kind: 'warning',
      time: iso(this.#clock()),
      message:
        `The server defines no event ${regexp ? `matching ${name}` : `\`${name}\``}` +
        `${since ? ` (an event of The Things Stack ${since} and later)` : ' (an older release)'}: ` +
        `streaming the other ${names.length - 1} names of the filter without it.`,
    });
    return true;
  }

  #setState(state: StreamState): void {
    this.#state = state;
    this.options.listener.onState(state);
  }

  async #run(): Promise<void> {
    let attempt = 0;
    let lastError: AppError | undefined;
    while (!this.#stopped) {
      attempt++;
      this.#setState({ kind: 'connecting', attempt });
      const resumeFrom = this.#lastEventMs;
      // Every request asks for the server's largest buffer with `after` (see request-policy.ts).
      const plan = planRequest(this.#request, resumeFrom, this.#clock(), this.options.overlapMs ?? 1000);
      const request: StreamEventsRequest = plan.request;
      let receivedEvents = 0;
      let openedAt = 0;
      /** Server time of this connection's `events.stream.start`: events older than it are history. */
      let startMs: number | undefined;
      let historyCount = 0;
      let oldestHistory: string | undefined;
      /** The newest `keepHistory` history events, held until the history ends (the user's own small tail). */
      const held: { raw: string; event: TtsEvent; bytes: Uint8Array | undefined }[] = [];
      let heldTimer: ReturnType<typeof setTimeout> | undefined;
      const deliver = (raw: string, ev: TtsEvent, bytes: Uint8Array | undefined, ms = eventTimeMs(ev.time)) => {
        if (
          (ev.unique_id && this.#recent?.seen(ev.unique_id)) ||
          this.options.listener.onEvent(raw, ev, bytes) === false
        ) {
          this.stats.duplicates++;
          return;
        }
        receivedEvents++;
        this.stats.events++;
        if (!Number.isNaN(ms) && (this.#lastEventMs === undefined || ms > this.#lastEventMs)) this.#lastEventMs = ms;
      };
      const releaseHeld = () => {
        if (heldTimer) clearTimeout(heldTimer);
        heldTimer = undefined;
        for (const h of held.splice(0)) deliver(h.raw, h.event, h.bytes);
      };
      this.#abort = new AbortController();
      const end = await this.options.connect(request, this.#abort.signal, {
        onOpen: (info) => {
          openedAt = this.#clock();
          this.#setState({ kind: 'open', since: openedAt });
          const asked = this.#request;
          // History the user asked for, from a server that keeps none: it comes back empty, and says so only in a header.
          if (resumeFrom === undefined && !this.#saidNoStore && (asked.tail || asked.after) && noStore(info.warning)) {
            this.#saidNoStore = true;
            this.#status({
              kind: 'warning',
              time: iso(openedAt),
              message:
                `The server keeps no event history (X-Warning: ${info.warning}): the ` +
                `${asked.tail ? `last ${asked.tail} events` : `events since ${asked.after}`} ` +
                'you asked for cannot be replayed; only new events arrive.',
            });
          }
          if (resumeFrom !== undefined) {
            const restarted = this.#restarted;
            this.#restarted = false;
            if (!restarted) this.stats.reconnects++;
            this.#status({
              kind: 'reconnect',
              time: iso(openedAt),
              message: restarted
                ? `Event Desk was not running since ${iso(resumeFrom)}: asked the server for the events of that time.`
                : `Reconnected (attempt ${attempt}) after: ${lastError?.message ?? 'the connection ended'}`,
            });
            const window = this.options.storeWindowMs ?? 24 * 3600_000;
            const gap = (to: number, why: string) => {
              this.stats.gaps++;
              this.#status({
                kind: 'gap',
                time: iso(openedAt),
                from: iso(resumeFrom),
                to: iso(to),
                message: `Events between ${iso(resumeFrom)} and ${iso(to)} may be missing: ${why}.`,
              });
            };
            if (noStore(info.warning)) gap(openedAt, `the server keeps no event history (X-Warning: ${info.warning})`);
            // The store answers, but not that far back: the oldest part of the outage is lost.
            else if (openedAt - resumeFrom > window)
              gap(
                openedAt - window,
                `the connection was down longer than the server's event store reaches back (${Math.round(window / 3600_000)} h)`,
              );
          }
        },
        onMessage: (m) => {
          if (m.kind === 'malformed') {
            this.stats.malformed++;
            this.#status({
              kind: 'warning',
              time: iso(this.#clock()),
              message: `Skipped a malformed object from the server (${m.reason}): ${m.text.slice(0, 120)}`,
            });
            return;
          }
          if (m.kind !== 'event') return;
          const ev = m.event;
          if (ev.name === 'events.stream.start') {
            const t = eventTimeMs(ev.time);
            if (!Number.isNaN(t)) startMs = t;
            const filter = Array.isArray((ev.data as { value?: unknown } | undefined)?.value)
              ? (ev.data as { value: string[] }).value
              : undefined;
            const entry: StatusEntry = {
              kind: 'stream-start',
              time: ev.time,
              message: filter
                ? `Stream started; the server confirmed ${filter.length} event names.`
                : 'Stream started; no names filter: every event of these entities that the key can see.',
            };
            if (filter) entry.filter = filter;
            this.#status(entry);
            return;
          }
          const ms = eventTimeMs(ev.time);
          const isHistory = startMs !== undefined && !Number.isNaN(ms) && ms < startMs;
          if (isHistory) {
            historyCount++;
            if (oldestHistory === undefined || ev.time < oldestHistory) oldestHistory = ev.time;
            // A cut history reply: the server sent the newest `tail` events since `after` and no older ones.
            // Only when the reply does not reach back to the resume point (the overlap's duplicates count too).
            if (
              historyCount === plan.historyCap &&
              resumeFrom !== undefined &&
              oldestHistory &&
              Date.parse(oldestHistory) > resumeFrom
            ) {
              this.stats.gaps++;
              this.#status({
                kind: 'gap',
                time: iso(this.#clock()),
                from: iso(resumeFrom),
                to: oldestHistory,
                message:
                  `Events between ${iso(resumeFrom)} and ${oldestHistory} may be missing: the server replays at ` +
                  `most ${plan.historyCap} events of history per request, and that many came back.`,
              });
            }
            if (plan.keepHistory !== undefined) {
              held.push({ raw: m.raw, event: ev, bytes: m.bytes });
              if (held.length > plan.keepHistory) held.shift();
              if (heldTimer) clearTimeout(heldTimer);
              // History arrives first and in one go; a short quiet spell means it is over.
              heldTimer = setTimeout(releaseHeld, 300);
              return;
            }
          } else if (held.length > 0) releaseHeld();
          deliver(m.raw, ev, m.bytes, ms);
        },
        onBytes: (n) => {
          this.stats.bytes += n;
        },
        ready: () => this.options.listener.ready?.(),
      });
      releaseHeld();
      if (this.#stopped || end.kind === 'aborted') break;
      // Before the first event, the resume point is "now": anything from here on is worth asking for.
      if (this.#lastEventMs === undefined && openedAt > 0) this.#lastEventMs = openedAt;

      let afterMs: number | undefined;
      if (end.kind === 'eof') {
        lastError = { code: 'network', message: 'The server closed the stream.' };
      } else {
        lastError = end.failure.error;
        const advice = end.failure.advice;
        if (!advice.retry && advice.without && this.#withoutName(advice.without)) {
          attempt = 0;
          continue;
        }
        if (!advice.retry) {
          this.#stopped = true;
          this.#status({ kind: 'stopped', time: iso(this.#clock()), message: lastError.message });
          this.#setState({ kind: 'stopped', reason: lastError.message, error: lastError });
          return;
        }
        afterMs = advice.afterMs;
      }
      // A stream that worked for a while starts its backoff afresh.
      if (receivedEvents > 0 || (openedAt > 0 && this.#clock() - openedAt > 30_000)) attempt = 0;
      const delay = afterMs ?? nextDelay(attempt + 1, this.#random, this.options.backoff ?? DEFAULT_BACKOFF);
      this.#setState({ kind: 'retrying', attempt: attempt + 1, retryAt: this.#clock() + delay, lastError });
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        this.#wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }
}
