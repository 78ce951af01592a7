/**
 * One subscriber of the built-in stack: its channel of `clamp(tail, 8, 1024)` events (dropping silently when
 * full, as TTS does), the socket it writes to, and the faults it can be made to suffer.
 */
import type http from 'node:http';
import zlib from 'node:zlib';
import type { Random } from '../../shared/ids.js';
import type { TtsStatus } from '../../shared/tts/types.js';
import { rightsOn, type StackKey } from './auth.js';
import { errors } from './errors.js';
import { entityKey, type RequestedEntity } from './request.js';
import type { StackEvent } from './scenario.js';

/** Faults a stream can be made to suffer; set for new streams, or on open ones at run time. */
export interface Faults {
  /** Destroy the connection after this many events (not counting `events.stream.start`). */
  closeAfterEvents?: number;
  /** Destroy the connection at each event with this probability (seeded). */
  closeProbability?: number;
  /** After this many events, send no bytes for `stallMs`. */
  stallAfterEvents?: number;
  stallMs?: number;
  /** Write every message in pieces of this many bytes. */
  chunkBytes?: number;
  /** Delay between pieces (slow drip); needs `chunkBytes`. */
  dripDelayMs?: number;
  /** Send a malformed object after this many events, then go on. */
  malformedAfterEvents?: number;
  /** End with a final `{"error":…}` (code 14, unavailable) after this many events. */
  errorAfterEvents?: number;
  /** Answer the next `httpErrorCount` stream requests with this status. */
  httpError?: 429 | 500 | 503;
  httpErrorCount?: number;
  /** `X-Rate-Limit-Retry` seconds on injected 429s. */
  retryAfterSec?: number;
  /** Drop events (as the real server does for slow consumers) when more than this many wait to be written. */
  slowConsumerBuffer?: number;
}

/** The real server's per-subscriber channel: `clamp(tail, 8, 1024)` events (`pkg/events/grpc/grpc.go`). */
export function serverBufferSize(tail: number | undefined): number {
  return Math.min(1024, Math.max(8, Math.floor(tail ?? 0)));
}

export class Subscription {
  sent = 0;
  dropped = 0;
  /** Events waiting for the sender; more than `capacity` are dropped silently, as `handler.go` does. */
  #waiting = 0;
  #queue: string[] = [];
  /** Control items (`\u0000stall:…`, `\u0000kill`, `\u0000end`) in the queue: while there are none, a flush is one write. */
  #controls = 0;
  #pumping = false;
  #stalledUntil = 0;
  #closed = false;
  #gzip: zlib.Gzip | undefined;
  #rights = new Map<string, Set<string>>();
  readonly #keys: Set<string>;
  /** Called when the channel has emptied into the socket (a `--rate max` stack then generates again). */
  onRoom: (() => void) | undefined;

  constructor(
    private readonly res: http.ServerResponse,
    readonly entities: RequestedEntity[],
    readonly names: Set<string> | undefined,
    readonly key: StackKey | undefined,
    private readonly delimiter: string,
    gzip: boolean,
    public faults: Faults,
    private readonly random: Random,
    private readonly onDone: (s: Subscription) => void,
    private readonly onDrop: () => void = () => undefined,
    readonly capacity = 1024,
  ) {
    this.#keys = new Set(entities.map((e) => e.key));
    if (gzip) {
      this.#gzip = zlib.createGzip();
      this.#gzip.pipe(res);
    }
    res.on('close', () => this.#finish());
    // A consumer that stops reading fills the socket; events then wait here (and, with the
    // slow-consumer fault, are dropped as the real server does) until the socket drains.
    res.on('drain', () => this.flush());
    this.#gzip?.on('drain', () => this.flush());
  }

  /** Events in the channel, not yet written: a `--rate max` stack generates only while there is room. */
  get queued(): number {
    return this.#waiting;
  }

  /** The socket (or gzip stream) has more than it can take: hold events back. */
  get #backedUp(): boolean {
    return this.#gzip ? this.#gzip.writableNeedDrain || this.res.writableNeedDrain : this.res.writableNeedDrain;
  }

  /** Does this subscription receive the event (identifiers, names, visibility)? */
  matches(ev: StackEvent): boolean {
    if (this.names && !this.names.has(ev.name)) return false;
    const k = entityKey(ev.entity.kind, ev.entity.id, ev.entity.application);
    const direct = this.#keys.has(k);
    const viaApp =
      !direct &&
      ev.entity.kind === 'device' &&
      ev.propagates &&
      this.#keys.has(`application:${ev.entity.application ?? ''}`);
    if (!direct && !viaApp) return false;
    return this.visible(ev);
  }

  visible(ev: StackEvent): boolean {
    if (ev.rights.length === 0) return true;
    if (!this.key) return false;
    const k = entityKey(ev.entity.kind, ev.entity.id, ev.entity.application);
    let rights = this.#rights.get(k);
    if (!rights) {
      rights = rightsOn(this.key, ev.entity.kind, ev.entity.id, ev.entity.application);
      this.#rights.set(k, rights);
    }
    return ev.rights.some((r) => rights.has(r));
  }

