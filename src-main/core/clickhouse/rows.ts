/**
 * One capture line as a ClickHouse row. Pure: the columns come from the same `summarizeEvent` the live
 * list uses, so a filter compiled to SQL over these columns means what it means in the app.
 *
 * `key` is what duplicates collapse on: the event's `unique_id`, or, for events without one (old stacks,
 * some imports), a hash of the line exactly as the server sent it, so the same line always gets the same key.
 */
import { createHash } from 'node:crypto';
import type { TtsEvent } from '../../shared/tts/types.js';
import { summarizeEvent } from '../../shared/domain/summary.js';
import { STATUS_KEY, type StatusEntry } from '../capture/capture-file.js';

/** Where a capture's events came from: the server's base URL and the stream (subscription) label. */
export interface Origin {
  server: string;
  stream: string;
}

export interface EventRow {
  /** Epoch seconds (a `DateTime` in JSONEachRow) and the nanoseconds within that second. */
  time: number;
  nanos: number;
  key: string;
  unique_id: string;
  name: string;
  entity_kind: string;
  entity: string;
  application: string;
  device: string;
  dev_eui: string;
  dev_addr: string;
  gateway_ids: string[];
  direction: string;
  f_port: number | null;
  f_cnt: number | null;
  rssi: number | null;
  snr: number | null;
  gateways: number | null;
  error_name: string;
  preview: string;
  correlation_ids: string[];
  server: string;
  stream: string;
  raw: string;
}

export interface StatusRow {
  time: number;
  nanos: number;
  key: string;
  kind: string;
  message: string;
  gap_from: string;
  gap_to: string;
  server: string;
  stream: string;
  raw: string;
}

