/**
 * Workspaces that read a window of a team's ClickHouse recording live (#19): nothing is copied into a
 * local capture; the list's pages (newest first, then older), an event's detail and its chain are read
 * from ClickHouse when the window asks for them, through the same IPC channels a capture answers
 * (app-core routes a workspace or an id of a window here). The window's count is one query when the
 * filter's SQL says it exactly, else it is counted in the background and pushed as it grows ("N+").
 * The overview strip and the Devices and Gateways lists come from SQL aggregates (window-overview.ts,
 * window-health.ts).
 *
 * Windows are kept in `clickhouse-windows.json` in the data folder, so a restart reopens them (the
 * client connects when the list first asks); a window whose tab was closed is forgotten.
 */
import path from 'node:path';
import type { Chain } from '../../shared/correlation/chain.js';
import type { RecordingWindow, WindowCount } from '../../shared/domain/recording.js';
import type { StreamInfo } from '../../shared/domain/stream.js';
import type { EventSummary } from '../../shared/domain/summary.js';
import type { ExportRequest, ImportResult } from '../../shared/export/types.js';
import type { ExportSelection } from '../exchange/export-source.js';
import { windowSelection } from './window-export.js';
import { WindowFrames, type FrameDecode } from './window-frames.js';
import type { SourceRow } from './row-store.js';
import type {
  InvokeResult,
  MessagesRequest,
  MessagesWindow,
  PageRequest,
  PageResult,
} from '../../shared/ipc/contract.js';
import { WindowMessages } from './window-messages.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { TtsEvent } from '../../shared/tts/types.js';
import { readJson, writeJsonAtomic } from '../storage/json-file.js';
import { RowStore, WINDOW_ID_BASE, WINDOW_ID_SPAN } from './row-store.js';
import { ClickHouseSource, originsFromProfiles, type ClickHouseWindow } from './source.js';
import type { ClickHouseTarget } from './target.js';
import { windowStatuses } from './window-statuses.js';
import { liveChain } from './window-chain.js';
import {
  isWindowsFile,
  LiveWindow,
  msCursor,
  streamOf,
  windowName,
  type SavedWindow,
  type WindowsFile,
} from './live-window.js';
import { windowOverview } from './window-overview.js';
import type { Overview } from '../../shared/health/overview.js';
import { healthList, healthOf, type Panel } from './window-health.js';

export interface WindowServiceOptions {
  dataDir: string;
  /** The recording a workspace's settings point at, with its password (RecordingService.targetOf). */
  targetOf: (settingsOf: string) => Promise<Result<ClickHouseTarget>>;
  /** This desk's profiles: `profile:` in a window's filter names rows by the profile for their server. */
  profiles: () => readonly { name: string; baseUrl: string }[];
  /** The count moved (pushed on `recording:window-count`). */
  push: (count: WindowCount) => void;
  log?: (m: string) => void;
  now?: () => number;
  /** This desk's frame decoder, for `mic:` and `mac:` in a window's filters (without it they are refused). */
  decode?: FrameDecode;
  /** Rows each window keeps in memory (row-store.ts); rows let go are read again when asked for. */
  keptRows?: number;
}

/** The most rows one page reads from ClickHouse; a bigger request gets this many and `more`. */
export const MAX_PAGE = 5000;
/** Filters kept per window (each holds its compiled SQL); the oldest is dropped past this. */
const FILTERS_KEPT = 8;

export class WindowService {
  readonly #windows = new Map<string, LiveWindow>();
  #nextBase = WINDOW_ID_BASE;
  readonly #file: string;
  /** Verdicts of windows' frames for `mic:`/`mac:`, shared by every window (one decoder, one set of keys). */
  readonly frames: WindowFrames | undefined;

  private constructor(private readonly o: WindowServiceOptions) {
    this.#file = path.join(o.dataDir, 'clickhouse-windows.json');
    this.frames = o.decode && new WindowFrames(o.decode);
  }

