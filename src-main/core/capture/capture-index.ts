/**
 * The capture index: the one owner of every retained entry in main (live streams, imported captures,
 * backfilled events). Each stream's capture is a series of segment files; each segment indexes its
 * lines as columns (see `segment.ts`). Ids are opaque outside this file.
 *
 * Retention (events and bytes per stream), paging, postings and the "one event, one row" rule of a
 * workspace live here, and are tested without a server.
 */
import path from 'node:path';
import { promises as fs } from 'node:fs';
import type { EventSummary } from '../../shared/domain/summary.js';
import { summarizeEvent } from '../../shared/domain/summary.js';
import type { PageRequest, PageResult } from '../../shared/ipc/contract.js';
import { compileQuery, type Predicate, type QueryContext } from '../../shared/query/query.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { TtsEvent } from '../../shared/tts/types.js';
import { AlsoOnLog, readAlsoOn } from './also-on-file.js';
import { CaptureFile, STATUS_KEY, type StatusEntry } from './capture-file.js';
import { Segment, SharedTables, type RowView } from './segment.js';
import { chunksOf, planQuery, type SegmentQuery } from './segment-query.js';
import { statusSummary } from './status-summary.js';
import { RecentUniqueIds } from './recent-uids.js';
import { mergeByEventTime, parseLine, readLines } from './capture-lines.js';
import { readCatalogs, writeCatalog, type CaptureKind, type CatalogEntry } from './catalog-file.js';

// Part of the index's interface: what a catalog says, and one stored line read back as an entry.
export type { CaptureKind, CatalogEntry };
export { parseLine };

/** How much of each stream's capture is kept (on disk and in the index). */
export interface Retention {
  maxEvents: number;
  maxBytes: number;
}

export const DEFAULT_RETENTION: Retention = { maxEvents: 2_000_000, maxBytes: 4 * 1024 ** 3 };

/** The key of plans made without a query context. */
const NO_CONTEXT = {};

/** Ids of one segment: `no * ROWS + row`. */
const ROWS = 2 ** 32;
/** Bytes appended but not yet written before ingest is asked to wait. */
const MAX_UNWRITTEN = 8 * 1024 * 1024;

interface StreamCapture {
  streamId: string;
  workspaceId: string;
  kind: CaptureKind;
  /** Oldest first; retention removes from the front; the last is being written. */
  segments: Segment[];
  next?: Segment;
  rotating: boolean;
  /** The next segment being opened: a full segment makes ingest wait for it. */
  rotation?: Promise<void>;
  /** The segment being written is full and the next is not open yet. */
  overfull?: boolean;
  /** What the owner wants kept with the capture (e.g. the stream's request), for reopening. */
  meta: unknown;
}

/** What a capture's catalog file says, for reopening it after a restart. */
/** A capture reopened after a restart. */
export interface Reopened {
  entries: number;
  lastMs: number;
  tornBytes: number;
  /** The `unique_id`s of its newest events (at most `RECENT_ON_REOPEN`), oldest first. */
  recentIds: string[];
}

/** Enough for the overlap of a replay (the server replays at most 1,024 events per request). */
const RECENT_ON_REOPEN = 20_000;

