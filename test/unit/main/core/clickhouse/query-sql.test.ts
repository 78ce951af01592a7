/**
 * The filter bar's language compiled for ClickHouse, and capture lines as rows. The round trip through a
 * real server (same events per filter as the live view) is in test/integration/clickhouse/source.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { compileToSql } from '../../../../../src-main/core/clickhouse/query-sql.js';
import { eventRow, splitTime, statusRow } from '../../../../../src-main/core/clickhouse/rows.js';
import { parseClickHouseUrl } from '../../../../../src-main/core/clickhouse/target.js';
import { compileQuery } from '../../../../../src-main/shared/query/query.js';
import { parseSubscribeArgs } from '../../../../../src-main/cli/subscribe-args.js';

const sql = (q: string) => {
  const r = compileToSql(q);
  if (!r.ok) throw new Error(r.error.message);
  return r;
};

describe('compileToSql', () => {
  it('refuses what the filter bar refuses, with the same message and range', () => {
    for (const q of ['rssi<abc', 'nosuch:1', '(a', 'NOT']) {
      const r = compileToSql(q);
      const bar = compileQuery(q);
      expect(r.ok).toBe(false);
      expect(bar.ok).toBe(false);
      if (!r.ok && !bar.ok) expect(r.error).toEqual(bar.error);
    }
  });

  it('says identifier, name and number terms exactly, so a NOT of them stays in SQL', () => {
    const r = sql('NOT device:dev-1* ns.up.* f_port:2');
    expect(r.exact).toBe(true);
    expect(r.where).toContain("NOT (entity_kind = 'device' AND match(entity, '(?i)^dev-1.*$'))");
    expect(r.where).toContain('ifNull(f_port = 2, 0)');
  });

  it('free text narrows the scan but is checked on the rows; a NOT of it reads everything', () => {
    expect(sql('join').exact).toBe(false);
    expect(sql('join').where).toContain("match(preview, '(?i)join')");
    expect(sql('NOT join').where).toBe('1');
    // An OR with a part SQL cannot narrow cannot be narrowed at all.
    expect(sql('device:a OR NOT "x"').where).toBe('1');
  });

  it('kind: the events table holds no status entries', () => {
    expect(sql('kind:gap').where).toBe('0');
    expect(sql('kind:event').where).toBe('1');
  });

  it('quotes and backslashes in a value cannot leave the string literal', () => {
    const where = sql("device:a'b\\c").where;
    expect(where).toContain("lower(entity) = 'a\\'b\\\\c'");
    expect(where.match(/(?<!\\)'/g)!.length % 2).toBe(0);
    const glob = sql("device:a'b\\c*").where;
    expect(glob).toContain("'(?i)^a\\'b\\\\\\\\c.*$'");
    expect(glob.match(/(?<!\\)'/g)!.length % 2).toBe(0);
  });

  it('a plain ASCII ID is an equality of lowered text; anything else stays a case-insensitive match', () => {
    expect(sql('device:Dev-1').where).toBe("entity_kind = 'device' AND lower(entity) = 'dev-1'");
    expect(sql('device:dév-1').where).toContain("match(entity, '(?i)^dév-1$')");
  });
});

describe('rows', () => {
  it('keeps all nine digits of the time', () => {
    expect(splitTime('2026-03-01T10:00:00.123456789Z')).toEqual({
      seconds: Date.UTC(2026, 2, 1, 10) / 1000,
      nanos: 123456789,
    });
    expect(splitTime('2026-03-01T12:00:00.5+02:00')).toEqual({
      seconds: Date.UTC(2026, 2, 1, 10) / 1000,
      nanos: 500000000,
    });
  });

  it('an event without unique_id gets a stable key from its text; status lines go elsewhere', () => {
    const origin = { server: 'https://x', stream: 's' };
    const a =
      '{"name":"as.up.data.forward","time":"2026-03-01T10:00:00Z","identifiers":[{"device_ids":{"device_id":"d1",' +
      '"application_ids":{"application_id":"app1"}}}]}';
    const b = a.replace('d1', 'd2');
    expect(eventRow(a, origin)!.key).toBe(eventRow(a, origin)!.key);
    expect(eventRow(a, origin)!.key).not.toBe(eventRow(b, origin)!.key);
    expect(eventRow(a, origin)).toMatchObject({
      unique_id: '',
      device: 'd1',
      application: 'app1',
      name: 'as.up.data.forward',
      raw: a,
    });
    expect(
      eventRow('{"_eventDesk":{"kind":"gap","time":"2026-03-01T10:00:00Z","message":"m"}}', origin),
    ).toBeUndefined();
    expect(
      statusRow(
        '{"_eventDesk":{"kind":"gap","time":"2026-03-01T10:00:00Z","message":"m","from":"a","to":"b"}}',
        origin,
      ),
    ).toMatchObject({ kind: 'gap', gap_from: 'a', gap_to: 'b' });
  });

  it('--clickhouse URL: default database, credentials apart, no path tricks', () => {
    expect(parseClickHouseUrl('http://noc:8123')).toEqual({ url: 'http://noc:8123', database: 'event_desk' });
    expect(parseClickHouseUrl('https://ed:s%3Acret@noc:8443/team')).toEqual({
      url: 'https://noc:8443',
      database: 'team',
      username: 'ed',
      password: 's:cret',
    });
    expect(() => parseClickHouseUrl('http://noc:8123/a;DROP')).toThrow(/letters, digits and _/);
    expect(() => parseClickHouseUrl('ftp://noc')).toThrow(/http/);
  });

  it('subscribe --clickhouse needs --output (the capture is the spool) and says so', () => {
    const base = ['--server', 'http://127.0.0.1:1885', '--api-key-env', 'K', '--application-id', 'app1'];
    expect(() => parseSubscribeArgs([...base, '--clickhouse', 'http://noc:8123'], 0)).toThrow(/add --output FILE/);
    expect(() => parseSubscribeArgs([...base, '-o', 'c.ndjson', '--clickhouse', 'noc'], 0)).toThrow(
      /--clickhouse: .*not a URL/,
    );
    expect(
      parseSubscribeArgs([...base, '-o', 'c.ndjson', '--clickhouse', 'http://noc:8123/team'], 0)!.clickhouse,
    ).toEqual({ url: 'http://noc:8123', database: 'team' });
  });
});
