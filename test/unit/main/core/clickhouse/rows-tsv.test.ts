/**
 * Rows as TabSeparated text (the sink's insert format): every character that means something to
 * ClickHouse's TSV reader is escaped, so the raw JSON and IDs arrive exactly as captured.
 */
import { describe, expect, it } from 'vitest';
import {
  EVENT_COLUMNS,
  eventRow,
  STATUS_COLUMNS,
  statusRow,
  toTsv,
  tsvString,
} from '../../../../../src-main/core/clickhouse/rows.js';

const origin = { server: 'https://eu1.cloud.thethings.network', stream: 'application:app1' };

describe('TSV rows', () => {
  it('escapes backslash, tab, newline and carriage return, and leaves everything else alone', () => {
    expect(tsvString('plain "json" \'quote\'')).toBe('plain "json" \'quote\'');
    expect(tsvString('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
  });

  it('writes one line per event with every column in table order, nulls as \\N and arrays quoted', () => {
    const line = JSON.stringify({
      name: 'as.up.data.forward',
      time: '2026-01-02T03:04:05.123456789Z',
      unique_id: '01HX',
      identifiers: [{ device_ids: { device_id: 'dev1', application_ids: { application_id: 'app1' } } }],
      data: { note: 'a\\"b' },
      correlation_ids: ['as:up:01', "gs:uplink:it's"],
    });
    const row = eventRow(line, origin)!;
    const text = toTsv([row], EVENT_COLUMNS);
    expect(text.endsWith('\n')).toBe(true);
    const fields = text.slice(0, -1).split('\t');
    expect(fields).toHaveLength(EVENT_COLUMNS.length);
    const at = (c: (typeof EVENT_COLUMNS)[number]) => fields[EVENT_COLUMNS.indexOf(c)];
    expect(at('time')).toBe('2026-01-02 03:04:05');
    expect(at('nanos')).toBe('123456789');
    expect(at('key')).toBe('01HX');
    expect(at('f_port')).toBe('\\N');
    expect(at('correlation_ids')).toBe("['as:up:01','gs:uplink:it\\'s']");
    // The raw line, unescaped the way ClickHouse reads TSV, is the captured line exactly.
    expect(at('raw')!.replace(/\\\\/g, '\\')).toBe(line);
  });

  it('writes status entries to their own columns', () => {
    const line = JSON.stringify({ _eventDesk: { kind: 'gap', time: '2026-01-02T03:04:05Z', message: 'x\ty' } });
    const text = toTsv([statusRow(line, origin)!], STATUS_COLUMNS);
    const fields = text.slice(0, -1).split('\t');
    expect(fields).toHaveLength(STATUS_COLUMNS.length);
    expect(fields[STATUS_COLUMNS.indexOf('kind')]).toBe('gap');
    expect(fields[STATUS_COLUMNS.indexOf('message')]).toBe('x\\ty');
  });
});
