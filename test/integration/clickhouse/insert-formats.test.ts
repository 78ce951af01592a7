/**
 * The sink's RowBinary rows (built from the capture's bytes) land in ClickHouse exactly as the
 * TabSeparated rows built from parsed objects do, column for column, and the raw column is each captured
 * line byte for byte: awkward lines included (non-ASCII, escapes, long strings, no unique_id, a line
 * longer than a batch, junk, status entries).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Scenario } from '../../../src-main/core/stack/scenario.js';
import { ClickHouseSink } from '../../../src-main/core/clickhouse/sink.js';
import type { InsertFormat } from '../../../src-main/core/clickhouse/insert.js';
import { parseClickHouseUrl } from '../../../src-main/core/clickhouse/target.js';
import { clickhouseMissing, startClickHouse, type ClickHouseServer } from '../../helpers/clickhouse-server.js';

function captureLines(): string[] {
  const scenario = new Scenario({ devices: 8, gateways: 3, applications: 2, seed: 3 }, () => 1_767_225_600_000);
  const lines: string[] = [];
  while (lines.length < 3000) for (const e of scenario.nextFlow()) lines.push(e.json);
  const device = { device_ids: { device_id: 'dév-ü', application_ids: { application_id: 'app\\1' } } };
  lines.push(
    JSON.stringify({
      name: 'as.up.data.forward',
      time: '2026-01-01T00:00:01.123456789Z',
      unique_id: 'odd-1',
      identifiers: [device],
      data: { note: 'tab\there "quoted" back\\slash 日本語 🚀', long: 'x'.repeat(200_000) },
      correlation_ids: ["as:up:it's", 'gs:uplink:\\'],
    }),
    // No unique_id: the key is a hash of the line.
    JSON.stringify({ name: 'ns.up.data.receive', time: '2026-01-01T00:00:02Z', identifiers: [device] }),
    // 45 characters, 135 bytes: past a one-byte length.
    JSON.stringify({
      name: 'as.up.data.forward',
      time: '2026-01-01T00:00:02.5Z',
      unique_id: 'odd-2',
      identifiers: [{ device_ids: { device_id: '日'.repeat(45), application_ids: { application_id: 'a' } } }],
    }),
    'not json at all',
    '',
    JSON.stringify({
      _eventDesk: { kind: 'gap', time: '2026-01-01T00:00:03Z', message: 'a\tb 🚀', from: 'x', to: 'y' },
    }),
  );
  return lines;
}

describe.skipIf(clickhouseMissing())('insert formats', { timeout: 240_000 }, () => {
  let ch: ClickHouseServer;
  let dir: string;
  const lines = captureLines();

  beforeAll(async () => {
    ch = await startClickHouse();
    dir = mkdtempSync(path.join(os.tmpdir(), 'ch-formats-'));
    writeFileSync(path.join(dir, 'capture.ndjson'), `${lines.join('\n')}\n`);
    for (const format of ['binary', 'tsv'] as InsertFormat[]) {
      const sink = await ClickHouseSink.start({
        target: parseClickHouseUrl(`${ch.url}/f_${format}`),
        capturePath: path.join(dir, 'capture.ndjson'),
        offsetPath: path.join(dir, `${format}.offset.json`),
        origin: { server: 'https://eu1.example', stream: 'application:app1' },
        format,
        // Small batches: many of them in flight, and the 200 kB line is longer than one.
        batchBytes: 64 * 1024,
        inFlight: 3,
        pollMs: 20,
      });
      expect(await sink.drain(120_000)).toBe(true);
      expect(sink.sent).toEqual({ events: lines.length - 3, statuses: 1 });
      await sink.close();
    }
  }, 200_000);

  afterAll(async () => {
    await ch?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const table = (db: string, t: string) =>
    ch.sql(`SELECT * FROM ${db}.${t} ORDER BY time, nanos, key FORMAT JSONEachRow`);

  it('RowBinary rows equal the TabSeparated rows, column for column', async () => {
    const binary = await table('f_binary', 'events');
    expect(binary.split('\n').filter(Boolean)).toHaveLength(lines.length - 3);
    expect(binary).toEqual(await table('f_tsv', 'events'));
    expect(await table('f_binary', 'status')).toEqual(await table('f_tsv', 'status'));
  });

  it('the raw column is every captured line, byte for byte', async () => {
    const raw = (await ch.sql('SELECT raw FROM f_binary.events FORMAT JSONEachRow'))
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { raw: string }).raw);
    const events = lines.filter((l) => l.startsWith('{"') && !l.startsWith('{"_eventDesk"'));
    expect(raw.sort()).toEqual(events.sort());
    const odd = JSON.parse(
      (
        await ch.sql(
          `SELECT device, application, correlation_ids, nanos FROM f_binary.events WHERE unique_id = 'odd-1' FORMAT JSONEachRow`,
        )
      ).trim(),
    ) as Record<string, unknown>;
    expect((await ch.sql(`SELECT device FROM f_binary.events WHERE unique_id = 'odd-2'`)).trim()).toBe('日'.repeat(45));
    expect(odd).toEqual({
      device: 'dév-ü',
      application: 'app\\1',
      correlation_ids: ["as:up:it's", 'gs:uplink:\\'],
      nanos: 123456789,
    });
  });
});