  /**
   * Offer one event to the subscriber's channel. Like TTS, the publisher never waits: when the channel
   * already holds `capacity` events the sender has not written yet, the event is dropped and only the
   * stack's own stats count it (the client cannot tell).
   */
  sendEvent(json: string): void {
    if (this.#closed) return;
    const limit = Math.min(this.capacity, this.faults.slowConsumerBuffer ?? Infinity);
    if (this.#waiting >= limit) {
      this.dropped++;
      this.onDrop();
      return;
    }
    this.#queue.push(`{"result":${json}}${this.delimiter}`);
    this.#waiting++;
    this.sent++;
    const f = this.faults;
    if (f.malformedAfterEvents !== undefined && this.sent === f.malformedAfterEvents)
      this.#queue.push(`{"result":{"name":"broken"${this.delimiter}`);
    if (f.stallAfterEvents !== undefined && this.sent === f.stallAfterEvents && f.stallMs)
      this.#control(`\u0000stall:${f.stallMs}`);
    if (f.errorAfterEvents !== undefined && this.sent >= f.errorAfterEvents)
      return this.endWithError(errors.streamAborted().status);
    if (f.closeAfterEvents !== undefined && this.sent >= f.closeAfterEvents) this.#control('\u0000kill');
    else if (f.closeProbability && this.random() < f.closeProbability) this.#control('\u0000kill');
  }

  sendRaw(text: string): void {
    this.#queue.push(text);
  }

  #control(item: string): void {
    this.#queue.push(item);
    this.#controls++;
  }

  /** Write what is queued (called once per publish batch, so a burst is one write). */
  flush(): void {
    if (this.#pumping || this.#closed) return;
    const f = this.faults;
    if (!f.chunkBytes && this.#controls === 0 && this.#stalledUntil === 0) {
      if (this.#queue.length === 0 || this.#backedUp) return;
      this.#write(encodeAll(this.#queue));
      this.#queue = [];
      this.#waiting = 0;
      this.onRoom?.();
      return;
    }
    void this.#pump();
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      while (this.#queue.length > 0 && !this.#closed) {
        const item = this.#queue.shift()!;
        if (item.charCodeAt(0) === 0) this.#controls--;
        else if (item.startsWith('{"result"')) {
          this.#waiting = Math.max(0, this.#waiting - 1);
          if (this.#waiting <= this.capacity / 2) this.onRoom?.();
        }
        if (item.startsWith('\u0000stall:')) {
          await sleep(Number(item.slice(7)));
          continue;
        }
        if (item === '\u0000kill') {
          this.drop();
          return;
        }
        if (item === '\u0000end') {
          this.#end();
          return;
        }
        const size = this.faults.chunkBytes;
        if (!size) {
          this.#write(item);
          continue;
        }
        const bytes = Buffer.from(item);
        for (let i = 0; i < bytes.length && !this.#closed; i += size) {
          this.#write(bytes.subarray(i, i + size));
          if (this.faults.dripDelayMs) await sleep(this.faults.dripDelayMs);
          else await new Promise<void>((r) => setImmediate(r));
        }
      }
    } finally {
      this.#pumping = false;
      if (this.#waiting === 0) this.onRoom?.();
    }
  }

  #write(data: string | Buffer): void {
    if (this.#gzip) {
      this.#gzip.write(data);
      // Each message is flushed through gzip as the real server does (gzhttp sync flush).
      this.#gzip.flush(zlib.constants.Z_SYNC_FLUSH);
    } else {
      this.res.write(data);
    }
  }

  /** Send a final error object and close (mid-stream termination, PROTOCOL.md 2.5). */
  endWithError(status: TtsStatus): void {
    this.#queue.push(`${JSON.stringify({ error: status })}${this.delimiter}`);
    this.#control('\u0000end');
    this.flush();
  }

  #end(): void {
    if (this.#gzip) this.#gzip.end();
    else this.res.end();
    this.#finish();
  }

  /** Close the TCP connection once what was written is sent, without ending the HTTP body. */
  drop(): void {
    if (this.#gzip) this.#gzip.flush(zlib.constants.Z_SYNC_FLUSH, () => this.res.socket?.destroySoon());
    else this.res.socket?.destroySoon();
    this.#finish();
  }

  /** Drop the TCP connection at once: bytes not yet sent are lost, as in a network failure. */
  kill(): void {
    this.res.socket?.destroy();
    this.#finish();
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue = [];
    this.#controls = 0;
    this.#waiting = 0;
    this.onDone(this);
  }
}

/**
 * The queued messages as one buffer, each encoded straight into it: joining them into one string first
 * and letting the socket encode that costs a second copy of every byte (a burst is half a megabyte).
 */
function encodeAll(messages: string[]): Buffer {
  let units = 0;
  for (const m of messages) units += m.length;
  // UTF-8 takes at most 3 bytes per UTF-16 unit; the pages past what is written are never touched.
  const buf = Buffer.allocUnsafe(units * 3);
  let at = 0;
  for (const m of messages) at += buf.write(m, at);
  return buf.subarray(0, at);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
