/**
 * A capture: its file, an in-memory index of summaries, and a bounded cache of full event text.
 */
import { summarizeEvent, type EventSummary } from '../../shared/domain/summary.js';
import { Interner } from '../../shared/domain/intern.js';
import type { TtsEvent } from '../../shared/tts/types.js';
import { open } from 'node:fs/promises';
import { CaptureFile, STATUS_KEY, type ReopenReport, type StatusEntry } from './capture-file.js';

interface Slot {
  offset: number;
  length: number;
}

/** Where each line is in the file, as two typed arrays that grow by doubling (12 bytes per entry, not an object). */
class SlotTable {
  #offsets = new Float64Array(1024);
  #lengths = new Uint32Array(1024);
  #size = 0;

  push(slot: Slot): void {
    if (this.#size === this.#offsets.length) {
      const offsets = new Float64Array(this.#size * 2);
      offsets.set(this.#offsets);
      const lengths = new Uint32Array(this.#size * 2);
      lengths.set(this.#lengths);
      this.#offsets = offsets;
      this.#lengths = lengths;
    }
    this.#offsets[this.#size] = slot.offset;
    this.#lengths[this.#size] = slot.length;
    this.#size++;
  }

  get(i: number): Slot {
    return { offset: this.#offsets[i]!, length: this.#lengths[i]! };
  }
}

export class Capture {
  readonly summaries: EventSummary[] = [];
  readonly #slots = new SlotTable();
  readonly #cache = new Map<number, string>();
  readonly #intern = new Interner();
  #events = 0;

  private constructor(
    readonly streamId: string,
    readonly idBase: number,
    readonly file: CaptureFile,
    private readonly cacheSize: number,
  ) {}

  /** Open a capture file, rebuilding the index from what is already in it. */
  static async open(
    path: string,
    streamId: string,
    idBase: number,
    options: { cacheSize?: number; onError?: (e: Error) => void } = {},
  ): Promise<{ capture: Capture; report: ReopenReport }> {
    const rows: Array<{ line: string; offset: number }> = [];
    const { file, report } = await CaptureFile.open(path, {
      onLine: (line, offset) => rows.push({ line, offset }),
      ...(options.onError ? { onError: options.onError } : {}),
    });
    const capture = new Capture(streamId, idBase, file, options.cacheSize ?? 5_000);
    for (const { line, offset } of rows) capture.#indexLine(line, offset, Buffer.byteLength(line) + 1);
    return { capture, report };
  }

  get eventCount(): number {
    return this.#events;
  }

  #indexLine(line: string, offset: number, length: number): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return;
    }
    const status = (parsed as Record<string, unknown>)[STATUS_KEY] as StatusEntry | undefined;
    if (status)
      this.#push(statusSummary(status, this.idBase + this.summaries.length, this.streamId), { offset, length });
    else
      this.#push(summarizeEvent(parsed as TtsEvent, this.idBase + this.summaries.length, this.streamId, this.#intern), {
        offset,
        length,
      });
  }

  #push(summary: EventSummary, slot: Slot, raw?: string): EventSummary {
    this.summaries.push(summary);
    this.#slots.push(slot);
    if (summary.kind === 'event') this.#events++;
    if (raw !== undefined) {
      this.#cache.set(summary.id, raw);
      if (this.#cache.size > this.cacheSize) this.#cache.delete(this.#cache.keys().next().value!);
    }
    return summary;
  }

  /** Append an event exactly as received; the file gets it before the index does. */
  appendEvent(raw: string, event: TtsEvent): EventSummary {
    const slot = this.file.append(raw);
    return this.#push(
      summarizeEvent(event, this.idBase + this.summaries.length, this.streamId, this.#intern),
      slot,
      raw,
    );
  }

  appendStatus(entry: StatusEntry): EventSummary {
    const raw = JSON.stringify({ [STATUS_KEY]: entry });
    const slot = this.file.append(raw);
    return this.#push(statusSummary(entry, this.idBase + this.summaries.length, this.streamId), slot, raw);
  }

  summary(id: number): EventSummary | undefined {
    return this.owns(id) ? this.summaries[id - this.idBase] : undefined;
  }

  owns(id: number): boolean {
    return id >= this.idBase && id < this.idBase + this.summaries.length;
  }

  /** The full JSON text of an entry, from the cache or the file. */
  async raw(id: number): Promise<string | undefined> {
    if (!this.owns(id)) return undefined;
    const cached = this.#cache.get(id);
    if (cached !== undefined) return cached;
    const slot = this.#slots.get(id - this.idBase);
    return this.file.read(slot.offset, slot.length);
  }

  /**
   * Every entry `want` accepts, with its raw JSON text, in file order: one file handle and 1 MB
   * sequential reads, so exporting a million events never holds more than a window of the file.
   */
  async *entries(
    want: (s: EventSummary) => boolean = () => true,
  ): AsyncGenerator<{ summary: EventSummary; raw: string }> {
    for await (const { summary, line } of this.lines(want)) {
      const end = line[line.length - 1] === 10 ? line.length - 1 : line.length;
      yield { summary, raw: line.toString('utf8', 0, end) };
    }
  }

  /** Like `entries`, but each line's bytes as stored (newline included): for copying without decoding. */
  async *lines(
    want: (s: EventSummary) => boolean = () => true,
  ): AsyncGenerator<{ summary: EventSummary; line: Buffer }> {
    await this.file.flush();
    const count = this.summaries.length;
    const handle = await open(this.file.path, 'r');
    const WINDOW = 4 * 1024 * 1024;
    let buf = Buffer.alloc(0);
    let bufStart = 0;
    try {
      for (let i = 0; i < count; i++) {
        const summary = this.summaries[i]!;
        if (!want(summary)) continue;
        const slot = this.#slots.get(i);
        if (slot.offset < bufStart || slot.offset + slot.length > bufStart + buf.length) {
          const size = Math.max(WINDOW, slot.length);
          // A fresh buffer per window: lines handed out earlier may still be referenced by the caller.
          const next = Buffer.allocUnsafe(size);
          const { bytesRead } = await handle.read(next, 0, size, slot.offset);
          buf = next.subarray(0, bytesRead);
          bufStart = slot.offset;
        }
        const from = slot.offset - bufStart;
        yield { summary, line: buf.subarray(from, from + slot.length) };
      }
    } finally {
      await handle.close();
    }
  }

  close(): Promise<void> {
    return this.file.close();
  }
}

/** The list row of a status entry: its name is `event-desk.<kind>` so filters can match it. */
export function statusSummary(entry: StatusEntry, id: number, streamId: string): EventSummary {
  const ms = Date.parse(entry.time);
  return {
    id,
    streamId,
    kind: 'status',
    ms: Number.isNaN(ms) ? 0 : ms,
    time: entry.time,
    name: `event-desk.${entry.kind}`,
    entity: '',
    entityKind: '',
    preview: entry.message,
    correlationIds: [],
  };
}
