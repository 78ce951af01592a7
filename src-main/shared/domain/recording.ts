/**
 * "Also record to ClickHouse" for a workspace (#19): what the renderer sends and what it is shown.
 * The password goes to main once and lives in the OS keychain; a view only says whether one is set.
 */

/** The recording settings of one workspace, as the form sends them. */
export interface RecordingInput {
  /** `http(s)://HOST:PORT` of ClickHouse's HTTP interface (8123 by default). */
  url: string;
  /** Empty = `event_desk`. */
  database: string;
  /** Empty = ClickHouse's `default` user. */
  username: string;
  /** A new password for the keychain; absent = keep the stored one; `''` = remove it. */
  password?: string;
  enabled: boolean;
}

/**
 * Where recording stands: `off`, `starting` (connecting, creating tables), `sending` (behind, catching
 * up), `caught-up`, or `retrying` (ClickHouse refused or is away; the local capture keeps everything).
 */
export type RecordingPhase = 'off' | 'starting' | 'sending' | 'caught-up' | 'retrying';

export interface RecordingView {
  workspaceId: string;
  /** Absent until the workspace was given a ClickHouse target. */
  target?: { url: string; database: string; username: string; hasPassword: boolean };
  enabled: boolean;
  phase: RecordingPhase;
  /** Lines (events and status entries) in the local capture not yet confirmed by ClickHouse. */
  lag: { events: number; seconds: number };
  /** Rows ClickHouse confirmed since recording (re)started in this run of the app. */
  sent: number;
  /** Lines retention removed from the local capture before they reached ClickHouse. */
  lost: number;
  /** The last failure, with what the user can do about it. */
  lastError?: { message: string; hint: string; at: number };
}

/** Field limits main checks (the renderer is untrusted). */
export const RECORDING_LIMITS = { url: 2048, database: 64, username: 256, password: 1024 } as const;

/** Shape check of a `RecordingInput` from the renderer; field rules are checked in main with messages. */
export function isRecordingInput(v: unknown): v is RecordingInput {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const r = v as Record<string, unknown>;
  const allowed = new Set(['url', 'database', 'username', 'password', 'enabled']);
  if (Object.keys(r).some((k) => !allowed.has(k))) return false;
  const str = (x: unknown, max: number) => typeof x === 'string' && x.length <= max;
  return (
    str(r.url, RECORDING_LIMITS.url) &&
    str(r.database, RECORDING_LIMITS.database) &&
    str(r.username, RECORDING_LIMITS.username) &&
    (r.password === undefined || str(r.password, RECORDING_LIMITS.password)) &&
    typeof r.enabled === 'boolean'
  );
}

/** A time window of a recording to open in the window, read-only, through a filter. */
export interface RecordingWindow {
  /** RFC 3339. */
  from: string;
  /** RFC 3339; absent = now. */
  to?: string;
  /** The filter bar's language; compiled to SQL where it can be. */
  filter: string;
}

export function isRecordingWindow(v: unknown): v is RecordingWindow {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const r = v as Record<string, unknown>;
  if (Object.keys(r).some((k) => !['from', 'to', 'filter'].includes(k))) return false;
  const time = (x: unknown) => typeof x === 'string' && x.length <= 64;
  return time(r.from) && (r.to === undefined || time(r.to)) && typeof r.filter === 'string' && r.filter.length <= 4096;
}

/** How many events a ClickHouse window holds through its filter; `counting` while that is still a lower bound. */
export interface WindowCount {
  workspaceId: string;
  events: number;
  counting: boolean;
}
