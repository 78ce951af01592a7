/**
 * The event list's columns: which exist, their default widths and how a cell reads an entry. The grid
 * template is computed here so the header and every row agree.
 */
import type { EventSummary } from '../../../src-main/shared/domain/summary';
import {
  COLUMN_WIDTH,
  type ColumnId,
  type OptionalColumn,
  type Preferences,
} from '../../../src-main/shared/domain/preferences';

export interface ColumnDef {
  label: string;
  /** What the column chooser says about it. */
  help: string;
  width: number;
  numeric?: boolean;
  /** For optional columns other than server and entity (those have their own markup). */
  cell?: (e: EventSummary) => string;
}

const n = (v: number | undefined, unit = ''): string => (v === undefined ? '' : `${v}${unit}`);

export const COLUMNS: Record<ColumnId, ColumnDef> = {
  time: { label: 'Time', help: '', width: 104 },
  server: { label: 'Server', help: 'The server profile (and how many streams delivered the event)', width: 124 },
  entity: { label: 'Entity', help: 'Device, gateway or application the event is about', width: 170 },
  name: { label: 'Event', help: '', width: 220 },
  fCnt: { label: 'FCnt', help: 'Frame counter', width: 60, numeric: true, cell: (e) => n(e.fCnt) },
  fPort: { label: 'FPort', help: 'Frame port', width: 50, numeric: true, cell: (e) => n(e.fPort) },
  rssi: {
    label: 'RSSI',
    help: 'Strongest RSSI of any gateway (dBm), coloured by your thresholds',
    width: 64,
    numeric: true,
    cell: (e) => n(e.rssi),
  },
  snr: {
    label: 'SNR',
    help: 'Best SNR of any gateway (dB), coloured by your thresholds',
    width: 56,
    numeric: true,
    cell: (e) => n(e.snr),
  },
  gateways: {
    label: 'GWs',
    help: 'How many gateways received the uplink',
    width: 46,
    numeric: true,
    cell: (e) => n(e.gateways),
  },
  devAddr: { label: 'DevAddr', help: 'Device address', width: 82, cell: (e) => e.devAddr ?? '' },
  devEui: { label: 'DevEUI', help: 'Device EUI', width: 150, cell: (e) => e.devEui ?? '' },
  dataRate: {
    label: 'Data rate',
    help: 'Data rate of the uplink or downlink',
    width: 90,
    cell: (e) => e.dataRate ?? '',
  },
  application: { label: 'Application', help: 'Application ID', width: 120, cell: (e) => e.application ?? '' },
};

/** Columns shown, in order: time, the chosen optional ones around the event name, then the preview (not listed). */
export function visibleColumns(p: Preferences): ColumnId[] {
  const has = (c: OptionalColumn) => p.columns.includes(c);
  const before: ColumnId[] = (['server', 'entity'] as const).filter(has);
  const after = p.columns.filter((c) => c !== 'server' && c !== 'entity');
  return ['time', ...before, 'name', ...after];
}

export const widthOf = (p: Preferences, c: ColumnId): number => p.columnWidths[c] ?? COLUMNS[c].width;

/**
 * The CSS grid template of the header and every row. Columns give way down to half their width (time
 * never) before the preview drops under 160 px, so a narrow window still shows a readable preview.
 */
export function gridTemplate(p: Preferences): string {
  const tracks = visibleColumns(p).map((c) => {
    const w = widthOf(p, c);
    return c === 'time' ? `${w}px` : `minmax(${Math.max(COLUMN_WIDTH.min, Math.round(w / 2))}px, ${w}px)`;
  });
  return [...tracks, 'minmax(160px, 1fr)'].join(' ');
}

export const clampWidth = (w: number): number => Math.round(Math.min(COLUMN_WIDTH.max, Math.max(COLUMN_WIDTH.min, w)));
