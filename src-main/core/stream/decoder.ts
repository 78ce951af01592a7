/**
 * Decodes the body of `POST /api/v3/events` in all three framings a client meets:
 *
 * 1. TTS "event-stream" mode: `{"result":…}` objects each followed by a blank line (not real SSE);
 * 2. plain mode: newline-delimited JSON;
 * 3. standard SSE `data:` lines, as a proxy or a future server may send (parsed with eventsource-parser).
 *
 * The framing is detected from the first non-blank byte, so a mislabelled Content-Type does not matter.
 * Works on raw bytes: a `\n` byte never occurs inside a UTF-8 sequence, so chunks may split anywhere.
 */
import { createParser, type EventSourceParser } from 'eventsource-parser';
import type { TtsEvent, TtsStatus } from '../../shared/tts/types.js';
import { stringifyDeep } from '../../shared/json/bounded.js';
import { DEFAULT_MAX_LINE_BYTES, LineAssembler } from './line-assembler.js';

export type DecodedMessage =
  /**
   * `raw` is the event's JSON text exactly as the server sent it (without the `result` wrapper), and
   * `bytes` the same as the UTF-8 bytes received, when the line had the compact wrapper: a capture
   * copies those instead of encoding the text again (that encoding was ~8 % of ingest).
   */
  | { kind: 'event'; event: TtsEvent; raw: string; bytes?: Uint8Array }
  | { kind: 'error'; status: TtsStatus }
  | { kind: 'malformed'; text: string; reason: string };

type Mode = 'detect' | 'lines' | 'sse';

export class StreamDecoder {
  #mode: Mode = 'detect';
  #sse: EventSourceParser | undefined;
  #text = new TextDecoder('utf-8');
  readonly #lines: LineAssembler;

  /** `maxLineBytes`: a longer object is reported as malformed and skipped; the ones after it still decode. */
  readonly #max: number;

  constructor(
    private readonly onMessage: (message: DecodedMessage) => void,
    options: { maxLineBytes?: number } = {},
  ) {
    const max = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.#max = max;
    this.#lines = new LineAssembler(
      {
        line: (bytes) => this.#line(bytes),
        tooLong: (head) =>
          this.onMessage({
            kind: 'malformed',
            text: head.toString('utf8'),
            reason: `an object larger than ${formatBytes(max)} was skipped`,
          }),
      },
      { maxLineBytes: max },
    );
  }

  push(chunk: Uint8Array): void {
    let buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.#mode === 'detect') {
      // Leading blank bytes mean nothing in either framing: drop them rather than collect them.
      const first = firstNonBlank(buf);
      if (first < 0) return;
      buf = buf.subarray(first);
      this.#mode = buf[0] === 0x7b /* { */ ? 'lines' : 'sse';
    }
    if (this.#mode === 'sse') {
      if (this.#sseSkipping) {
        // The rest of an event past the cap: drop bytes up to the end of its line.
        const nl = buf.indexOf(0x0a);
        if (nl < 0) return;
        buf = buf.subarray(nl + 1);
        this.#sseSkipping = false;
        this.#text = new TextDecoder('utf-8');
      }
      const parser = this.#sseParser();
      parser.feed(this.#text.decode(buf, { stream: true }));
      // Past the cap the parser stops (and has said so through onError): start again after that line.
      if (this.#sseOverflow) {
        this.#sseOverflow = false;
        this.#sseSkipping = true;
        parser.reset();
      }
      return;
    }
    this.#lines.push(buf);
  }

  /** The body ended: decode whatever is left (a last object without its delimiter still counts). */
  end(): void {
    if (this.#mode === 'sse') {
      this.#sseParser().feed(this.#text.decode() + '\n\n');
      return;
    }
    const rest = this.#lines.end();
    if (rest && rest.length > 0) this.#line(rest);
  }

  #line(bytes: Buffer): void {
    if (bytes.length === 0) return;
    const cr = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d;
    const line = cr ? bytes.subarray(0, -1) : bytes;
    const text = line.toString('utf8');
    // A line that starts with `{` (every event's) is not blank: only others need the whitespace test.
    if (line[0] !== 0x7b && text.trim() === '') return;
    this.#object(text, line);
  }

  #object(text: string, bytes?: Buffer): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      this.onMessage({ kind: 'malformed', text: text.slice(0, 200), reason: (e as Error).message });
      return;
    }
    this.onMessage(classify(parsed, text, bytes));
  }

  #sseOverflow = false;
  #sseSkipping = false;

  #sseParser(): EventSourceParser {
    this.#sse ??= createParser({
      onEvent: (event) => this.#object(event.data),
      // The same cap as for lines: an event that never ends must not grow without bound.
      maxBufferSize: this.#max,
      onError: (e) => {
        if (e.type !== 'max-buffer-size-exceeded') return;
        this.#sseOverflow = true;
        this.onMessage({
          kind: 'malformed',
          text: '',
          reason: `an event larger than ${formatBytes(this.#max)} was skipped`,
        });
      },
    });
    return this.#sse;
  }
}

const RESULT_PREFIX = '{"result":';

function classify(parsed: unknown, text: string, bytes: Buffer | undefined): DecodedMessage {
  if (typeof parsed === 'object' && parsed !== null) {
    const o = parsed as Record<string, unknown>;
    if (isEvent(o.result)) {
      // Keep the server's own bytes for the capture when the wrapper is the compact form it always writes
      // (ASCII prefix and closing brace: the same count of characters and of bytes).
      if (text.startsWith(RESULT_PREFIX) && text.endsWith('}')) {
        const raw = text.slice(RESULT_PREFIX.length, -1);
        return bytes
          ? { kind: 'event', event: o.result, raw, bytes: bytes.subarray(RESULT_PREFIX.length, -1) }
          : { kind: 'event', event: o.result, raw };
      }
      return { kind: 'event', event: o.result, raw: stringifyDeep(o.result) };
    }
    if (isStatus(o.error)) return { kind: 'error', status: o.error };
    if (isStatus(o) && o.result === undefined) return { kind: 'error', status: o };
    if (isEvent(o))
      return bytes ? { kind: 'event', event: o, raw: text, bytes } : { kind: 'event', event: o, raw: text };
  }
  return { kind: 'malformed', text: text.slice(0, 200), reason: 'not an event or an error object' };
}

function isEvent(v: unknown): v is TtsEvent {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as TtsEvent).name === 'string' &&
    typeof (v as TtsEvent).time === 'string'
  );
}

function isStatus(v: unknown): v is TtsStatus {
  return typeof v === 'object' && v !== null && typeof (v as TtsStatus).code === 'number';
}

function firstNonBlank(buf: Buffer): number {
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i];
    if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return i;
  }
  return -1;
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024
    ? `${Math.round(n / 1024 / 1024)} MiB`
    : n >= 1024
      ? `${Math.round(n / 1024)} KiB`
      : `${n} bytes`;
}
