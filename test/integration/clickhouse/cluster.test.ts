/**
 * The README's cluster variant, for real: one clickhouse-server whose `remote_servers` defines cluster
 * `noc` of two shards (127.0.0.1 and 127.0.0.2, the same server, each replica with its own
 * `default_database`), ReplacingMergeTree `events_local`/`status_local` in each shard's database, and
 * `Distributed` `events`/`status` over them sharded by `cityHash64(key)`, as an operator would set it up.
 * Event Desk is pointed at it with the one setting (the URL and database) and must record, collapse a
 * resent capture and read windows exactly as it does on a single node recorded from the same capture.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { Scenario } from '../../../src-main/core/stack/scenario.js';
import { ClickHouseSink } from '../../../src-main/core/clickhouse/sink.js';
import { ClickHouseSource, type ClickHouseWindow } from '../../../src-main/core/clickhouse/source.js';
import { TABLE_COLUMNS } from '../../../src-main/core/clickhouse/schema.js';
import { parseClickHouseUrl } from '../../../src-main/core/clickhouse/target.js';
import { clickhouseMissing, startClickHouse, type ClickHouseServer } from '../../helpers/clickhouse-server.js';

const SHARDS = ['shard_a', 'shard_b'];
const START_MS = Date.parse('2026-02-01T10:00:00Z');

/** A capture: a stream start, ~1,500 events of a small fleet spread over a few minutes, a stop. */
function captureLines(): { lines: string[]; uids: string[] } {
  let now = START_MS;
  const scenario = new Scenario({ devices: 12, gateways: 3, applications: 2, seed: 11 }, () => (now += 97));
  const status = (kind: string, ms: number) =>
    JSON.stringify({ _eventDesk: { kind, time: new Date(ms).toISOString(), message: `${kind} (cluster test)` } });
  const lines = [status('stream-start', START_MS - 1000)];
  const uids: string[] = [];
  while (uids.length < 1500)
    for (const e of scenario.nextFlow()) {
      lines.push(e.json);
      uids.push((JSON.parse(e.json) as { unique_id: string }).unique_id);
    }
  lines.push(status('stopped', now + 1000));
  return { lines, uids };
}

