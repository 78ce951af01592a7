/**
 * The capture index: the one owner of every retained entry in main (live streams, imported captures, backfilled
 * events). A capture is a series of segment files, each indexing its lines as columns. Ids are opaque outside.
 *
 * Appending, rotating segments as retention asks (retention.ts), the "one event, one row" rule of a
 * workspace and reads by id live here; pages, scans and queries over a workspace's segments are in
 * capture-reads.ts, reopening after a restart in capture-reopen.ts, the files in segment-files.ts.
 * All of it is tested without a server.
 */
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { summarizeEvent, type EventSummary } from '../../shared/domain/summary.js';
import type { PageRequest, PageResult } from '../../shared/ipc/contract.js';
import type { Predicate, QueryContext } from '../../shared/query/query.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { TtsEvent } from '../../shared/tts/types.js';
import { AlsoOnLog } from './also-on-file.js';
import { CaptureFile, STATUS_KEY, type StatusEntry } from './capture-file.js';
import { eventOf, linesOf, pageOf, QueryPlans, scanSegments, textOf } from './capture-reads.js';
import { readSegments, type Reopened } from './capture-reopen.js';
import { DEFAULT_RETENTION, dropOldest, retentionMessage, segmentFill, type Retention } from './retention.js';
import { Segment, SharedTables, type RowView } from './segment.js';
import type { SegmentQuery } from './segment-query.js';
import { statusSummary } from './status-summary.js';
import { RecentUniqueIds } from './recent-uids.js';
import { parseLine } from './capture-lines.js';
import { catalogOf, readCatalogs, writeCatalog } from './catalog-file.js';
import type { CaptureKind, CatalogEntry, StreamCapture } from './catalog-file.js';
import { createSegmentFile, deleteSegmentFiles } from './segment-files.js';

// Part of the index's interface: a catalog, a stored line read back, a reopened capture, what is kept.
export type { CaptureKind, CatalogEntry, Reopened, Retention };
export { DEFAULT_RETENTION, parseLine };

/** Ids of one segment: `no * ROWS + row`. */
const ROWS = 2 ** 32;
/** Bytes appended but not yet written before ingest is asked to wait. */
const MAX_UNWRITTEN = 8 * 1024 * 1024;

export interface IndexDeps {
  dir: string;
  /** Every new or changed entry of a live stream, for the renderer (a file's tab pages once it is read). */
  onEntry?: (workspaceId: string, summary: EventSummary) => void;
  onDiskError?: (streamId: string, e: Error) => void;
  log?: (m: string) => void;
  clock?: () => number;
}

const textOfBytes = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString();

/** What `appendStreamEvent` returns for an event its stream had already delivered. */
export const DUPLICATE = 'duplicate';

export class CaptureIndex {
  retention: Retention = { ...DEFAULT_RETENTION };
  readonly #shared = new SharedTables();
  readonly #captures = new Map<string, StreamCapture>();
  readonly #segments = new Map<number, { segment: Segment; capture: StreamCapture }>();
  /** The same event from a second stream of a workspace is one entry. */
  readonly #recent = new RecentUniqueIds();
  /** Raw text of entries without a file (backfilled), by id. */
  readonly #memory = new Map<number, string>();
  #nextSegment = 1;
  #nextStream = 1;
  /** Recent query plans by context (see `query`). */
  readonly #plans = new QueryPlans();
  /** Second streams of shared events, kept next to the segment files (they survive a restart). */
  readonly #alsoOnLog: AlsoOnLog;

  constructor(private readonly deps: IndexDeps) {
    this.#alsoOnLog = new AlsoOnLog(deps.log);
  }

  get dir(): string {
    return this.deps.dir;
  }

