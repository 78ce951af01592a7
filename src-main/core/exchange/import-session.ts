/**
 * One import's reading: the text of a file, chunk by chunk, split into objects (NDJSON, a JSON array,
 * concatenated objects), each classified as an event, a status entry of ours, a bundle manifest or
 * something to skip with its line and reason. Events and status entries go to the import's sink.
 */
import { LOG_LINE, LOG_LINE_REASON, notAnObject, ObjectSplitter } from '../../shared/import/split-objects.js';
import { stringifyDeep } from '../../shared/json/bounded.js';
import { BUNDLE_KEY } from '../../shared/export/types.js';
import type { TtsEvent } from '../../shared/tts/types.js';
import { eventTimeMs } from '../../shared/tts/event-time.js';
import { STATUS_KEY, type StatusEntry } from '../capture/capture-file.js';
import { TextChunks } from './text-chunks.js';
import { DEFAULT_MAX_LINE_BYTES, LineAssembler } from '../stream/line-assembler.js';

const MAX_REPORTED = 20;

type Json = Record<string, unknown>;
export const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What the formats we read say about themselves; a file past this without them is a support-ticket ZIP or worse. */
export const READS =
  'Event Desk reads its own exports and bundles, TTS Console exports, NDJSON and ttn-lw-cli events output.';

/**
 * Why the start of a file is not text (or `undefined` when it is): NUL bytes or many undecodable
 * bytes in the first 8 KB. Known archives are named, since people drop the ZIP a ticket came in.
 */
export function notText(head: string): string | undefined {
  const sample = head.slice(0, 8192);
  if (sample.startsWith('PK\u0003\u0004')) return 'a ZIP archive: unpack it and open the file inside';
  if (sample.charCodeAt(0) === 0x1f && [0x8b, 0xfffd].includes(sample.charCodeAt(1)))
    return 'a gzip file: unpack it (gunzip) and open the result';
  if (sample.startsWith('%PDF-')) return 'a PDF document';
  let bad = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if (c === 0) return 'binary data (it holds NUL bytes), not text';
    if (c === 0xfffd || (c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12)) bad++;
  }
  return bad > Math.max(8, sample.length / 20) ? 'binary data (much of it is not UTF-8 text)' : undefined;
}

/** Control characters and undecodable bytes, which JSON.parse quotes from the input, shown as dots. */
const unprintable = (c: number): boolean => c === 0xfffd || (c < 32 && c !== 9 && c !== 10) || (c >= 0x7f && c <= 0x9f);

/** A reason shown in the UI (and logged): readable whatever bytes the file had. */
const printable = (text: string): string =>
  Array.from(text.slice(0, 200), (ch) => (unprintable(ch.charCodeAt(0)) ? '·' : ch)).join('');

/** One import in progress: fed text, it parses, appends and counts. */
export class ImportSession {
  readonly skipped: { line: number; reason: string }[] = [];
  skippedCount = 0;
  events = 0;
  statusEntries = 0;
  bytes = 0;
  readonly #splitter: ObjectSplitter;
  #format: string | undefined;
  /** Set when the first bytes show the file is not text: nothing of it is read. */
  refused: string | undefined;

  /** Decodes chunks until the file is known to be NDJSON; then lines are split and decoded one by one. */
  readonly #decoder = new TextChunks();
  /**
   * NDJSON after the first chunk: its lines, split on newline bytes by the same assembler as a stream's (linear
   * in a long line, capped like it), and the next line's number.
   */
  #byLine: { lines: LineAssembler; line: number } | undefined;
  #started = false;