export interface IndexDeps {
  dir: string;
  /** Called for every new or changed entry (a batcher pushes them to the renderer). */
  onEntry?: (workspaceId: string, summary: EventSummary) => void;
  onDiskError?: (streamId: string, e: Error) => void;
  log?: (m: string) => void;
  clock?: () => number;
}

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
  readonly #plans = new WeakMap<object, Map<string, SegmentQuery | undefined>>();
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
    if (this.#captures.has(entry.streamId)) return err('invalid-input', `Capture ${entry.streamId} is already open.`);
    this.#taken(entry.streamId);
    const capture: StreamCapture = {
      streamId: entry.streamId,
      workspaceId: entry.workspaceId,
      kind: entry.kind,
      segments: [],
      rotating: false,
      meta: entry.meta,
    };
    let entries = 0;
    let lastMs = 0;
    let tornBytes = 0;
    // The newest unique_ids, for the stream that carries on: what the server replays of them is not stored again.
    const recentIds: string[] = [];
    const seen = (uid: string, id: number) => {
      recentIds.push(uid);
      if (recentIds.length >= 2 * RECENT_ON_REOPEN) recentIds.splice(0, RECENT_ON_REOPEN);
      this.#recent.remember(capture.workspaceId, uid, id);
    };
    for (const name of entry.segments) {
      const file = path.join(this.deps.dir, path.basename(name));
      const segment = this.#segment(capture, undefined);
      try {
        const alsoOn = await readAlsoOn(file);
        const opened = await CaptureFile.open(file, {
          onLine: (line, offset) => {
            const s = parseLine(
              line,
              segment.base + segment.rows,
              capture.streamId,
              capture.kind === 'stream' ? seen : undefined,
            );
            if (!s) return;
            const row = segment.add(s, { offset, length: Buffer.byteLength(line) + 1 });
            for (const streamId of alsoOn.get(offset) ?? []) segment.alsoOn(row, streamId);
          },
          onError: (e) => this.deps.onDiskError?.(capture.streamId, e),
        });
        segment.attach(opened.file);
        tornBytes += opened.report.tornBytes;
      } catch (e) {
        this.#segments.delete(segment.no);
        this.deps.log?.(`capture ${file} could not be reopened: ${(e as Error).message}`);
        continue;
      }
      entries += segment.rows;
      lastMs = Math.max(lastMs, segment.lastMs);
      capture.segments.push(segment);
    }
    if (capture.segments.length === 0)
      return err('not-found', `No segment of capture ${entry.streamId} could be reopened.`);
    for (const s of capture.segments.slice(0, -1)) s.seal();
    this.#captures.set(capture.streamId, capture);
    return ok({ entries, lastMs, tornBytes, recentIds: recentIds.slice(-RECENT_ON_REOPEN) });
  }

  /** Catalogs of the captures in the directory (for reopening them after a restart). */
  async catalog(): Promise<CatalogEntry[]> {
    const out = await readCatalogs(this.deps.dir, this.deps.log);
    for (const c of out) this.#taken(c.streamId);
    return out;
  }

  async #saveCatalog(c: StreamCapture): Promise<void> {
    if (c.kind === 'backfill') return;
    await writeCatalog(
      this.deps.dir,
      {
        streamId: c.streamId,
        workspaceId: c.workspaceId,
        kind: c.kind,
        meta: c.meta,
        segments: [...c.segments, ...(c.next ? [c.next] : [])].map((s) => path.basename(s.file!.path)),
      },
      this.deps.log,
    );
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
    try {
      await fs.mkdir(this.deps.dir, { recursive: true });
      const stamp = new Date(this.#now()).toISOString().replace(/[:.]/g, '-');
      const file = path.join(
        this.deps.dir,
        `${stamp}-${capture.streamId}-${this.#nextSegment}${capture.kind === 'import' ? '-imported' : ''}.ndjson`,
      );
      const { file: opened } = await CaptureFile.open(file, {
        onError: (e) => this.deps.onDiskError?.(capture.streamId, e),
      });
      await fs.chmod(file, 0o600).catch(() => undefined);
      return ok(this.#segment(capture, opened));
    } catch (e) {
      return err(
        'io',
        `The capture file could not be created in ${this.deps.dir}: ${(e as Error).message}. Free some disk space or check permissions.`,
      );
    }
  }

  /**
   * Append one event of a stream exactly as received: the file gets it before the index does. An
   * event another stream of the workspace already delivered (same `unique_id`) is not stored again:
   * its entry now names both streams. `raw` is the event's JSON as text or as the UTF-8 bytes received.
   * Returns the entry.
   */
  appendEvent(
    streamId: string,
    raw: string | Uint8Array,
    event: TtsEvent,
    mark: { backfilled?: boolean } = {},
  ): EventSummary | undefined {
    const c = this.#captures.get(streamId);
    if (!c) return undefined;
    const uid = typeof event.unique_id === 'string' ? event.unique_id : undefined;
    if (uid && c.kind === 'stream') {
      const known = this.#recent.known(c.workspaceId, uid);
      const hit = known !== undefined ? this.#locate(known) : undefined;
      if (hit && hit.capture !== c && hit.capture.workspaceId === c.workspaceId) {
        if (hit.segment.alsoOn(hit.row, streamId)) {
          const file = hit.segment.file;
          if (file) this.#alsoOnLog.add(file.path, hit.segment.slot(hit.row).offset, streamId);
          const s = hit.segment.summary(hit.row);
          this.deps.onEntry?.(c.workspaceId, s);
          return s;
        }
        return undefined;
      }
    }
    const segment = c.segments.at(-1)!;
    const summary = summarizeEvent(event, segment.base + segment.rows, streamId);
    if (mark.backfilled) summary.backfilled = true;
    this.#add(c, segment, summary, raw);
    if (uid && c.kind === 'stream') this.#recent.remember(c.workspaceId, uid, summary.id);
    return summary;
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
    if (segment.file) {
      segment.add(summary, segment.file.append(raw));
    } else {
      this.#memory.set(
        summary.id,
        typeof raw === 'string' ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString(),
      );
      segment.add(summary, { offset: 0, length: 0 });
    }
    if (c.kind !== 'backfill') this.deps.onEntry?.(c.workspaceId, summary);
    this.#retain(c);
  }

  /**
   * Ingest waits while the disk is behind: `undefined` when a stream may go on, otherwise a promise
   * that resolves once what it appended so far is written, or once the next segment is open when the
   * current one is full (the caller pauses its HTTP response, or an import its reading).
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

  async #written(c: StreamCapture): Promise<void> {
    await Promise.all(c.segments.map((s) => s.file?.flush()));
  }

  /** Resolves when every line appended so far is written to the OS (pushes wait for this). */
  async written(): Promise<void> {
    await Promise.all([...this.#captures.values()].map((c) => this.#written(c)));
    await this.#alsoOnLog.written();
  }

  /**
   * Retention: a capture is a series of segment files. The next file is opened when the one being
   * written is half full (an eighth of the limits is a full segment), so the switch happens on the
   * entry that fills it. Whole oldest segments are then removed while what stays is still at least
   * the limit, and a status entry says what went.
   */
  #retain(c: StreamCapture): void {
    if (c.kind === 'backfill') return;
    const r = this.retention;
    const cur = c.segments.at(-1)!;
    const fill = Math.max(
      cur.rows / Math.max(1000, r.maxEvents / 8),
      cur.file!.size / Math.max(1024 * 1024, r.maxBytes / 8),
    );
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
    let events = c.segments.reduce((a, x) => a + x.rows, 0);
    let bytes = c.segments.reduce((a, x) => a + x.file!.size, 0);
    let removed = 0;
    let before = '';
    const dropped: Segment[] = [];
    while (c.segments.length > 1) {
      const oldest = c.segments[0]!;
      if (events - oldest.rows < r.maxEvents && bytes - oldest.file!.size < r.maxBytes) break;
      c.segments.shift();
      events -= oldest.rows;
      bytes -= oldest.file!.size;
      removed += oldest.events;
      before = oldest.rows ? oldest.time(oldest.rows - 1) : before;
      this.#segments.delete(oldest.no);
      dropped.push(oldest);
    }
    if (dropped.length === 0) return void this.#saveCatalog(c);
    const text = `Retention removed ${removed.toLocaleString('en')} older events (up to ${before}) to stay within ${r.maxEvents.toLocaleString('en')} events / ${(r.maxBytes / 1024 ** 3).toFixed(1)} GB for this stream. Change the limit under Retention.`;
    this.appendStatus(c.streamId, { kind: 'retention', time: new Date(this.#now()).toISOString(), message: text });
    void (async () => {
      await this.#saveCatalog(c);
      for (const old of dropped) {
        await old.file!.close();
        await fs
          .unlink(old.file!.path)
          .catch((e: Error) => this.deps.log?.(`could not delete ${old.file!.path}: ${e.message}`));
        await this.#alsoOnLog.remove(old.file!.path);
      }
    })();
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
    const raw = await this.raw(id);
    if (raw === undefined)
      return err(
        'not-found',
        `Event ${id} is no longer in the capture (removed by retention, or its workspace was closed).`,
      );
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(raw) as Record<string, unknown>;
    } catch (e) {
      return err('io', `Entry ${id} could not be read back from its capture file: ${(e as Error).message}.`);
    }
    if (parsed[STATUS_KEY]) return err('not-found', `Entry ${id} is a status entry, not an event.`);
    return ok(parsed as unknown as TtsEvent);
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

  /**
   * A page of the workspace's entries before a cursor, through a query. Each segment is in arrival
   * order (close to time order), so it is matched from its newest chunk back and stops once it has
   * `limit` matches: a page costs about what it returns, not the size of the capture. Summaries are
   * built only for the rows the page returns.
   */
  page(req: PageRequest, context?: QueryContext): Result<PageResult> {
    const q = this.query(req.query, context);
    if (!q.ok) return q;
    const b = req.before;
    const found: { segment: Segment; row: number; ms: number; id: number }[] = [];
    let more = false;
    let retained = 0;
    for (const segment of this.segmentsOf(req.workspaceId)) {
      retained += segment.rows;
      const matcher = q.value?.on(segment);
      let taken = 0;
      chunksOf(segment.rows, true, (from, to) => {
        const mask = matcher?.match(from, to);
        for (let row = to - 1; row >= from; row--) {
          if (mask && mask[row - from] === 0) continue;
          const ms = segment.ms(row);
          const id = segment.base + row;
          if (b && !(ms < b.ms || (ms === b.ms && id < b.id))) continue;
          if (taken === req.limit) {
            more = true;
            return false;
          }
          found.push({ segment, row, ms, id });
          taken++;
        }
      });
    }
    found.sort((x, y) => x.ms - y.ms || x.id - y.id);
    if (found.length > req.limit) more = true;
    const entries = found.slice(Math.max(0, found.length - req.limit)).map((f) => f.segment.summary(f.row));
    return ok({ entries, more, retained });
  }

  /** Visit every entry of a workspace through a reusable view (counting, manifests): no summaries built. */
  scan(workspaceId: string, visit: (view: RowView) => void, test?: Predicate | SegmentQuery): void {
    for (const segment of this.segmentsOf(workspaceId)) {
      const view = segment.view();
      if (test && typeof test !== 'function') {
        const matcher = test.on(segment);
        chunksOf(segment.rows, false, (from, to) => {
          const mask = matcher.match(from, to);
          for (let i = 0; i < to - from; i++) {
            if (mask[i] === 0) continue;
            view.row = from + i;
            visit(view);
          }
        });
        continue;
      }
      for (let row = 0; row < segment.rows; row++) {
        view.row = row;
        if (!test || test(view)) visit(view);
      }
    }
  }

  /**
   * A query compiled to run on the index's columns (segment-query.ts); `undefined` for the empty
   * query (everything matches). Same matches as the summary predicate, at a fraction of the cost. The
   * last few plans are kept per context: a plan remembers its terms' answers per tuple, which pages
   * through the same filter (scrolling, live updates) then reuse.
   */
  query(input: string, context?: QueryContext): Result<SegmentQuery | undefined> {
    const plans = this.#plans.get(context ?? NO_CONTEXT) ?? new Map<string, SegmentQuery | undefined>();
    if (plans.has(input)) return ok(plans.get(input));
    const q = compileQuery(input, context);
    if (!q.ok) return err('invalid-input', `The filter is not valid: ${q.error.message}`);
    const plan = q.empty ? undefined : planQuery(input, (text) => compileQuery(text, context), q.test);
    if (plans.size >= 8) plans.delete(plans.keys().next().value!);
    plans.set(input, plan);
    this.#plans.set(context ?? NO_CONTEXT, plans);
    return ok(plan);
  }

  /**
   * Every entry of a workspace `want` accepts, with its stored line (newline included), merged by
   * event time across captures and read sequentially from each file: memory stays at a window per file.
   */
  lines(workspaceId: string, want: Predicate): AsyncGenerator<{ summary: EventSummary; line: Buffer }> {
    const byCapture = new Map<string, Segment[]>();
    for (const s of this.segmentsOf(workspaceId))
      byCapture.set(s.owner.streamId, [...(byCapture.get(s.owner.streamId) ?? []), s]);
    return mergeByEventTime([...byCapture.values()].map((segments) => readLines(segments, want)));
  }

  async *entries(workspaceId: string, want: Predicate): AsyncGenerator<{ summary: EventSummary; raw: string }> {
    for await (const { summary, line } of this.lines(workspaceId, want)) {
      const end = line[line.length - 1] === 10 ? line.length - 1 : line.length;
      yield { summary, raw: line.toString('utf8', 0, end) };
    }
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