  #now(): number {
    return this.deps.clock?.() ?? Date.now();
  }

  /** Start a capture (its first segment file) for a stream, an import or a workspace's backfill. */
  async open(streamId: string, workspaceId: string, kind: CaptureKind, meta: unknown = {}): Promise<Result<void>> {
    if (this.#captures.has(streamId)) return err('invalid-input', `Capture ${streamId} is already open.`);
    this.#taken(streamId);
    const capture: StreamCapture = { streamId, workspaceId, kind, segments: [], rotating: false, meta };
    const seg = await this.#newSegment(capture);
    if (!seg.ok) return seg;
    capture.segments.push(seg.value);
    this.#captures.set(streamId, capture);
    await this.#saveCatalog(capture);
    return ok(undefined);
  }

  /**
   * Reopen a capture from its files after a restart: every complete line is indexed again (a torn
   * tail is cut by the file reader), and appending continues in its newest segment.
   */
  async reopen(entry: CatalogEntry): Promise<Result<Reopened>> {
    const { streamId, workspaceId, kind, meta } = entry;
    if (this.#captures.has(streamId)) return err('invalid-input', `Capture ${streamId} is already open.`);
    this.#taken(streamId);
    const capture: StreamCapture = { streamId, workspaceId, kind, segments: [], rotating: false, meta };
    const read = await readSegments(this.deps.dir, entry.segments, capture, {
      segment: () => this.#segment(capture, undefined),
      drop: (segment) => this.#segments.delete(segment.no),
      remember: (uid, id, time) => this.#recent.remember(workspaceId, uid, id, streamId, time),
      onDiskError: (e) => this.deps.onDiskError?.(streamId, e),
      log: (m) => this.deps.log?.(m),
    });
    if (read.segments.length === 0) return err('not-found', `No segment of capture ${streamId} could be reopened.`);
    capture.segments = read.segments;
    for (const s of capture.segments.slice(0, -1)) s.seal();
    this.#captures.set(streamId, capture);
    return ok(read.reopened);
  }

  /** Catalogs of the captures in the directory (for reopening them after a restart). */
  async catalog(): Promise<CatalogEntry[]> {
    const out = await readCatalogs(this.deps.dir, this.deps.log);
    for (const c of out) this.#taken(c.streamId);
    return out;
  }

  /** Replace what the owner keeps with a capture: written to its catalog at once, so a restart reads it. */
  async setMeta(streamId: string, meta: unknown): Promise<void> {
    const c = this.#captures.get(streamId);
    if (c) await this.#saveCatalog(Object.assign(c, { meta }));
  }

  async #saveCatalog(c: StreamCapture): Promise<void> {
    if (c.kind !== 'backfill') await writeCatalog(this.deps.dir, catalogOf(c), this.deps.log);
  }

  /** A stream id no open or catalogued capture uses (`s1`, `s2`, …). */
  newStreamId(): string {
    return `s${this.#nextStream++}`;
  }

  #taken(streamId: string): void {
    const n = /^s(\d+)$/.exec(streamId);
    if (n) this.#nextStream = Math.max(this.#nextStream, Number(n[1]) + 1);
  }

  #segment(capture: StreamCapture, file: CaptureFile | undefined): Segment {
    const no = this.#nextSegment++;
    const segment = new Segment(no, capture, file, this.#shared, no * ROWS);
    this.#segments.set(no, { segment, capture });
    return segment;
  }

  async #newSegment(capture: StreamCapture): Promise<Result<Segment>> {
    if (capture.kind === 'backfill') return ok(this.#segment(capture, undefined));
    const onError = (e: Error) => this.deps.onDiskError?.(capture.streamId, e);
    const file = await createSegmentFile(this.deps.dir, this.#now(), capture, this.#nextSegment, onError);
    return file.ok ? ok(this.#segment(capture, file.value)) : file;
  }

  /**
   * Append one event of a stream as received (`raw`: its JSON text or UTF-8 bytes), the file first. An event
   * another stream of the workspace delivered (same `unique_id`, of the newest 50,000–100,000) is one entry
   * naming both streams; one this stream delivered before (a resume's overlap) is `DUPLICATE`, not stored.
   */
  appendStreamEvent(
    streamId: string,
    raw: string | Uint8Array,
    event: TtsEvent,
    mark: { backfilled?: boolean } = {},
  ): EventSummary | typeof DUPLICATE | undefined {
    const c = this.#captures.get(streamId);
    if (!c) return undefined;
    const uid = typeof event.unique_id === 'string' && c.kind === 'stream' ? event.unique_id : undefined;
    const time = String(event.time);
    if (uid) {
      const known = this.#recent.known(c.workspaceId, uid, streamId, time);
      const hit = known !== undefined ? this.#locate(known) : undefined;
      if (hit && hit.capture.workspaceId === c.workspaceId) {
        if (hit.capture === c || !hit.segment.alsoOn(hit.row, streamId)) return DUPLICATE;
        const file = hit.segment.file;
        if (file) this.#alsoOnLog.add(file.path, hit.segment.slot(hit.row).offset, streamId);
        const s = hit.segment.summary(hit.row);
        this.deps.onEntry?.(c.workspaceId, s);
        return s;
      }
    }
    const segment = c.segments.at(-1)!;
    const summary = summarizeEvent(event, segment.base + segment.rows, streamId);
    if (mark.backfilled) summary.backfilled = true;
    this.#add(c, segment, summary, raw);
    if (uid) this.#recent.remember(c.workspaceId, uid, summary.id, streamId, time);
    return summary;
  }

  /** `appendStreamEvent` for callers that do not count duplicates: the entry. */
  appendEvent(streamId: string, raw: string | Uint8Array, event: TtsEvent, mark: { backfilled?: boolean } = {}) {
    const s = this.appendStreamEvent(streamId, raw, event, mark);
    return s === DUPLICATE ? undefined : s;
  }

  appendStatus(streamId: string, entry: StatusEntry): EventSummary | undefined {
    const c = this.#captures.get(streamId);
    if (!c) return undefined;
    const segment = c.segments.at(-1)!;
    const summary = statusSummary(entry, segment.base + segment.rows, streamId);
    this.#add(c, segment, summary, JSON.stringify({ [STATUS_KEY]: entry }));
    return summary;
  }

  #add(c: StreamCapture, segment: Segment, summary: EventSummary, raw: string | Uint8Array): void {
    if (segment.file) segment.add(summary, segment.file.append(raw));
    else {
      this.#memory.set(summary.id, typeof raw === 'string' ? raw : textOfBytes(raw));
      segment.add(summary, { offset: 0, length: 0 });
    }
    if (c.kind === 'stream') this.deps.onEntry?.(c.workspaceId, summary);
    this.#retain(c);
  }

  /**
   * Ingest waits while the disk is behind: `undefined` when a stream may go on, else a promise that resolves
   * once part of its backlog is written, or the next segment is open when the current one is full.
   */
  ready(streamId: string): Promise<void> | undefined {
    const c = this.#captures.get(streamId);
    if (c?.overfull && c.rotation) return c.rotation;
    if (!c) return undefined;
    let backlog = 0;
    for (const s of c.segments) backlog += s.file?.backlog ?? 0;
    if (backlog < MAX_UNWRITTEN) return undefined;
    // Until half of it is written, not all: waiting for every byte left an import's reader idle ~10 % of the time.
    const last = c.segments.length - 1;
    return Promise.all(c.segments.map((s, i) => s.file?.drained(i === last ? MAX_UNWRITTEN / 2 : 0))).then(() => {});
  }

  /** Resolves when every line appended so far is written to the OS (pushes wait for this). */
  async written(): Promise<void> {
    await Promise.all([...this.#captures.values()].flatMap((c) => c.segments.map((s) => s.file?.flush())));
    await this.#alsoOnLog.written();
  }

  /**
   * Retention: a capture is a series of segment files. The next file is opened when the one being written
   * is half full (an eighth of the limits is a full segment), so the switch happens on the entry that fills
   * it. Whole oldest segments are then removed while what stays is at least the limit; a status entry says so.
   */
  #retain(c: StreamCapture): void {
    if (c.kind === 'backfill') return;
    const r = this.retention;
    const cur = c.segments.at(-1)!;
    const fill = segmentFill(cur, r);
    if (fill >= 0.5 && !c.next && !c.rotating) {
      c.rotating = true;
      c.rotation = this.#newSegment(c).then((seg) => {
        c.rotating = false;
        c.rotation = undefined;
        c.overfull = false;
        if (!seg.ok) return this.deps.log?.(seg.error.message);
        if (!this.#captures.has(c.streamId)) return void seg.value.file?.close();
        c.next = seg.value;
        void this.#saveCatalog(c);
      });
    }
    c.overfull = fill >= 1 && !c.next;
    if (fill < 1 || !c.next) return;
    cur.seal();
    c.segments.push(c.next);
    c.next = undefined;
    const dropped = dropOldest(c.segments, r);
    for (const old of dropped.segments) this.#segments.delete(old.no);
    if (dropped.segments.length === 0) return void this.#saveCatalog(c);
    const text = retentionMessage(dropped, r);
    this.appendStatus(c.streamId, { kind: 'retention', time: new Date(this.#now()).toISOString(), message: text });
    const files = dropped.segments.map((s) => s.file!);
    void this.#saveCatalog(c).then(() => deleteSegmentFiles(files, this.#alsoOnLog, this.deps.log));
  }

  #locate(id: number): { segment: Segment; capture: StreamCapture; row: number } | undefined {
    const hit = this.#segments.get(Math.floor(id / ROWS));
    const row = id % ROWS;
    return hit && row < hit.segment.rows ? { ...hit, row } : undefined;
  }

  /** Whether the index still holds an entry (retention removes them). */
  has(id: number): boolean {
    const hit = this.#segments.get(Math.floor(id / ROWS));
    return hit !== undefined && id % ROWS < hit.segment.rows;
  }

  get(id: number): EventSummary | undefined {
    const hit = this.#locate(id);
    return hit ? hit.segment.summary(hit.row) : undefined;
  }

  /** The workspace and stream an entry belongs to. */
  ownerOf(id: number): { workspaceId: string; streamId: string; kind: CaptureKind } | undefined {
    const hit = this.#locate(id);
    return hit && { workspaceId: hit.capture.workspaceId, streamId: hit.capture.streamId, kind: hit.capture.kind };
  }

  /** The full JSON text of an entry, from memory (backfilled) or its file. */
  async raw(id: number): Promise<string | undefined> {
    const hit = this.#locate(id);
    if (!hit) return undefined;
    if (!hit.segment.file) return this.#memory.get(id);
    const { offset, length } = hit.segment.slot(hit.row);
    return hit.segment.file.read(offset, length);
  }

  /** An entry's event as JSON (status entries are not events). */
  async event(id: number): Promise<Result<TtsEvent>> {
    return eventOf(id, await this.raw(id));
  }

  /** Segments of a workspace's captures (not its backfill), with the stream each belongs to. */
  segmentsOf(workspaceId: string, kinds: readonly CaptureKind[] = ['stream', 'import']): Segment[] {
    const out: Segment[] = [];
    for (const c of this.#captures.values())
      if (c.workspaceId === workspaceId && kinds.includes(c.kind)) out.push(...c.segments);
    return out;
  }

  /** Entries retained for a workspace. */
  retained(workspaceId: string): number {
    return this.segmentsOf(workspaceId).reduce((n, s) => n + s.rows, 0);
  }

  /** A page of the workspace's entries before a cursor, through a query (`pageOf`). */
  page(req: PageRequest, context?: QueryContext): Result<PageResult> {
    const q = this.query(req.query, context);
    return q.ok ? ok(pageOf(this.segmentsOf(req.workspaceId), req, q.value)) : q;
  }

  /** Visit every entry of a workspace through a reusable view (counting, manifests): no summaries built. */
  scan(workspaceId: string, visit: (view: RowView) => void, test?: Predicate | SegmentQuery): void {
    scanSegments(this.segmentsOf(workspaceId), visit, test);
  }

  /**
   * A query compiled to run on the index's columns; `undefined` for the empty query (everything matches).
   * Same matches as the summary predicate, at a fraction of the cost (`QueryPlans`).
   */
  query(input: string, context?: QueryContext): Result<SegmentQuery | undefined> {
    return this.#plans.plan(input, context);
  }

  /** Every entry of a workspace `want` accepts, with its stored line, merged by event time (`linesOf`). */
  lines(workspaceId: string, want: Predicate): AsyncGenerator<{ summary: EventSummary; line: Buffer }> {
    return linesOf(this.segmentsOf(workspaceId), want);
  }

  /** `lines` as text without the newline. */
  entries(workspaceId: string, want: Predicate): AsyncGenerator<{ summary: EventSummary; raw: string }> {
    return textOf(() => this.lines(workspaceId, want));
  }

  /** Close a capture's files (its entries stay until `forget`). */
  async close(streamId: string): Promise<void> {
    const c = this.#captures.get(streamId);
    if (!c) return;
    for (const s of c.segments) await s.file?.close();
    if (c.next) {
      await c.next.file?.close();
      await fs.unlink(c.next.file!.path).catch(() => undefined);
      c.next = undefined;
      await this.#saveCatalog(c);
    }
  }

  /**
   * Remove a capture that should never have been: an import that read no events (#16). Its files and
   * catalog are deleted, so nothing of it comes back after a restart. Not for captures that hold entries.
   */
  async discard(streamId: string): Promise<void> {
    const c = this.#captures.get(streamId);
    if (!c) return;
    await this.close(streamId);
    this.#captures.delete(streamId);
    for (const s of c.segments) {
      this.#segments.delete(s.no);
      if (s.file) await fs.unlink(s.file.path).catch(() => undefined);
      if (s.file) await this.#alsoOnLog.remove(s.file.path);
    }
    await fs.unlink(path.join(this.deps.dir, `${streamId}.capture.json`)).catch(() => undefined);
  }

  async dispose(): Promise<void> {
    for (const id of this.#captures.keys()) await this.close(id);
    await this.#alsoOnLog.written();
    this.#captures.clear();
    this.#segments.clear();
    this.#memory.clear();
  }

  /** Index memory (columns only), for the benchmark. */
  get columnBytes(): number {
    let n = 0;
    for (const { segment } of this.#segments.values()) n += segment.columnBytes;
    return n;
  }
}
