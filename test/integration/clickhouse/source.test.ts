/**
 * A second Event Desk opens a team's recording from ClickHouse: the same window shows the same events,
 * every filter keeps the same ones, and chains link the same events as on the desk that made the capture.
 * The first desk is the capture file read the app's way (parseLine, compileQuery, collectChain over an
 * independent chain index); the second reads only ClickHouse.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { startStack } from '../../../src-main/core/stack/server.js';
import { ClickHouseSink } from '../../../src-main/core/clickhouse/sink.js';
import {
  ClickHouseSource,
  originsFromProfiles,
  type ClickHouseWindow,
} from '../../../src-main/core/clickhouse/source.js';
import { parseClickHouseUrl } from '../../../src-main/core/clickhouse/target.js';
import { compileQuery } from '../../../src-main/shared/query/query.js';
import { Scenario } from '../../../src-main/core/stack/scenario.js';
import { summarizeEvent } from '../../../src-main/shared/domain/summary.js';
import type { TtsEvent } from '../../../src-main/shared/tts/types.js';
import { analyzeChain, collectChain } from '../../../src-main/shared/correlation/chain.js';
import { runCli } from '../../helpers/cli.js';
import { ChainIndex } from '../../helpers/chain-index.js';
import { capturedEvents, recordBursts, type CapturedEvent } from '../../helpers/subscribe-run.js';
import { clickhouseMissing, startClickHouse, type ClickHouseServer } from '../../helpers/clickhouse-server.js';

type Local = CapturedEvent;

describe.skipIf(clickhouseMissing())('a second desk reads the recording from ClickHouse', { timeout: 300_000 }, () => {
  let ch: ClickHouseServer;
  let dir: string;
  let local: Local[];
  let source: ClickHouseSource;
  const chain = new ChainIndex();

  /** Event lines written to a file and recorded by the real sink into `database`, as one server delivered them. */
  async function record(
    database: string,
    name: string,
    lines: string[],
    server = 'https://eu1.example',
  ): Promise<void> {
    const file = path.join(dir, name);
    writeFileSync(file, `${lines.join('\n')}\n`);
    const sink = await ClickHouseSink.start({
      target: parseClickHouseUrl(`${ch.url}/${database}`),
      capturePath: file,
      origin: { server, stream: 'application:demo-app' },
      pollMs: 50,
    });
    expect(await sink.drain(90_000)).toBe(true);
    await sink.close();
  }

  beforeAll(async () => {
    ch = await startClickHouse();
    const stack = await startStack({ seed: 7, scenario: { devices: 6, gateways: 3 } });
    dir = mkdtempSync(path.join(os.tmpdir(), 'ch-source-'));
    const out = path.join(dir, 'capture.ndjson');
    try {
      const gateways = ['--gateway-id', 'demo-gateway-1,demo-gateway-2,demo-gateway-3'];
      // Two bursts 1.5 s apart: the events cover more than one whole second (see the slices below).
      await recordBursts(stack, [...gateways, '-o', out, '--clickhouse', `${ch.url}/desk`], {
        flows: 30,
        pauseMs: 1500,
        lines: 150,
      });
    } finally {
      await stack.close();
    }
    // The first desk: the capture, read the app's way.
    const streamId = 'application:demo-app,gateway:demo-gateway-1,gateway:demo-gateway-2,gateway:demo-gateway-3';
    local = capturedEvents(out, streamId);
    for (const e of local) chain.add(e.summary);
    // Send the whole capture a second time (a lost offset file), without merging: readers must still see each event once.
    unlinkSync(`${out}.clickhouse.json`);
    const again = await ClickHouseSink.start({
      target: parseClickHouseUrl(`${ch.url}/desk`),
      capturePath: out,
      origin: { server: stack.url, stream: 'again' },
      pollMs: 50,
    });
    expect(await again.drain(90_000)).toBe(true);
    await again.close();
    expect(Number(await ch.sql('SELECT count() FROM desk.events'))).toBe(2 * local.length);
    source = new ClickHouseSource(parseClickHouseUrl(`${ch.url}/desk`));
  }, 240_000);

  afterAll(async () => {
    await source?.close();
    await ch?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const span = () => ({
    fromMs: Math.min(...local.map((l) => l.summary.ms)),
    toMs: Math.max(...local.map((l) => l.summary.ms)),
  });
  const open = (filter: string, window = span()): ClickHouseWindow => {
    const r = source.open({ ...window, filter });
    if (!r.ok) throw new Error(r.error.message);
    return r.value;
  };
  async function readAll(w: ClickHouseWindow, pageSize: number): Promise<string[]> {
    const uids: string[] = [];
    let cursor;
    let pages = 0;
    do {
      const p = await w.page(cursor, pageSize);
      expect(p.rows.length).toBeLessThanOrEqual(pageSize);
      uids.push(...p.rows.map((r) => r.key));
      cursor = p.next;
      pages++;
    } while (cursor && pages < 10_000);
    return uids;
  }
  /** The same, newest first (a list that starts at the end and loads older rows). */
  async function readBack(w: ClickHouseWindow, pageSize: number): Promise<string[]> {
    const uids: string[] = [];
    let cursor;
    let pages = 0;
    do {
      const p = await w.pageBack(cursor, pageSize);
      expect(p.rows.length).toBeLessThanOrEqual(pageSize);
      uids.push(...p.rows.map((r) => r.key));
      cursor = p.next;
      pages++;
    } while (cursor && pages < 10_000);
    return uids;
  }

  it('the same window holds the same events, each once, in event-time order, page by page', async () => {
    const w = open('');
    const seen = await readAll(w, 17);
    expect(seen.length).toBe(local.length);
    expect(new Set(seen)).toEqual(new Set(local.map((l) => l.uid)));
    const ms = seen.map((uid) => local.find((l) => l.uid === uid)!.summary.ms);
    expect(ms).toEqual([...ms].sort((a, b) => a - b));
    // A window much wider than the events, starting so that the reader's first slice of time (60 s) ends
    // with the first second of events: the same events, once each, across slices and pages.
    const { fromMs: first, toMs: last } = span();
    const firstSecond = Math.floor(first / 1000);
    expect(Math.floor(last / 1000)).toBeGreaterThan(firstSecond);
    const wide = await readAll(open('', { fromMs: (firstSecond - 60) * 1000, toMs: last + 86_400_000 }), 13);
    expect(wide.length).toBe(local.length);
    expect(new Set(wide)).toEqual(new Set(local.map((l) => l.uid)));
    // A narrower window: exactly the events whose time falls in it.
    const sorted = local.map((l) => l.summary.ms).sort((a, b) => a - b);
    const mid = {
      fromMs: sorted[Math.floor(sorted.length / 4)]! + 1,
      toMs: sorted[Math.floor((3 * sorted.length) / 4)]!,
    };
    const inMid = local.filter((l) => l.summary.ms >= mid.fromMs && l.summary.ms <= mid.toMs).map((l) => l.uid);
    expect(inMid.length).toBeGreaterThan(0);
    expect(inMid.length).toBeLessThan(local.length);
    expect(new Set(await readAll(open('', mid), 50))).toEqual(new Set(inMid));
  });

  it('every filter keeps the same events as on the desk that captured them', async () => {
    const device = local.find((l) => l.summary.entityKind === 'device')!.summary.entity;
    const eui = local.find((l) => l.summary.devEui)!.summary.devEui!;
    const corr = local.find((l) => l.summary.correlationIds.length > 0)!.summary.correlationIds[0]!;
    const { fromMs, toMs } = span();
    const midTime = new Date(Math.floor((fromMs + toMs) / 2)).toISOString();
    const filters = [
      'ns.up.*',
      `device:${device}`,
      `dev_eui:${eui.slice(0, 10).toLowerCase()}`,
      'rssi<-100',
      'snr>=0 gateway:demo-gateway-2',
      'NOT dir:up',
      'dir:join OR f_port:1',
      'as.up.*',
      'join',
      '-"demo-gateway-1"',
      `corr:${corr}`,
      'gateways>1',
      `time>=${midTime}`,
      'gs.* AND NOT (gateway:demo-gateway-3 OR rssi>-80)',
      'f_cnt<=3 app:demo-*',
    ];
    let narrowing = 0;
    for (const filter of filters) {
      const q = compileQuery(filter);
      if (!q.ok) throw new Error(`${filter}: ${q.error.message}`);
      const expected = local.filter((l) => q.test(l.summary)).map((l) => l.uid);
      const got = await readAll(open(filter), 25);
      expect({ filter, count: got.length }).toEqual({ filter, count: expected.length });
      expect(new Set(got)).toEqual(new Set(expected));
      // Counted (one query when the SQL says the filter exactly, else by reading), and read newest first.
      expect({ filter, count: await open(filter).count() }).toEqual({ filter, count: expected.length });
      expect(await readBack(open(filter), 25)).toEqual([...got].reverse());
      if (expected.length > 0 && expected.length < local.length) narrowing++;
    }
    // The filters are not vacuous: most of them keep some events and drop others.
    expect(narrowing).toBeGreaterThanOrEqual(filters.length - 3);
  });

  it('chains link the same events, from the correlation IDs column', async () => {
    const w = open('');
    await readAll(w, 500);
    const starts = ['as.up.data.forward', 'ns.up.data.process', 'ns.up.join.process', 'js.join.accept', 'gs.up.receive']
      .map((name) => local.find((l) => l.summary.name === name))
      .filter((l): l is Local => l !== undefined);
    expect(starts.length).toBeGreaterThanOrEqual(3);
    const uidOf = new Map(local.map((l) => [l.summary.id, l.uid]));
    for (const start of starts) {
      const mine = collectChain(start.summary.id, chain);
      const expected = analyzeChain(mine.events, mine.truncated, mine.unlinked).steps.map((s) => uidOf.get(s.event.id));
      const row = [...Array(100_000).keys()].map((i) => w.get(i + 1)).find((r) => r?.key === start.uid)!;
      const got = await w.chain(row.summary.id);
      if (!got.ok) throw new Error(got.error.message);
      expect({ start: start.summary.name, chain: got.value.steps.map((s) => w.get(s.event.id)!.key) }).toEqual({
        start: start.summary.name,
        chain: expected,
      });
      expect(got.value.kind).toBe(analyzeChain(mine.events).kind);
    }
    // At least one chain is more than its start event.
    expect(
      Math.max(...(await Promise.all(starts.map(async (s) => collectChain(s.summary.id, chain).events.length)))),
    ).toBeGreaterThan(1);
  });

  it('event-desk pull writes the window as a capture: the same events, and the stream status entries among them', async () => {
    const { fromMs, toMs } = span();
    const file = path.join(dir, 'pulled.ndjson');
    const args = [
      'pull',
      '--clickhouse',
      `${ch.url}/desk`,
      '--from',
      new Date(fromMs - 60_000).toISOString(),
      '--to',
      new Date(toMs + 60_000).toISOString(),
    ];
    const r = await runCli([...args, '-o', file]);
    expect(r.stderr).toMatch(new RegExp(`${local.length} events from http://127\\.0\\.0\\.1:\\d+/desk written to`));
    expect(r.code).toBe(0);
    const lines = readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, any>);
    expect(new Set(lines.filter((o) => !o._eventDesk).map((o) => o.unique_id))).toEqual(
      new Set(local.map((l) => l.uid)),
    );
    expect(lines.filter((o) => !o._eventDesk).length).toBe(local.length);
    expect(lines[0]!._eventDesk?.kind).toBe('stream-start');
    expect(lines[lines.length - 1]!._eventDesk?.kind).toBe('stopped');
    // With a filter, on stdout.
    const device = local.find((l) => l.summary.entityKind === 'device')!.summary.entity;
    const q = compileQuery(`device:${device}`);
    if (!q.ok) throw new Error(q.error.message);
    const filtered = await runCli([...args, '--filter', `device:${device}`]);
    expect(filtered.code).toBe(0);
    const ids = filtered.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { unique_id: string }).unique_id);
    expect(new Set(ids)).toEqual(new Set(local.filter((l) => q.test(l.summary)).map((l) => l.uid)));
    const bad = await runCli([...args, '--filter', 'rssi<loud']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/rssi takes a number/);
  });

  it('status entries of the window come from their own table', async () => {
    // The stream started before its first event and stopped after its last: a window around the events.
    const { fromMs, toMs } = span();
    const names = (await open('', { fromMs: fromMs - 60_000, toMs: toMs + 60_000 }).statuses()).map((s) => s.name);
    expect(names).toEqual(['event-desk.stream-start', 'event-desk.stopped']);
    expect(await open('', span()).statuses()).toEqual([]);
  });

  it('server: and profile: keep the rows each server delivered, as the desk with those profiles filters them', async () => {
    // The capture's events recorded as if two servers had delivered them: the first half by EU1, the rest by NAM1.
    const events = readFileSync(path.join(dir, 'capture.ndjson'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{') && !l.startsWith('{"_eventDesk"'));
    const half = Math.floor(events.length / 2);
    const servers = ['https://eu1.cloud.thethings.network', 'https://nam1.cloud.thethings.network'];
    for (const [i, part] of [events.slice(0, half), events.slice(half)].entries())
      await record('two', `server-${i}.ndjson`, part, servers[i]!);
    const profiles = [
      { name: 'Prod EU', baseUrl: 'https://eu1.cloud.thethings.network/' },
      { name: 'Prod US', baseUrl: 'https://nam1.cloud.thethings.network' },
    ];
    const two = new ClickHouseSource(
      parseClickHouseUrl(`${ch.url}/two`),
      undefined,
      originsFromProfiles(() => profiles),
    );
    // The first desk: each event's stream says which server delivered it, and the app's own origins.
    const serverOf = new Map(
      events.map((l, i) => [(JSON.parse(l) as { unique_id: string }).unique_id, i < half ? 0 : 1]),
    );
    const origins = servers.map((url, i) => ({ server: new URL(url).host, profile: profiles[i]!.name }));
    try {
      const device = local.find((l) => l.summary.entityKind === 'device')!.summary.entity;
      for (const filter of [
        'server:eu1.cloud.thethings.network',
        'server:https://nam1.cloud.thethings.network/',
        'host:*.cloud.thethings.network',
        'profile:"Prod US"',
        'server:"Prod EU"',
        'NOT profile:*EU',
        `server:nam1* device:${device}`,
        'profile:Staging',
      ]) {
        const q = compileQuery(filter, { origin: (streamId) => origins[Number(streamId)] });
        if (!q.ok) throw new Error(`${filter}: ${q.error.message}`);
        const expected = local
          .filter((l) => q.test({ ...l.summary, streamId: String(serverOf.get(l.uid)) }))
          .map((l) => l.uid);
        const w = two.open({ ...span(), filter });
        if (!w.ok) throw new Error(`${filter}: ${w.error.message}`);
        const got = await readAll(w.value, 40);
        expect({ filter, count: got.length }).toEqual({ filter, count: expected.length });
        expect(new Set(got)).toEqual(new Set(expected));
      }
      // The SQL narrows by the server column, not only the second pass: a server no row came from reads nothing.
      const none = two.open({ ...span(), filter: 'server:nowhere.example' });
      if (!none.ok) throw new Error(none.error.message);
      expect((await none.value.page(undefined, 10)).rows).toEqual([]);
    } finally {
      await two.close();
    }
  });

  it('pages across long quiet stretches: every event once, in order, whatever the page size and filter', async () => {
    // The capture's events moved into three bursts (now, two hours on, three days on), so the reader has to
    // jump over empty stretches far longer than its first slice, with candidates gathered before each jump.
    const events = readFileSync(path.join(dir, 'capture.ndjson'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{') && !l.startsWith('{"_eventDesk"'));
    const base = Date.parse('2026-03-01T00:00:00Z');
    const offsets = [0, 2 * 3_600_000, 3 * 86_400_000];
    const moved = events.map((l, i) => {
      const e = JSON.parse(l) as { time: string };
      e.time = new Date(base + offsets[i % 3]! + i * 7).toISOString();
      return JSON.stringify(e);
    });
    await record('bursts', 'bursts.ndjson', moved);
    const bursts = new ClickHouseSource(parseClickHouseUrl(`${ch.url}/bursts`));
    try {
      const summaries = moved.map((l, i) => ({ uid: (JSON.parse(l) as { unique_id: string }).unique_id, line: l, i }));
      const msOf = (l: string) => Date.parse((JSON.parse(l) as { time: string }).time);
      const window = { fromMs: base - 3_600_000, toMs: base + 5 * 86_400_000 };
      const device = local.find((l) => l.summary.entityKind === 'device')!.summary.entity;
      for (const filter of ['', `device:${device}`, 'dir:up']) {
        const q = compileQuery(filter);
        if (!q.ok) throw new Error(q.error.message);
        const expected = summaries
          .filter((x) => q.test({ ...local.find((l) => l.uid === x.uid)!.summary, ms: msOf(x.line) }))
          .sort((a, b) => msOf(a.line) - msOf(b.line))
          .map((x) => x.uid);
        for (const size of [7, 1000]) {
          const w = bursts.open({ ...window, filter });
          if (!w.ok) throw new Error(w.error.message);
          expect({ filter, size, got: await readAll(w.value, size) }).toEqual({ filter, size, got: expected });
          // Newest first, from the end of the window back over the same quiet stretches: the same rows reversed.
          expect({ filter, size, back: await readBack(w.value, size) }).toEqual({
            filter,
            size,
            back: [...expected].reverse(),
          });
          expect({ filter, count: await w.value.count() }).toEqual({ filter, count: expected.length });
        }
      }
    } finally {
      await bursts.close();
    }
  });

  it('counting a loose filter reads pages of 5,000 rows over 5,000 distinct seconds (under max_query_size)', async () => {
    // One event a second: a page of 5,000 keys names 5,000 seconds, whose raw JSON one query could not fetch.
    const scenario = new Scenario({ devices: 20, gateways: 2, seed: 4 }, () => Date.parse('2026-04-01T00:00:00Z'));
    const base = Date.parse('2026-04-01T00:00:00Z');
    const lines: string[] = [];
    while (lines.length < 6000)
      for (const e of scenario.nextFlow()) {
        const ev = JSON.parse(e.json) as { time: string };
        ev.time = new Date(base + lines.length * 1000).toISOString();
        lines.push(JSON.stringify(ev));
      }
    await record('dense', 'dense.ndjson', lines);
    const dense = new ClickHouseSource(parseClickHouseUrl(`${ch.url}/dense`));
    try {
      // Free text: SQL keeps a superset, so counting reads every candidate's raw JSON in pages of 5,000.
      const w = dense.open({ fromMs: base, toMs: base + lines.length * 1000, filter: 'demo' });
      if (!w.ok) throw new Error(w.error.message);
      expect(w.value.exact).toBe(false);
      const q = compileQuery('demo');
      if (!q.ok) throw new Error(q.error.message);
      const want = lines.filter((l, i) => q.test(summarizeEvent(JSON.parse(l) as TtsEvent, i, 's'))).length;
      expect(want).toBeGreaterThan(5000);
      expect(await w.value.count()).toBe(want);
    } finally {
      await dense.close();
    }
  });
});