  /** The saved windows whose workspaces are still open (`keep`) come back; the others are forgotten. */
  static async open(o: WindowServiceOptions, keep: (workspaceId: string) => boolean): Promise<WindowService> {
    const s = new WindowService(o);
    const read = await readJson(s.#file);
    if (read.kind === 'ok' && isWindowsFile(read.value)) {
      for (const [ws, saved] of Object.entries(read.value.windows)) if (keep(ws)) s.#add(ws, saved).confirmed = true;
    } else if (read.kind !== 'missing') o.log?.(`clickhouse-windows.json could not be read: ${read.kind}`);
    return s;
  }

  #add(workspaceId: string, saved: SavedWindow): LiveWindow {
    const rows = new RowStore(this.#nextBase, true, saved.streamId, this.o.keptRows, {
      fromMs: saved.fromMs,
      toMs: saved.toMs,
    });
    const w = new LiveWindow(workspaceId, saved, rows);
    this.#nextBase += WINDOW_ID_SPAN;
    this.#windows.set(workspaceId, w);
    return w;
  }

  owns(workspaceId: string): boolean {
    return this.#windows.has(workspaceId);
  }

  /** The window an event id belongs to (ids of windows are far above a capture's). */
  #byId(id: number): LiveWindow | undefined {
    if (id < WINDOW_ID_BASE) return undefined;
    for (const w of this.#windows.values()) if (w.rows.owns(id)) return w;
    return undefined;
  }

  /** Rows a window keeps in memory now, and rows it has handed ids (kept or let go). */
  rowsHeld(workspaceId: string): { kept: number; known: number } | undefined {
    const rows = this.#windows.get(workspaceId)?.rows;
    return rows && { kept: rows.size, known: rows.known };
  }

  ownsId(id: number): boolean {
    return this.#byId(id) !== undefined;
  }

  /** The workspace and time of a window's row (kept or let go), for lookups before it (joins, #18). */
  at(id: number): { workspaceId: string; ms: number } | undefined {
    const w = this.#byId(id);
    const place = w?.rows.placeOf(id);
    return w && place && { workspaceId: w.workspaceId, ms: place.time * 1000 + Math.floor(place.nanos / 1e6) };
  }

  /** Rows of open windows that a page, detail or chain has read (those let go are read again). */
  async rowsOf(ids: readonly number[]): Promise<SourceRow[]> {
    const out: SourceRow[] = [];
    for (const w of this.#windows.values()) {
      const mine = ids.filter((id) => w.rows.owns(id));
      if (mine.length === 0) continue;
      const reader = await this.#reader(w, '');
      if (!reader.ok) throw new Error(reader.error.message);
      out.push(...(await reader.value.rowsOf(mine)));
    }
    return out;
  }

  /** The windows as read-only streams, for the window's stream chips (and a reload or restart adopts them). */
  list(): StreamInfo[] {
    return [...this.#windows.values()].map(streamOf);
  }

  /**
   * Open a window as the read-only workspace `workspaceId`. The window is checked (filter, times, that
   * ClickHouse answers) before it becomes a tab; its count follows.
   */
  async openWindow(workspaceId: string, settingsOf: string, r: RecordingWindow): Promise<Result<ImportResult>> {
    const fromMs = Date.parse(r.from);
    const toMs = r.to ? Date.parse(r.to) : (this.o.now?.() ?? Date.now());
    if (Number.isNaN(fromMs) || Number.isNaN(toMs))
      return err('invalid-input', 'Write the window as RFC 3339 times, e.g. 2026-11-24T03:00:00Z.');
    if (toMs < fromMs) return err('invalid-input', 'The window ends before it starts.');
    const target = await this.o.targetOf(settingsOf);
    if (!target.ok) return target;
    const source = windowName(target.value, fromMs, r.filter);
    const saved: SavedWindow = {
      settingsOf,
      fromMs,
      toMs,
      filter: r.filter,
      source,
      streamId: `clickhouse-${workspaceId}`,
    };
    await this.forget(workspaceId);
    const w = this.#add(workspaceId, saved);
    const reader = await this.#reader(w, '');
    if (!reader.ok) {
      await this.forget(workspaceId);
      return reader;
    }
    // The first count answers whether ClickHouse is there and the tables exist; an exact one is the whole count.
    try {
      if (reader.value.exact) w.count = { workspaceId, events: await reader.value.count(), counting: false };
      else await reader.value.json(`SELECT 1 FROM ${reader.value.db}.events LIMIT 1`);
    } catch (e) {
      await this.forget(workspaceId);
      return err('io', `ClickHouse ${target.value.url}/${target.value.database}: ${(e as Error).message}`);
    }
    await this.#save();
    this.#startCount(w, reader.value);
    return ok({
      streamId: saved.streamId,
      source,
      format: 'ClickHouse window',
      stream: streamOf(w),
      events: w.count.events,
      statusEntries: 0,
      skipped: [],
      skippedCount: 0,
    });
  }

  /** The reader of a window through one more filter (the list's query on top of the window's). */
  async #reader(w: LiveWindow, query: string): Promise<Result<ClickHouseWindow>> {
    const known = w.byQuery.get(query);
    if (known) return ok(known);
    w.source ??= (async () => {
      const target = await this.o.targetOf(w.saved.settingsOf);
      return target.ok
        ? ok(new ClickHouseSource(target.value, undefined, originsFromProfiles(this.o.profiles)))
        : target;
    })();
    const source = await w.source;
    if (!source.ok) {
      w.source = undefined;
      return source;
    }
    const f = w.saved.filter.trim();
    const q = query.trim();
    const filter = f && q ? `(${f}) (${q})` : f || q;
    const opened = source.value.open({ fromMs: w.saved.fromMs, toMs: w.saved.toMs, filter }, w.rows, this.frames);
    if (!opened.ok) return opened;
    if (w.byQuery.size >= FILTERS_KEPT) w.byQuery.delete(w.byQuery.keys().next().value!);
    w.byQuery.set(query, opened.value);
    return opened;
  }

  #startCount(w: LiveWindow, reader: ClickHouseWindow): void {
    if (w.counting || !w.count.counting) return;
    const push = (events: number, counting: boolean) => {
      w.count = { workspaceId: w.workspaceId, events, counting };
      if (this.#windows.get(w.workspaceId) === w) this.o.push(w.count);
    };
    w.counting = reader
      .count((n) => push(n, true))
      .then(
        (n) => push(n, false),
        (e: unknown) => {
          w.counting = undefined;
          this.o.log?.(`Counting the ClickHouse window ${w.saved.source}: ${(e as Error).message}`);
        },
      );
  }

  /** A page of a window, newest first before the request's cursor, answered oldest first like a capture's. */
  async page(req: PageRequest): Promise<Result<PageResult>> {
    const w = this.#windows.get(req.workspaceId);
    if (!w) return err('not-found', 'This workspace does not read a ClickHouse window.');
    const reader = await this.#reader(w, req.query);
    if (!reader.ok) return reader;
    const base = w.byQuery.get('') ?? reader.value;
    this.#startCount(w, base);
    const limit = Math.min(req.limit, MAX_PAGE);
    // The list asks for what is older than its oldest entry by (time, id), as a capture orders them; rows of
    // one millisecond are in key order here, so the page that showed that entry left its cursor under its id.
    const cursor = req.before ? (w.cursors.get(req.before.id) ?? msCursor(req.before.ms)) : undefined;
    let got;
    try {
      got = await reader.value.pageBack(cursor, limit);
    } catch (e) {
      return err('io', `ClickHouse ${w.saved.source}: ${(e as Error).message}`);
    }
    const entries: EventSummary[] = got.rows.map((r) => r.summary).reverse();
    const more = got.next !== undefined;
    // Without a filter, the window's status entries (gaps, reconnects) are in among its events, as in a capture.
    if (!w.saved.filter.trim() && !req.query.trim()) {
      const lo = more ? entries[0]!.ms : w.saved.fromMs;
      const hi = req.before ? req.before.ms : w.saved.toMs;
      const statuses = (await windowStatuses(reader.value)).filter((s) => s.ms >= lo && s.ms <= hi);
      entries.push(...statuses);
    }
    entries.sort((a, b) => a.ms - b.ms || a.id - b.id);
    if (got.next && entries.length) w.remember(entries[0]!.id, got.next);
    return ok({ entries, more, retained: w.count.events, window: w.count });
  }

  /** An event of a window, as the server sent it (the raw column). */
  async event(id: number): Promise<Result<TtsEvent>> {
    let row: SourceRow | undefined;
    try {
      row = (await this.rowsOf([id]))[0];
    } catch (e) {
      return err('io', `Event ${id} could not be read again from ClickHouse: ${(e as Error).message}`);
    }
    if (!row) return err('not-found', `Event ${id} is not in an open ClickHouse window.`);
    return ok(JSON.parse(row.raw) as TtsEvent);
  }

  /**
   * The chain of an event of a window, from the correlation IDs column; with `backfill`, also from rows
   * outside the window's time (window-chain.ts), and from then on for every event of that chain.
   */
  async chain(id: number, backfill = false): Promise<Result<Chain>> {
    const w = this.#byId(id);
    const reader = w && (await this.#reader(w, ''));
    if (!reader) return err('not-found', `Event ${id} is not in an open ClickHouse window.`);
    if (!reader.ok) return reader;
    try {
      return await liveChain(w.backfilled, reader.value, id, backfill);
    } catch (e) {
      return err('io', `ClickHouse ${w.saved.source}: ${(e as Error).message}`);
    }
  }

  /** The overview strip of a window, from ClickHouse's aggregates. */
  async overview(workspaceId: string, bins: number): Promise<Result<Overview>> {
    const w = this.#windows.get(workspaceId);
    if (!w) return err('not-found', 'This workspace does not read a ClickHouse window.');
    const reader = await this.#reader(w, '');
    if (!reader.ok) return reader;
    try {
      return ok(await windowOverview(reader.value, bins));
    } catch (e) {
      return err('io', `ClickHouse ${w.saved.source}: ${(e as Error).message}`);
    }
  }

  /** Devices and gateways of a window: aggregated by ClickHouse over all of it (window-health.ts). */
  async healthList(workspaceId: string): Promise<Result<InvokeResult<'health:list'>>> {
    const w = this.#windows.get(workspaceId);
    if (!w) return err('not-found', 'This workspace does not read a ClickHouse window.');
    return healthList(w, () => this.#reader(w, ''), this.o.log);
  }

  /** One device's or gateway's panel, from the rows it is built from. */
  async healthOf<K extends 'device' | 'gateway'>(workspaceId: string, kind: K, id: string): Promise<Result<Panel<K>>> {
    const w = this.#windows.get(workspaceId);
    if (!w) return err('not-found', 'This workspace does not read a ClickHouse window.');
    return healthOf(w, () => this.#reader(w, ''), kind, id);
  }

  /** The messages view of a window: its newest events grouped once (window-messages.ts). */
  async messages(req: MessagesRequest): Promise<Result<MessagesWindow>> {
    const w = this.#windows.get(req.workspaceId);
    if (!w) return err('not-found', 'This workspace does not read a ClickHouse window.');
    const reader = await this.#reader(w, '');
    if (!reader.ok) return reader;
    const m = (w.messages ??= new WindowMessages(reader.value));
    try {
      await m.ready;
    } catch (e) {
      w.messages = undefined;
      return err('io', `ClickHouse ${w.saved.source}: ${(e as Error).message}`);
    }
    return m.window(req);
  }

  /** What an export of a window takes (window-export.ts), written by the app's export service. */
  async exportSelection(req: ExportRequest): Promise<Result<ExportSelection>> {
    const w = this.#windows.get(req.workspaceId);
    if (!w) return err('not-found', 'This workspace does not read a ClickHouse window.');
    try {
      return await windowSelection(req, w, (q) => this.#reader(w, q));
    } catch (e) {
      return err('io', `ClickHouse ${w.saved.source}: ${(e as Error).message}`);
    }
  }

  /** The workspaces doc was saved: windows whose tabs are gone are forgotten. */
  async retain(open: ReadonlySet<string>): Promise<void> {
    let changed = false;
    for (const w of [...this.#windows.values()]) {
      if (open.has(w.workspaceId)) {
        if (!w.confirmed) changed = w.confirmed = true;
      } else if (w.confirmed) {
        await this.#close(w);
        changed = true;
      }
    }
    if (changed) await this.#save();
  }

  async forget(workspaceId: string): Promise<void> {
    const w = this.#windows.get(workspaceId);
    if (w) await this.#close(w);
  }

  async #close(w: LiveWindow): Promise<void> {
    this.#windows.delete(w.workspaceId);
    const source = await w.source;
    if (source?.ok) await source.value.close().catch(() => undefined);
  }

  async #save(): Promise<void> {
    const file: WindowsFile = { version: 1, windows: {} };
    for (const w of this.#windows.values()) file.windows[w.workspaceId] = w.saved;
    try {
      await writeJsonAtomic(this.#file, file);
    } catch (e) {
      this.o.log?.(`clickhouse-windows.json could not be saved: ${(e as Error).message}`);
    }
  }

  async dispose(): Promise<void> {
    for (const w of [...this.#windows.values()]) {
      this.#windows.delete(w.workspaceId);
      const source = await w.source;
      if (source?.ok) await source.value.close().catch(() => undefined);
    }
  }
}