describe.skipIf(clickhouseMissing())('Event Desk on a ClickHouse cluster', { timeout: 300_000 }, () => {
  let ch: ClickHouseServer;
  let dir: string;
  let cluster: ClickHouseSource;
  let single: ClickHouseSource;
  const { lines, uids } = captureLines();
  const capture = () => path.join(dir, 'capture.ndjson');
  const keys = async (query: string) => (await ch.sql(`${query} FORMAT TSV`)).split('\n').filter(Boolean);

  async function record(db: string): Promise<{ events: number; statuses: number }> {
    const sink = await ClickHouseSink.start({
      target: parseClickHouseUrl(`${ch.url}/${db}`),
      capturePath: capture(),
      offsetPath: path.join(dir, `${db}.offset.json`),
      origin: { server: 'https://eu1.example', stream: 'application:demo-app' },
      // Several batches, two in flight: each batch's rows go to both shards.
      batchBytes: 256 * 1024,
      pollMs: 20,
    });
    expect(await sink.drain(120_000)).toBe(true);
    const sent = sink.sent;
    await sink.close();
    return sent;
  }

  beforeAll(async () => {
    ch = await startClickHouse({
      // 127.0.0.2 is another address of the loopback: to the server, the second shard is a remote one.
      extraConfig: ({ tcp }) => `<listen_host>127.0.0.2</listen_host>
  <remote_servers><noc>${SHARDS.map(
    (db, i) =>
      `<shard><replica><host>127.0.0.${i + 1}</host><port>${tcp}</port><default_database>${db}</default_database></replica></shard>`,
  ).join('')}</noc></remote_servers>`,
    });
    // What the operator creates (the README's statements, with shards in databases instead of hosts).
    const engine = 'ENGINE = ReplacingMergeTree PARTITION BY toYYYYMMDD(time) ORDER BY (time, nanos, key)';
    for (const db of SHARDS) {
      await ch.sql(`CREATE DATABASE ${db}`);
      for (const t of ['events', 'status'] as const)
        await ch.sql(`CREATE TABLE ${db}.${t}_local (${TABLE_COLUMNS[t]}) ${engine}`);
    }
    await ch.sql('CREATE DATABASE noc');
    for (const t of ['events', 'status'] as const)
      await ch.sql(
        `CREATE TABLE noc.${t} AS ${SHARDS[0]}.${t}_local ENGINE = Distributed(noc, '', ${t}_local, cityHash64(key))`,
      );
    dir = mkdtempSync(path.join(os.tmpdir(), 'ch-cluster-'));
    writeFileSync(capture(), `${lines.join('\n')}\n`);
    expect(await record('noc')).toEqual({ events: uids.length, statuses: 2 });
    expect(await record('single')).toEqual({ events: uids.length, statuses: 2 });
    cluster = new ClickHouseSource(parseClickHouseUrl(`${ch.url}/noc`));
    single = new ClickHouseSource(parseClickHouseUrl(`${ch.url}/single`));
  }, 240_000);

  afterAll(async () => {
    await cluster?.close();
    await single?.close();
    await ch?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('records every event once, spread over both shards, and leaves the operator its tables', async () => {
    // Readable as soon as the sink confirmed: the inserts waited for the shards, not for a spool.
    expect(Number(await ch.sql('SELECT count() FROM noc.events'))).toBe(uids.length);
    expect(await keys('SELECT unique_id FROM noc.events ORDER BY unique_id')).toEqual([...uids].sort());
    expect(await keys('SELECT kind FROM noc.status ORDER BY time')).toEqual(['stream-start', 'stopped']);
    const [a, b] = await Promise.all(SHARDS.map((db) => keys(`SELECT key FROM ${db}.events_local`)));
    expect(a!.length + b!.length).toBe(uids.length);
    expect(Math.min(a!.length, b!.length)).toBeGreaterThan(uids.length / 4);
    // Event Desk created nothing in the cluster's database: `events` and `status` are still the operator's.
    expect(await keys(`SELECT name, engine FROM system.tables WHERE database = 'noc' ORDER BY name`)).toEqual([
      'events\tDistributed',
      'status\tDistributed',
    ]);
  });

  it('a resent capture lands on the same shards and no reader shows a duplicate', async () => {
    // Merges held back, so the table holds both copies while readers are asked (a merge would collapse some).
    await ch.sql('SYSTEM STOP MERGES');
    unlinkSync(path.join(dir, 'noc.offset.json'));
    expect(await record('noc')).toEqual({ events: uids.length, statuses: 2 });
    expect(Number(await ch.sql('SELECT count() FROM noc.events'))).toBe(2 * uids.length);
    // Sharded by key: both copies of an event are on one shard, where its merges collapse them.
    const [a, b] = await Promise.all(
      SHARDS.map(async (db) => new Set(await keys(`SELECT key FROM ${db}.events_local`))),
    );
    expect([...a!].filter((k) => b!.has(k))).toEqual([]);
    expect(a!.size + b!.size).toBe(uids.length);
    const all = await readAll(open(cluster, ''), 97);
    expect(all.length).toBe(uids.length);
    expect(new Set(all)).toEqual(new Set(uids));
    expect((await open(cluster, '').statuses()).map((s) => s.name)).toEqual([
      'event-desk.stream-start',
      'event-desk.stopped',
    ]);
    // And each shard's merges do collapse them.
    await ch.sql('SYSTEM START MERGES');
    for (const db of SHARDS) await ch.sql(`OPTIMIZE TABLE ${db}.events_local FINAL`);
    expect(Number(await ch.sql('SELECT count() FROM noc.events'))).toBe(uids.length);
  });

  it('reads the same windows, filters and chains as a single node', async () => {
    const device = lines
      .map((l) => (JSON.parse(l) as { identifiers?: { device_ids?: { device_id: string } }[] }).identifiers)
      .find((ids) => ids?.[0]?.device_ids)![0]!.device_ids!.device_id;
    const filters = ['', 'ns.up.*', `device:${device}`, 'dir:up rssi<-90', 'NOT gateway:demo-gateway-2', 'join'];
    const narrow = { fromMs: START_MS + 30_000, toMs: START_MS + 90_000 };
    for (const filter of filters)
      for (const window of [undefined, narrow]) {
        const want = await readAll(open(single, filter, window), 50);
        const got = await readAll(open(cluster, filter, window), 50);
        expect({ filter, window, got }).toEqual({ filter, window, got: want });
        if (filter) expect(want.length).toBeLessThan(uids.length);
        else expect(want.length).toBeGreaterThan(window ? 100 : uids.length - 1);
      }
    expect(await readAll(open(cluster, `device:${device}`), 10)).not.toEqual([]);
    // Chains from the correlation IDs column: the same steps, and more than the start event for some.
    const [w1, w2] = [open(single, ''), open(cluster, '')];
    await Promise.all([readAll(w1, 1000), readAll(w2, 1000)]);
    let longest = 0;
    for (const name of ['as.up.data.forward', 'ns.up.join.process', 'gs.up.receive', 'ns.down.data.schedule.attempt']) {
      const uid = uids.find((_, i) => (JSON.parse(lines[i + 1]!) as { name: string }).name === name);
      if (!uid) continue;
      const [c1, c2] = await Promise.all([chainOf(w1, uid), chainOf(w2, uid)]);
      expect({ name, chain: c2 }).toEqual({ name, chain: c1 });
      longest = Math.max(longest, c1.length);
    }
    expect(longest).toBeGreaterThan(3);
  });

  function open(source: ClickHouseSource, filter: string, window?: { fromMs: number; toMs: number }) {
    const w = source.open({ fromMs: START_MS - 60_000, toMs: START_MS + 3_600_000, ...window, filter });
    if (!w.ok) throw new Error(w.error.message);
    return w.value;
  }
});

async function readAll(w: ClickHouseWindow, pageSize: number): Promise<string[]> {
  const out: string[] = [];
  let cursor;
  let pages = 0;
  do {
    const p = await w.page(cursor, pageSize);
    out.push(...p.rows.map((r) => r.key));
    cursor = p.next;
  } while (cursor && ++pages < 10_000);
  return out;
}

/** The keys of an event's chain, in the chain's order. */
async function chainOf(w: ClickHouseWindow, key: string): Promise<string[]> {
  let row;
  for (let id = 1; (row = w.get(id)); id++) if (row.key === key) break;
  if (!row) throw new Error(`${key} is not in the window`);
  const chain = await w.chain(row.summary.id);
  if (!chain.ok) throw new Error(chain.error.message);
  return chain.value.steps.map((s) => w.get(s.event.id)!.key);
}