  constructor(
    private readonly sink: {
      append: (raw: string | Uint8Array, e: TtsEvent) => void;
      status: (s: StatusEntry) => void;
    },
    /** An NDJSON line longer than this is skipped (and reported), as a stream's is: memory stays bounded. */
    readonly maxLineBytes = DEFAULT_MAX_LINE_BYTES,
  ) {
    this.#splitter = new ObjectSplitter(
      (o) => this.#object(o.text, o.line),
      (p) => this.#skip(p.line, p.reason),
    );
  }

  get format(): string {
    const mode = this.#splitter.mode;
    return (
      this.#format ??
      (mode === 'array'
        ? 'JSON array'
        : mode === 'objects'
          ? 'concatenated JSON objects (ttn-lw-cli)'
          : mode === 'lines'
            ? 'NDJSON'
            : 'empty')
    );
  }

  #skip(line: number, reason: string): void {
    this.skippedCount++;
    if (this.skipped.length < MAX_REPORTED) this.skipped.push({ line, reason });
  }

  #object(text: string, line: number, bytes?: Uint8Array): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      // Only a line that is not JSON is tested for a log line: the usual line pays nothing for it.
      if (LOG_LINE.test(text)) return this.#skip(line, LOG_LINE_REASON);
      this.#skip(line, `not valid JSON (${printable((e as Error).message.replace(/^JSON\.parse: /, ''))})`);
      return;
    }
    if (!isObj(value)) return this.#skip(line, notAnObject(value));
    if (isObj(value[BUNDLE_KEY])) {
      this.#format = 'Event Desk support bundle';
      return;
    }
    if (isObj(value[STATUS_KEY])) {
      const s = value[STATUS_KEY] as unknown as StatusEntry;
      if (typeof s.kind === 'string' && typeof s.time === 'string' && typeof s.message === 'string') {
        this.statusEntries++;
        this.sink.status({ ...s, message: String(s.message) });
      } else this.#skip(line, 'an Event Desk status entry without kind, time or message');
      return;
    }
    let event: unknown = value;
    let raw = text;
    if (isObj(value.result) && Object.keys(value).length === 1) {
      event = value.result;
      // Server JSON may nest deeper than JSON.stringify's recursion allows (#13).
      raw = stringifyDeep(event);
    } else if (this.#splitter.mode !== 'lines') raw = stringifyDeep(value);
    if (isObj(value.error)) return this.#skip(line, 'a stream error object, not an event');
    const ev = event as Json;
    if (typeof ev.name !== 'string' || typeof ev.time !== 'string')
      return this.#skip(line, 'not an event: it has no "name" and "time"');
    if (Number.isNaN(eventTimeMs(ev.time))) return this.#skip(line, `the time "${ev.time.slice(0, 40)}" is not a date`);
    this.events++;
    this.sink.append(bytes && raw === text ? bytes : raw, ev as unknown as TtsEvent);
  }

  /** A piece of the file's text (a file dropped on the window comes as text). */
  feed(text: string): void {
    if (this.refused) return;
    this.bytes += Buffer.byteLength(text);
    this.#text(text);
  }

  #text(text: string): void {
    if (this.refused || text === '') return;
    const first = !this.#started;
    this.#started = true;
    if (first) {
      this.refused = notText(text);
      if (this.refused) return;
    }
    // A byte order mark at the start is not part of the first object.
    if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    this.#splitter.feed(text);
  }

  /**
   * A chunk of the file's bytes. NDJSON (known from the first line) is then split on newline bytes and each
   * line decoded alone, and the capture copies the line's bytes: decoding whole chunks, checking them for
   * ASCII and encoding every event again for the capture cost ~11 % of opening a file. A newline byte never
   * occurs inside a UTF-8 sequence, so lines decode the same either way. Nothing of `chunk` is kept after
   * the call (the file reader reads into its buffer again): the sink copies a line's bytes as it appends them.
   */
  feedBytes(chunk: Buffer): void {
    if (this.refused) return;
    this.bytes += chunk.length;
    if (this.#byLine) return this.#byLine.lines.push(chunk);
    this.#text(this.#decoder.write(chunk));
    if (this.#splitter.mode === 'lines' && !this.#decoder.holding) {
      const { text, line } = this.#splitter.takePartial();
      const lines = new LineAssembler(
        {
          line: (bytes) => this.#lineOf(bytes, this.#byLine!.line++),
          tooLong: () => this.#skip(this.#byLine!.line++, `longer than ${this.maxLineBytes} bytes: skipped`),
        },
        { maxLineBytes: this.maxLineBytes, chunksReused: true },
      );
      this.#byLine = { lines, line };
      if (text) lines.push(Buffer.from(text, 'utf8'));
    }
  }

  /**
   * One line as the splitter would give it: without a trailing CR, and nothing for a blank one. The bytes are
   * valid during the call (the sink copies what it keeps).
   */
  #lineOf(bytes: Buffer, line: number): void {
    const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
    if (end === 0) return;
    const text = bytes.toString('utf8', 0, end);
    // A line that starts with `{` is not blank: only others need the whitespace test.
    if (bytes[0] !== 0x7b && !text.trim()) return;
    this.#object(text, line, end === bytes.length ? bytes : bytes.subarray(0, end));
  }

  end(): void {
    this.#text(this.#decoder.end());
    if (this.#byLine) {
      const rest = this.#byLine.lines.end();
      if (rest) this.#lineOf(rest, this.#byLine.line);
      this.#byLine = undefined;
      return;
    }
    this.#splitter.end();
  }
}
