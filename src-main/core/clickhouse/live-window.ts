/**
 * One ClickHouse window of the app as main keeps it (window-service.ts owns them): what is saved of it,
 * its reader per filter, its rows and page cursors, its count and lists; and the file windows are kept in.
 */
import type { WindowCount } from '../../shared/domain/recording.js';
import type { Result } from '../../shared/result.js';
import type { Cursor, RowStore } from './row-store.js';
import type { ClickHouseSource, ClickHouseWindow } from './source.js';
import type { WindowHealth } from './window-health.js';
import type { WindowMessages } from './window-messages.js';
import type { StreamInfo } from '../../shared/domain/stream.js';

/** What is saved of a window: where it reads, and what. */
export interface SavedWindow {
  settingsOf: string;
  fromMs: number;
  toMs: number;
  filter: string;
  /** The tab's name and the stream chip's source. */
  source: string;
  streamId: string;
}

/** A window's name (its tab's, and its stream chip's source): where it came from. */
export function windowName(target: { url: string; database: string }, fromMs: number, filter: string): string {
  return [
    target.url.replace(/^https?:\/\//, ''),
    target.database,
    `${new Date(fromMs).toISOString().slice(0, 16)}Z`,
    ...(filter ? [filter] : []),
  ]
    .join(' · ')
    .slice(0, 200);
}

/** Page cursors kept per window (one per page the list loaded). */
const MAX_CURSORS = 10_000;

/** One open window: its client (once asked), its rows by id, and one reader per filter the list used. */
export class LiveWindow {
  source: Promise<Result<ClickHouseSource>> | undefined;
  readonly byQuery = new Map<string, ClickHouseWindow>();
  count: WindowCount;
  counting: Promise<void> | undefined;
  /** Where the next older page starts, by the id of the oldest entry of the page before it. */
  readonly cursors = new Map<number, Cursor>();
  /** The Devices and Gateways lists, once asked for. */
  health: WindowHealth | undefined;
  /** The messages view's grouping, once asked for. */
  messages: WindowMessages | undefined;
  /** Events whose chains were backfilled: their chains are looked up beyond the window's time too. */
  readonly backfilled = new Set<number>();
  /** Events the window keeps through the list filters an export asked about (window-export.ts). */
  readonly exportCounts = new Map<string, Promise<number>>();
  /** Seen in a saved workspaces doc: from then on, a doc without it means its tab was closed. */
  confirmed = false;

  constructor(
    readonly workspaceId: string,
    readonly saved: SavedWindow,
    readonly rows: RowStore,
  ) {
    this.count = { workspaceId, events: 0, counting: true };
  }

  remember(id: number, next: Cursor): void {
    this.cursors.set(id, next);
    if (this.cursors.size > MAX_CURSORS) this.cursors.delete(this.cursors.keys().next().value!);
  }
}

/**
 * Before a millisecond, its own rows included: for an entry whose page is no longer remembered. Rows the
 * list already holds come again (it drops them by id) rather than rows it lacks being skipped.
 */
export function msCursor(ms: number): Cursor {
  return { time: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 + 999_999, key: '\uffff' };
}

export interface WindowsFile {
  version: 1;
  windows: Record<string, SavedWindow>;
}

export function isWindowsFile(v: unknown): v is WindowsFile {
  if (typeof v !== 'object' || v === null) return false;
  const f = v as Record<string, unknown>;
  if (f.version !== 1 || typeof f.windows !== 'object' || f.windows === null) return false;
  return Object.values(f.windows).every((x) => {
    const w = x as Record<string, unknown>;
    return (
      typeof w === 'object' &&
      w !== null &&
      typeof w.settingsOf === 'string' &&
      Number.isFinite(w.fromMs) &&
      Number.isFinite(w.toMs) &&
      typeof w.filter === 'string' &&
      typeof w.source === 'string' &&
      typeof w.streamId === 'string'
    );
  });
}

/** A window as a read-only stream of its workspace. */
export const streamOf = (w: LiveWindow): StreamInfo => ({
  streamId: w.saved.streamId,
  spec: { workspaceId: w.workspaceId, profileId: 'imported', entities: [], names: [] },
  state: { kind: 'stopped', reason: `Read from ClickHouse: ${w.saved.source}` },
  source: w.saved.source,
  recording: true,
});