/** Seconds and nanoseconds of an RFC 3339 time, keeping all nine fraction digits (`Date.parse` keeps three). */
export function splitTime(time: string): { seconds: number; nanos: number } {
  const m = /^(.*?T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$/i.exec(time);
  const whole = m ? Date.parse(`${m[1]}${m[3] ?? 'Z'}`) : Date.parse(time);
  if (Number.isNaN(whole)) return { seconds: 0, nanos: 0 };
  const nanos = m?.[2] ? Number(m[2].padEnd(9, '0').slice(0, 9)) : 0;
  return { seconds: Math.floor(whole / 1000), nanos };
}

const hash = (line: string) => `sha256:${createHash('sha256').update(line).digest('hex').slice(0, 40)}`;

/** The row of an event line; `undefined` for a line that is not an event (status entries, junk). */
export function eventRow(line: string, origin: Origin): EventRow | undefined {
  let event: TtsEvent;
  try {
    event = JSON.parse(line) as TtsEvent;
  } catch {
    return undefined;
  }
  if (typeof event !== 'object' || event === null || typeof event.name !== 'string' || typeof event.time !== 'string')
    return undefined;
  if ((event as unknown as Record<string, unknown>)[STATUS_KEY] !== undefined) return undefined;
  let s;
  try {
    s = summarizeEvent(event, 0, origin.stream);
  } catch {
    return undefined;
  }
  const { seconds, nanos } = splitTime(event.time);
  const uniqueId = typeof event.unique_id === 'string' ? event.unique_id : '';
  return {
    time: seconds,
    nanos,
    key: uniqueId || hash(line),
    unique_id: uniqueId,
    name: s.name,
    entity_kind: s.entityKind,
    entity: s.entity,
    application: s.application ?? '',
    device: s.entityKind === 'device' ? s.entity : '',
    dev_eui: s.devEui ?? '',
    dev_addr: s.devAddr ?? '',
    gateway_ids: s.gatewayIds ?? [],
    direction: s.direction ?? '',
    f_port: s.fPort ?? null,
    f_cnt: s.fCnt ?? null,
    rssi: s.rssi ?? null,
    snr: s.snr ?? null,
    gateways: s.gateways ?? null,
    error_name: s.errorName ?? '',
    preview: s.preview,
    correlation_ids: s.correlationIds,
    server: origin.server,
    stream: origin.stream,
    raw: line,
  };
}

/** The row of a status line (`{"_eventDesk":{…}}`), or `undefined`. */
export function statusRow(line: string, origin: Origin): StatusRow | undefined {
  if (!line.startsWith(`{"${STATUS_KEY}"`)) return undefined;
  let entry: StatusEntry;
  try {
    entry = (JSON.parse(line) as Record<string, StatusEntry>)[STATUS_KEY]!;
  } catch {
    return undefined;
  }
  if (typeof entry !== 'object' || entry === null || typeof entry.kind !== 'string' || typeof entry.time !== 'string')
    return undefined;
  const { seconds, nanos } = splitTime(entry.time);
  // The line names its time to the nanosecond: the same line sent again (or by a second host) is one fact.
  return {
    time: seconds,
    nanos,
    key: hash(line),
    kind: entry.kind,
    message: String(entry.message ?? ''),
    gap_from: entry.from ?? '',
    gap_to: entry.to ?? '',
    server: origin.server,
    stream: origin.stream,
    raw: line,
  };
}

/**
 * Rows as ClickHouse `TabSeparated` text: parsed several times faster by the server than JSONEachRow
 * (which dominated the sink's time), and cheaper to build. Columns in the tables' order (schema.ts).
 */
export const EVENT_COLUMNS = [
  'time',
  'nanos',
  'key',
  'unique_id',
  'name',
  'entity_kind',
  'entity',
  'application',
  'device',
  'dev_eui',
  'dev_addr',
  'gateway_ids',
  'direction',
  'f_port',
  'f_cnt',
  'rssi',
  'snr',
  'gateways',
  'error_name',
  'preview',
  'correlation_ids',
  'server',
  'stream',
  'raw',
] as const satisfies readonly (keyof EventRow)[];

export const STATUS_COLUMNS = [
  'time',
  'nanos',
  'key',
  'kind',
  'message',
  'gap_from',
  'gap_to',
  'server',
  'stream',
  'raw',
] as const satisfies readonly (keyof StatusRow)[];

const TSV_SPECIAL = /[\\\t\n\r]/;
const TSV_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
/** A TSV field: backslash, tab, newline and carriage return escaped, as ClickHouse reads them. */
export function tsvString(s: string): string {
  return TSV_SPECIAL.test(s) ? s.replace(/[\\\t\n\r]/g, (c) => TSV_ESCAPES[c]!) : s;
}

/** An `Array(String)` in TSV: `['a','b']`, each element a quoted literal. */
function tsvArray(a: readonly string[]): string {
  let out = '[';
  for (let i = 0; i < a.length; i++) {
    if (i) out += ',';
    out += `'${a[i]!.replace(/[\\'\t\n\r]/g, (c) => (c === "'" ? "\\'" : TSV_ESCAPES[c]!))}'`;
  }
  return `${out}]`;
}

/** `YYYY-MM-DD hh:mm:ss` of epoch seconds (the columns are `DateTime('UTC')`), remembering the last one. */
let lastSec = -1;
let lastText = '';
function tsvTime(sec: number): string {
  if (sec !== lastSec) {
    lastSec = sec;
    lastText = new Date(sec * 1000).toISOString().slice(0, 19).replace('T', ' ');
  }
  return lastText;
}

function tsvField(column: string, v: unknown): string {
  if (column === 'time') return tsvTime(v as number);
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'string') return tsvString(v);
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return tsvArray(v as string[]);
  return tsvString(String(v));
}

/** Rows as TSV lines, each ending in a newline. */
export function toTsv<R extends EventRow | StatusRow>(rows: readonly R[], columns: readonly (keyof R)[]): string {
  const out: string[] = [];
  for (const row of rows) {
    let line = '';
    for (let i = 0; i < columns.length; i++) {
      if (i) line += '\t';
      line += tsvField(columns[i] as string, row[columns[i]!]);
    }
    out.push(line, '\n');
  }
  return out.join('');
}
