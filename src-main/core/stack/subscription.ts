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
  /**
   * An event is queued as its bare JSON and framed as it is encoded (no `{"result":…}` string per event);
   * text already framed (the start event, a malformed object, a final error) and controls are objects.
   */
  #queue: QueueItem[] = [];
  /** Control items (stall, kill, end) in the queue: while there are none, a flush is one write. */
  #controls = 0;
  /** `}` and the delimiter after an event's JSON, as bytes (the `{"result":` before it is RESULT). */
  readonly #suffix: Buffer;
  /** Encode buffers whose bytes the socket has taken, for the next bursts. */
  readonly #spare: Buffer[] = [];
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
    this.#suffix = Buffer.from(`}${delimiter}`);
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
    this.#queue.push(json);
    this.#waiting++;
    this.sent++;
    const f = this.faults;
    if (f.malformedAfterEvents !== undefined && this.sent === f.malformedAfterEvents)
      this.#queue.push({ text: `{"result":{"name":"broken"${this.delimiter}` });
    if (f.stallAfterEvents !== undefined && this.sent === f.stallAfterEvents && f.stallMs)
      this.#control({ control: 'stall', ms: f.stallMs });
    if (f.errorAfterEvents !== undefined && this.sent >= f.errorAfterEvents)
      return this.endWithError(errors.streamAborted().status);
    if (f.closeAfterEvents !== undefined && this.sent >= f.closeAfterEvents) this.#control({ control: 'kill' });
    else if (f.closeProbability && this.random() < f.closeProbability) this.#control({ control: 'kill' });
  }

  /** Text sent as it is (already framed), not counted as an event. */
  sendRaw(text: string): void {
    this.#queue.push({ text });
  }

  #control(item: Control): void {
    this.#queue.push(item);
    this.#controls++;
  }

  /** Write what is queued (called once per publish batch, so a burst is one write). */
  flush(): void {
    if (this.#pumping || this.#closed) return;
    const f = this.faults;
    if (!f.chunkBytes && this.#controls === 0 && this.#stalledUntil === 0) {
      if (this.#queue.length === 0 || this.#backedUp) return;
      if (this.#gzip) this.#write(encodeAll(this.#queue, this.#suffix, undefined));
      else {
        // The burst goes into a buffer the socket has finished with, when there is one: a fresh megabyte
        // per burst cost its page faults (about a microsecond per event at full speed). zlib reads its
        // input later, so the gzip path keeps fresh buffers.
        const encoded = encodeAll(this.#queue, this.#suffix, this.#spare.pop());
        this.res.write(encoded, () => {
          // The encode buffer owns its memory (allocUnsafeSlow), so its ArrayBuffer is all of it.
          if (this.#spare.length < 2) this.#spare.push(Buffer.from(encoded.buffer));
        });
      }
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
        if (typeof item !== 'string' && 'control' in item) {
          this.#controls--;
          if (item.control === 'stall') {
            await sleep(item.ms);
            continue;
          }
          if (item.control === 'kill') this.drop();
          else this.#end();
          return;
        }
        let text: string;
        if (typeof item === 'string') {
          text = `{"result":${item}}${this.delimiter}`;
          this.#waiting = Math.max(0, this.#waiting - 1);
          if (this.#waiting <= this.capacity / 2) this.onRoom?.();
        } else text = item.text;
        const size = this.faults.chunkBytes;
        if (!size) {
          this.#write(text);
          continue;
        }
        const bytes = Buffer.from(text);
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
    this.#queue.push({ text: `${JSON.stringify({ error: status })}${this.delimiter}` });
    this.#control({ control: 'end' });
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

type Control = { control: 'stall'; ms: number } | { control: 'kill' } | { control: 'end' };
/** A queued event (its bare JSON), text already framed, or a control. */
type QueueItem = string | { text: string } | Control;

const RESULT = Buffer.from('{"result":');

/**
 * The queued messages as one buffer, each encoded straight into it with its framing around it: building
 * `{"result":…}` strings per event, or joining everything into one string first, costs another copy
 * of every byte (a burst is half a megabyte, at full speed several a second). Into `spare` when it is
 * big enough for the worst case.
 */
function encodeAll(items: QueueItem[], suffix: Buffer, spare: Buffer | undefined): Buffer {
  let units = 0;
  for (const m of items)
    units += typeof m === 'string' ? m.length + RESULT.length + suffix.length : 'text' in m ? m.text.length : 0;
  // UTF-8 takes at most 3 bytes per UTF-16 unit.
  const need = units * 3;
  const buf =
    spare && spare.length >= need ? spare : Buffer.allocUnsafeSlow(Math.max(64 << 10, 2 ** Math.ceil(Math.log2(need))));
  let at = 0;
  for (const m of items) {
    if (typeof m === 'string') {
      at += RESULT.copy(buf, at);
      at += buf.write(m, at);
      at += suffix.copy(buf, at);
    } else if ('text' in m) at += buf.write(m.text, at);
  }
  return buf.subarray(0, at);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
