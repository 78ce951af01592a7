/**
 * How the user wants the window: theme, list columns, pane split, the names filter new streams start
 * with, notifications. (The radio colour thresholds are app settings in main: `AppSettings.thresholds`.)
 * Main keeps them in `preferences.json`; anything unreadable or out of range falls back to its default,
 * field by field (a bad width never costs the theme).
 */

export type Theme = 'system' | 'light' | 'dark';

/** Optional columns of the event list, in display order (time, event and preview are always shown). */
export const OPTIONAL_COLUMNS = [
  'server',
  'entity',
  'fCnt',
  'fPort',
  'rssi',
  'snr',
  'gateways',
  'devAddr',
  'devEui',
  'dataRate',
  'application',
] as const;
export type OptionalColumn = (typeof OPTIONAL_COLUMNS)[number];
/** Columns whose width the user can drag. */
export type ColumnId = OptionalColumn | 'time' | 'name';

export interface Preferences {
  theme: Theme;
  columns: OptionalColumn[];
  columnWidths: Partial<Record<ColumnId, number>>;
  /** Share of the width the list keeps while the detail pane is open (0.2 … 0.8); `chainSplit` with the chain view. */
  split: number;
  chainSplit: number;
  /** The names filter the add-stream form starts with. */
  defaultNames: 'console' | 'verbose';
  /** OS notifications when a stream in a background workspace stops or records a gap (desktop app). */
  notifications: boolean;
}

export const DEFAULT_PREFERENCES: Preferences = {
  theme: 'system',
  columns: ['server', 'entity'],
  columnWidths: {},
  split: 0.62,
  chainSplit: 0.45,
  defaultNames: 'console',
  notifications: true,
};

export const COLUMN_WIDTH = { min: 40, max: 600 };

const obj = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const num = (v: unknown, min: number, max: number, fallback: number): number =>
  typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? v : fallback;

/** A complete, valid Preferences from anything (a file, the renderer): each field checked on its own. */
export function normalizePreferences(v: unknown): Preferences {
  const p = obj(v);
  const d = DEFAULT_PREFERENCES;
  const columns = Array.isArray(p.columns)
    ? OPTIONAL_COLUMNS.filter((c) => (p.columns as unknown[]).includes(c))
    : d.columns;
  const widths: Partial<Record<ColumnId, number>> = {};
  for (const [k, w] of Object.entries(obj(p.columnWidths))) {
    if ((OPTIONAL_COLUMNS as readonly string[]).includes(k) || k === 'time' || k === 'name') {
      if (typeof w === 'number' && Number.isFinite(w))
        widths[k as ColumnId] = Math.round(Math.min(COLUMN_WIDTH.max, Math.max(COLUMN_WIDTH.min, w)));
    }
  }
  return {
    theme: p.theme === 'light' || p.theme === 'dark' || p.theme === 'system' ? p.theme : d.theme,
    columns,
    columnWidths: widths,
    split: num(p.split, 0.2, 0.8, d.split),
    chainSplit: num(p.chainSplit, 0.2, 0.8, d.chainSplit),
    defaultNames: p.defaultNames === 'verbose' ? 'verbose' : 'console',
    notifications: typeof p.notifications === 'boolean' ? p.notifications : d.notifications,
  };
}
