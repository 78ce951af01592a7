/**
 * The rows of one ClickHouse-backed workspace that someone has looked at, by id and by key. A row keeps
 * its id for as long as the window is open, whichever page, filter or chain reached it first, so a detail
 * pane, a chain or a "load older" cursor can name it again.
 *
 * Ids of a window opened in the app start at a base far above the capture index's (segment number ×
 * 2^32 + row), so main tells a ClickHouse row's id from a capture's by its size alone.
 */
import { summarizeEvent, type EventSummary } from '../../shared/domain/summary.js';
import type { TtsEvent } from '../../shared/tts/types.js';

/** Where the next page starts: after (or before, going back) this sorting key. */
export interface Cursor {
  /** Epoch seconds, as the `time` column. */
  time: number;
  nanos: number;
  key: string;
}

export interface SourceRow {
  summary: EventSummary;
  /** The event exactly as the server sent it. */
  raw: string;
  key: string;
  /** The `server` column: the base URL of the server that delivered it. */
  server: string;
  /** Its place in the table's sorting key. */
  at: Cursor;
}

/** The first id of windows opened in the app; each window takes the next 2^32 ids. */
export const WINDOW_ID_BASE = 2 ** 52;
export const WINDOW_ID_SPAN = 2 ** 32;
/**
 * Rows a window keeps (the most recently used): about 2 KB each (raw JSON and summary), so some 40 MB. A
 * row let go keeps its id and its place in the table (key and time, about 150 B), and is read again by
 * key when it is asked for (`ClickHouseWindow.rowOf`).
 */
export const MAX_KEPT_ROWS = 20_000;

export class RowStore {
  #nextId: number;
  /** Kept rows, least recently used first. */
  readonly #byId = new Map<number, SourceRow>();
  readonly #byKey = new Map<string, SourceRow>();
  /** Every row handed an id: its id by key, and its place by id (to read it again once let go). */
  readonly #ids = new Map<string, number>();
  readonly #places = new Map<number, Cursor>();

  constructor(
    readonly firstId = 1,
    /** False for a pass over a whole window (counting, `pull`): rows are built and let go, not kept. */
    private readonly keep = true,
    /**
     * The stream a window tab's rows belong to (its own, like an opened file's). The recorded stream name
     * belongs to the recording desk: on this desk it could name one of its own streams, and the list would
     * show that stream's profile as the row's server.
     */
    private readonly streamId?: string,
    /** The most rows kept at once (the least recently used are let go). */
    readonly maxRows = MAX_KEPT_ROWS,
    /**
     * The window's own time (epoch ms, both ends included): a row outside it (a chain's backfill found it
     * past the window's edge) is marked `backfilled`, as a capture marks rows fetched from a server.
     */
    private readonly home?: { fromMs: number; toMs: number },
  ) {
    this.#nextId = firstId;
  }

  /** Whether an id is one this store hands out (seen or not). */
  owns(id: number): boolean {
    return id >= this.firstId && id < this.firstId + WINDOW_ID_SPAN;
  }

  /** A kept row (now the most recently used). */
  get(id: number): SourceRow | undefined {
    const row = this.#byId.get(id);
    if (row) {
      this.#byId.delete(id);
      this.#byId.set(id, row);
    }
    return row;
  }

  byKey(key: string): SourceRow | undefined {
    return this.#byKey.get(key);
  }

  /** Where a row that was handed `id` is in the table (kept or let go). */
  placeOf(id: number): Cursor | undefined {
    return this.#places.get(id);
  }

  /** Rows kept now. */
  get size(): number {
    return this.#byId.size;
  }

  /** Rows handed an id so far (kept or let go). */
  get known(): number {
    return this.#places.size;
  }

  /** The row of a stored line; a row seen before keeps its id. `undefined` for JSON that does not parse. */
  row(at: Cursor, stream: string, raw: string, server: string): SourceRow | undefined {
    const known = this.#byKey.get(at.key);
    if (known) return this.get(known.summary.id);
    let event: TtsEvent;
    try {
      event = JSON.parse(raw) as TtsEvent;
    } catch {
      return undefined;
    }
    const id = this.#ids.get(at.key) ?? this.#nextId++;
    const row: SourceRow = {
      summary: summarizeEvent(event, id, this.streamOf(stream)),
      raw,
      key: at.key,
      server,
      at,
    };
    row.summary.server = server;
    const ms = row.summary.ms;
    if (this.home && (ms < this.home.fromMs || ms > this.home.toMs)) row.summary.backfilled = true;
    if (this.keep) {
      this.#byId.set(id, row);
      this.#byKey.set(at.key, row);
      this.#ids.set(at.key, id);
      this.#places.set(id, at);
      for (const [oldest, r] of this.#byId) {
        if (this.#byId.size <= this.maxRows) break;
        this.#byId.delete(oldest);
        this.#byKey.delete(r.key);
      }
    }
    return row;
  }

  /** A fresh id for an entry that is not a row of `events` (a status entry shown in the list). */
  nextId(): number {
    return this.#nextId++;
  }

  /** The stream an entry recorded by stream `recorded` belongs to here. */
  streamOf(recorded: string): string {
    return this.streamId ?? recorded;
  }
}
