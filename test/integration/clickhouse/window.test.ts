/**
 * A workspace that reads a window of the team's ClickHouse recording live, through the app's own IPC
 * handlers (#19): the list pages newest first and older, to the end, and holds exactly the window's rows
 * in order; the count is right; a filter (the window's, or the list's on top) keeps what the capturing
 * desk's filter keeps; a chain reaches events no page has shown yet; a second desk (a second core over
 * the same ClickHouse) sees the same; the window comes back after a restart and is forgotten with its tab.
 * Real clickhouse-server, real stack, real CLI recording: no mocks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { startStack } from '../../../src-main/core/stack/server.js';
import { parseLine } from '../../../src-main/core/capture/capture-index.js';
import { createCore, type Core } from '../../../src-main/core/app-core.js';
import { ScriptedDialogs } from '../../../src-main/core/services/dialogs.js';
import { compileQuery } from '../../../src-main/shared/query/query.js';
import { analyzeChain, collectChain } from '../../../src-main/shared/correlation/chain.js';
import { isErrorName } from '../../../src-main/shared/health/overview.js';
import { HealthBuilder } from '../../../src-main/shared/health/health.js';
import { WindowHealth } from '../../../src-main/core/clickhouse/window-health.js';
import { WindowMessages } from '../../../src-main/core/clickhouse/window-messages.js';
import { assembleMessages } from '../../../src-main/shared/health/messages.js';
import { ClickHouseSource } from '../../../src-main/core/clickhouse/source.js';
import { parseClickHouseUrl } from '../../../src-main/core/clickhouse/target.js';
import type { EventSummary } from '../../../src-main/shared/domain/summary.js';
import type { WindowCount } from '../../../src-main/shared/domain/recording.js';
import type { WorkspacesDoc } from '../../../src-main/shared/domain/workspace.js';
import { startCli } from '../../helpers/cli.js';
import { ChainIndex } from '../../helpers/chain-index.js';
import { MemorySecretStore } from '../../helpers/memory-secrets.js';
import { RecordingSink } from '../../helpers/recording-sink.js';
import { clickhouseMissing, startClickHouse, type ClickHouseServer } from '../../helpers/clickhouse-server.js';

interface Local {
  summary: EventSummary;
  uid: string;
  raw: string;
}

describe.skipIf(clickhouseMissing())('a workspace reads a ClickHouse window live', { timeout: 300_000 }, () => {
  let ch: ClickHouseServer;
  let dir: string;
  const local: Local[] = [];
  const chain = new ChainIndex();
  const cores: Core[] = [];
  const sinks = new Map<Core, RecordingSink>();

  beforeAll(async () => {
    ch = await startClickHouse();
    const stack = await startStack({ seed: 11, scenario: { devices: 5, gateways: 2 } });
    dir = mkdtempSync(path.join(os.tmpdir(), 'ch-window-'));
    const out = path.join(dir, 'capture.ndjson');
    try {
      const cli = startCli(
        [
          'subscribe',
          '--server',
          stack.url,
          '--api-key-env',
          'TTS_KEY',
          '--application-id',
          'demo-app',
          '--gateway-id',
          'demo-gateway-1,demo-gateway-2',
          '-o',
          out,
          '--clickhouse',
          `${ch.url}/team`,
        ],
        { env: { TTS_KEY: stack.demoKey } },
      );
      await cli.until(() => /Stream started/.test(cli.stderr()), 'the first connection', 90_000);
      stack.emitFlows(25);
      await new Promise((r) => setTimeout(r, 1200));
      stack.emitFlows(25);
      await cli.until(() => cli.lines().length > 120, 'events', 90_000);
      await new Promise((r) => setTimeout(r, 500));
      cli.child.kill('SIGINT');
      expect(await cli.exited).toBe(0);
    } finally {
      await stack.close();
    }
    readFileSync(out, 'utf8')
      .split('\n')
      .filter(Boolean)
      .forEach((line, i) => {
        const s = parseLine(line, i + 1, 'application:demo-app');
        if (s?.kind !== 'event') return;
        local.push({ summary: s, uid: (JSON.parse(line) as { unique_id: string }).unique_id, raw: line });
        chain.add(s);
      });
  }, 240_000);

  afterAll(async () => {
    for (const c of cores) await c.dispose();
    await ch?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A desk: its own data folder, the team's ClickHouse set up (not recording) on workspace `rec`. */
  async function desk(dataDir = mkdtempSync(path.join(dir, 'desk-'))): Promise<Core> {
    const sink = new RecordingSink();
    const core = await createCore({
      dataDir,
      sink,
      host: 'harness',
      version: '0.0.0',
      dialogs: new ScriptedDialogs(),
      secrets: new MemorySecretStore(),
    });
    cores.push(core);
    sinks.set(core, sink);
    const set = await core.handlers['recording:set']('rec', {
      url: ch.url,
      database: 'team',
      username: '',
      enabled: false,
    });
    if (!set.ok) throw new Error(set.error.message);
    return core;
  }
  const around = () => {
    const ms = local.map((l) => l.summary.ms);
    return { from: new Date(Math.min(...ms)).toISOString(), to: new Date(Math.max(...ms)).toISOString() };
  };
  async function open(core: Core, ws: string, filter: string, window = around()) {
    const r = await core.handlers['recording:open-window'](ws, 'rec', { ...window, filter });
    if (!r.ok) throw new Error(r.error.message);
    return r.value;
  }
  /** The list's way: the newest page, then older ones before the oldest entry, to the end. */
  async function readList(core: Core, ws: string, limit: number, query = ''): Promise<EventSummary[]> {
    let entries: EventSummary[] = [];
    for (let pages = 0; pages < 1000; pages++) {
      const oldest = entries[0];
      const r = await core.handlers['events:page']({
        workspaceId: ws,
        query,
        limit,
        ...(oldest ? { before: { ms: oldest.ms, id: oldest.id } } : {}),
      });
      if (!r.ok) throw new Error(r.error.message);
      expect(r.value.entries.filter((e) => e.kind === 'event').length).toBeLessThanOrEqual(limit);
      entries = [...r.value.entries, ...entries];
      if (!r.value.more) break;
    }
    return entries;
  }
  async function uidOf(core: Core, id: number): Promise<string> {
    const r = await core.handlers['events:get'](id);
    if (!r.ok) throw new Error(r.error.message);
    return r.value.unique_id!;
  }
  const uids = (core: Core, list: EventSummary[]) =>
    Promise.all(list.filter((e) => e.kind === 'event').map((e) => uidOf(core, e.id)));
  const expectedOf = (filter: string) => {
    const q = compileQuery(filter);
    if (!q.ok) throw new Error(q.error.message);
    return local.filter((l) => q.test(l.summary)).map((l) => l.uid);
  };
  /** The window's rows as ClickHouse orders them: (time, nanos, key), each once. */
  const inClickHouse = async () =>
    (await ch.sql('SELECT DISTINCT key FROM (SELECT key FROM team.events ORDER BY time, nanos, key)'))
      .split('\n')
      .filter(Boolean);

  it('pages newest first to the end: every row of the window once, in ClickHouse order, counted', async () => {
    const a = await desk();
    const opened = await open(a, 'w1', '');
    expect(opened.events).toBe(local.length);
    const list = await readList(a, 'w1', 7);
    const got = await uids(a, list);
    expectInOrder(got, await inClickHouse());
    // Oldest first by time, as the list shows it; the detail is the raw column, the event as sent.
    expect(list.map((e) => e.ms)).toEqual([...list.map((e) => e.ms)].sort((x, y) => x - y));
    const first = await a.handlers['events:get'](list[0]!.id);
    expect(first.ok && first.value.name).toBe(list[0]!.name);
    const page = await a.handlers['events:page']({ workspaceId: 'w1', query: '', limit: 5 });
    expect(page.ok && page.value.window).toEqual({ workspaceId: 'w1', events: local.length, counting: false });
    // A window a minute wider on each side shows the recording's status entries among the events.
    await open(a, 'w2', '', {
      from: new Date(Date.parse(around().from) - 60_000).toISOString(),
      to: new Date(Date.parse(around().to) + 60_000).toISOString(),
    });
    const wide = await readList(a, 'w2', 50);
    expect(wide.filter((e) => e.kind !== 'event').map((e) => e.name)).toEqual([
      'event-desk.stream-start',
      'event-desk.stopped',
    ]);
    expect(wide.filter((e) => e.kind === 'event').length).toBe(local.length);
    // The overview strip from ClickHouse's aggregates: every event and error of the window, the stop marked.
    const overview = await a.handlers['health:overview']('w2', 300);
    if (!overview.ok) throw new Error(overview.error.message);
    expect(overview.value.total).toBe(local.length);
    expect(overview.value.events.reduce((x, y) => x + y, 0)).toBe(local.length);
    const errors = local.filter((l) => isErrorName(l.summary.name)).length;
    expect(errors).toBeGreaterThan(0);
    expect(overview.value.errors.reduce((x, y) => x + y, 0)).toBe(errors);
    expect(overview.value.marks.map((m) => m.kind)).toEqual(['stopped']);
  });

  it("filters keep what the capturing desk's filter keeps: the window's, and the list's on top; counted", async () => {
    const a = await desk();
    for (const filter of [
      'as.up.* rssi<-90',
      'join',
      'dir:up',
      `device:${local.find((l) => l.summary.entityKind === 'device')!.summary.entity}`,
    ]) {
      const sink = sinks.get(a)!;
      const ws = `f-${filter.length}`;
      const opened = await open(a, ws, filter);
      const expected = expectedOf(filter);
      expectInOrder(await uids(a, await readList(a, ws, 9)), expected, filter);
      // Counted at once when the SQL says the filter exactly; else counted in the background, then pushed.
      const counts = () =>
        sink.all
          .filter((m) => m.channel === 'recording:window-count')
          .map((m) => m.payload as WindowCount)
          .filter((c) => c.workspaceId === ws);
      for (let i = 0; i < 200 && opened.events !== expected.length && !counts().some((c) => !c.counting); i++)
        await new Promise((r) => setTimeout(r, 50));
      const final = counts().find((c) => !c.counting)?.events ?? opened.events;
      expect({ filter, count: final }).toEqual({ filter, count: expected.length });
    }
    // The list's own query on top of an unfiltered window.
    await open(a, 'top', '');
    expectInOrder(await uids(a, await readList(a, 'top', 11, 'gs.up.*')), expectedOf('gs.up.*'), 'gs.up.*');
  });

  const msOf = (uid: string) => local.find((x) => x.uid === uid)!.summary.ms;
  /**
   * The same events, each once, in time order. Within one millisecond the list orders by id, as it does a
   * capture's entries (ids of a window are given as rows are first seen), so ties are compared as a set.
   */
  function expectInOrder(got: string[], expected: string[], label = ''): void {
    expect({ label, count: got.length }).toEqual({ label, count: expected.length });
    expect(new Set(got)).toEqual(new Set(expected));
    expect(got.map(msOf)).toEqual(expected.map(msOf).sort((x, y) => x - y));
  }

  it('a chain reaches events no page has shown yet; a second desk sees the same events, filters and chains', async () => {
    const a = await desk();
    const b = await desk();
    await open(a, 'team', '');
    await open(b, 'team', '');
    const all = await uids(a, await readList(a, 'team', 13));
    expect(await uids(b, await readList(b, 'team', 13))).toEqual(all);
    expect(await uids(b, await readList(b, 'team', 9, 'dir:join OR f_port:1'))).toEqual(
      await uids(a, await readList(a, 'team', 9, 'dir:join OR f_port:1')),
    );
    // A third desk loads the newest events one page of one at a time, and asks each one's chain right
    // away: an uplink's last event comes first, so its chain reaches events no page has shown yet.
    const c = await desk();
    await open(c, 'team', '');
    const eventsB = (await readList(b, 'team', 500)).filter((x) => x.kind === 'event');
    const uidsB = await uids(b, eventsB);
    const shown = new Set<string>();
    let oldest: EventSummary | undefined;
    let across = 0;
    for (let i = 0; i < 30; i++) {
      const r = await c.handlers['events:page']({
        workspaceId: 'team',
        query: '',
        limit: 1,
        ...(oldest ? { before: { ms: oldest.ms, id: oldest.id } } : {}),
      });
      if (!r.ok) throw new Error(r.error.message);
      const e = r.value.entries[0]!;
      oldest = e;
      const uid = await uidOf(c, e.id);
      shown.add(uid);
      const start = local.find((l) => l.uid === uid)!;
      const mine = collectChain(start.summary.id, chain);
      const want = analyzeChain(mine.events, mine.truncated, mine.unlinked).steps.map(
        (s) => local.find((l) => l.summary.id === s.event.id)!.uid,
      );
      const got = await c.handlers['correlation:chain'](e.id);
      if (!got.ok) throw new Error(got.error.message);
      const gotUids = await Promise.all(got.value.steps.map((s) => uidOf(c, s.event.id)));
      expect({ uid, chain: gotUids }).toEqual({ uid, chain: want });
      if (gotUids.some((u) => !shown.has(u))) across++;
      // The second desk links the same.
      const gotB = await b.handlers['correlation:chain'](eventsB[uidsB.indexOf(uid)]!.id);
      if (!gotB.ok) throw new Error(gotB.error.message);
      expect(await Promise.all(gotB.value.steps.map((s) => uidOf(b, s.event.id)))).toEqual(want);
    }
    expect(across).toBeGreaterThan(0);
  });

  it('comes back after a restart, and is forgotten with its tab', async () => {
    const dataDir = mkdtempSync(path.join(dir, 'restart-'));
    const a = await desk(dataDir);
    await open(a, 'kept', 'dir:up');
    const doc: WorkspacesDoc = {
      schemaVersion: 1,
      workspaces: [{ id: 'kept', name: 'kept', streams: [], filter: '', savedFilters: [], readOnly: true }],
      settings: { utc: true, newestOnTop: true },
    };
    expect((await a.handlers['workspaces:save'](doc)).ok).toBe(true);
    await a.dispose();
    cores.splice(cores.indexOf(a), 1);
    const again = await desk(dataDir);
    const streams = await again.handlers['streams:list']();
    expect(streams.ok && streams.value.filter((s) => s.spec.workspaceId === 'kept').map((s) => s.source)).toEqual([
      expect.stringMatching(/team · .* · dir:up$/),
    ]);
    expectInOrder(await uids(again, await readList(again, 'kept', 20)), expectedOf('dir:up'), 'dir:up');
    // Its tab closed: the window is gone, its ids no longer answer.
    const id = (await readList(again, 'kept', 5))[0]!.id;
    expect((await again.handlers['workspaces:save']({ ...doc, workspaces: [] })).ok).toBe(true);
    expect((await again.handlers['streams:list']()).ok && again.windows.list()).toEqual([]);
    expect((await again.handlers['events:get'](id)).ok).toBe(false);
  });

  it('says what is wrong: a filter the bar refuses, a window that ends before it starts, ClickHouse away', async () => {
    const a = await desk();
    const bad = await a.handlers['recording:open-window']('x', 'rec', { ...around(), filter: 'rssi<loud' });
    expect(!bad.ok && bad.error.message).toMatch(/rssi takes a number/);
    const back = await a.handlers['recording:open-window']('x', 'rec', {
      from: around().to,
      to: around().from,
      filter: '',
    });
    expect(!back.ok && back.error.message).toMatch(/ends before it starts/);
    await a.handlers['recording:set']('away', {
      url: 'http://127.0.0.1:9',
      database: 'team',
      username: '',
      enabled: false,
    });
    const away = await a.handlers['recording:open-window']('x', 'away', { ...around(), filter: '' });
    expect(!away.ok && away.error.message).toMatch(/ClickHouse http:\/\/127\.0\.0\.1:9\/team: .*ECONNREFUSED/);
    expect(a.windows.owns('x')).toBe(false);
    // Export says it is not there yet, rather than writing an empty file.
    await open(a, 'y', '');
    const exp = await a.handlers['export:preview']({
      workspaceId: 'y',
      workspaceName: 'y',
      scope: { kind: 'workspace' },
      format: 'ndjson',
      redaction: { keys: true, payloads: false, locations: false, ids: false },
      displayUtc: true,
    } as never);
    expect(!exp.ok && exp.error.message).toMatch(/not available for a window read from ClickHouse yet/);
  });

  it("the messages view groups the window's events as the capturing desk groups them, filter and all", async () => {
    const a = await desk();
    await open(a, 'msg', '');
    const sorted = [...local].sort((x, y) => x.summary.ms - y.summary.ms).map((l) => l.summary);
    const mine = assembleMessages(sorted);
    expect(mine.length).toBeGreaterThan(3);
    const uidOfLocal = new Map(local.map((l) => [l.summary.id, l.uid]));
    for (const query of ['', 'dir:up', 'as.up.*']) {
      const q = compileQuery(query);
      if (!q.ok) throw new Error(q.error.message);
      const byId = new Map(sorted.map((e) => [e.id, e]));
      const want = mine.filter((m) => q.empty || m.eventIds.some((id) => q.test(byId.get(id)!)));
      const got = await a.handlers['messages:watch']({
        workspaceId: 'msg',
        query,
        newestFirst: true,
        start: 0,
        count: 1000,
      });
      if (!got.ok || !got.value) throw new Error(got.ok ? 'no window' : got.error.message);
      expect({ query, total: got.value.total }).toEqual({ query, total: want.length });
      // The same messages (each one's events, by unique_id), newest first (ties within a millisecond aside).
      const gotIds = await Promise.all(got.value.rows.map((r) => Promise.all(r.eventIds.map((id) => uidOf(a, id)))));
      const key = (ids: string[]) => [...ids].sort().join(',');
      expect(gotIds.map(key).sort()).toEqual(want.map((m) => key(m.eventIds.map((id) => uidOfLocal.get(id)!))).sort());
      expect(got.value.rows.map((r) => r.ms)).toEqual([...want].reverse().map((m) => m.ms));
      expect(got.value.partial).toBeUndefined();
    }
    // Expanded: the message's events, and they open in the detail pane.
    const first = await a.handlers['messages:watch']({
      workspaceId: 'msg',
      query: '',
      newestFirst: true,
      start: 0,
      count: 5,
    });
    if (!first.ok || !first.value) throw new Error(first.ok ? 'no window' : first.error.message);
    const row = first.value.rows[0]!;
    const expanded = await a.handlers['messages:watch']({
      workspaceId: 'msg',
      query: '',
      newestFirst: true,
      start: 0,
      count: 5,
      expanded: row.eventIds[0]!,
    });
    expect(expanded.ok && expanded.value?.expanded?.events.map((e) => e.id).sort()).toEqual([...row.eventIds].sort());
    expect((await a.handlers['events:get'](row.eventIds[0]!)).ok).toBe(true);
    // A window bigger than the bound: the newest events' messages, and the view says so.
    const source = new ClickHouseSource(parseClickHouseUrl(`${ch.url}/team`));
    try {
      const w = source.open({ fromMs: Date.parse(around().from), toMs: Date.parse(around().to), filter: '' });
      if (!w.ok) throw new Error(w.error.message);
      const part = new WindowMessages(w.value, 40);
      await part.ready;
      const r = part.window({ workspaceId: 'z', query: '', newestFirst: true, start: 0, count: 10 });
      expect(part.entries).toBe(40);
      expect(r.ok && r.value.partial).toBe('Messages of the newest 40 events of this ClickHouse window.');
    } finally {
      await source.close();
    }
  });

  it("the Devices and Gateways lists are the capturing desk's, built from the rows ClickHouse returns", async () => {
    const a = await desk();
    await open(a, 'net', '');
    let list;
    for (let i = 0; i < 600; i++) {
      list = await a.handlers['health:list']('net');
      if (!list.ok) throw new Error(list.error.message);
      if (!list.value.building) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    if (!list?.ok) throw new Error('no list');
    const mine = new HealthBuilder();
    for (const l of [...local].sort((x, y) => x.summary.ms - y.summary.ms)) {
      mine.add(l.summary);
      // A gateway's status metrics, as the app reads them from the status message.
      const metrics = (JSON.parse(l.raw) as { data?: { metrics?: Record<string, number> } }).data?.metrics;
      if (l.summary.name === 'gs.status.receive' && metrics)
        mine.addStatusMetrics(l.summary.entity, l.summary.ms, metrics);
    }
    expect(list.value.devices.length).toBeGreaterThan(0);
    expect(list.value.devices).toEqual(mine.devices(true));
    expect(list.value.gateways).toEqual(mine.gateways(true));
    expect(list.value.partial).toBeUndefined();
    const key = list.value.devices[0]!.deviceKey;
    const device = await a.handlers['health:device']('net', key);
    expect(device.ok && device.value.health).toEqual(mine.device(key)!.health);
    // A window bigger than the lists' bound: they are built from its newest events, and say so.
    const source = new ClickHouseSource(parseClickHouseUrl(`${ch.url}/team`));
    try {
      const w = source.open({ fromMs: Date.parse(around().from), toMs: Date.parse(around().to), filter: '' });
      if (!w.ok) throw new Error(w.error.message);
      const part = new WindowHealth(
        w.value,
        (e) => {
          throw e;
        },
        50,
      );
      await part.finished;
      expect({ read: part.read, cut: part.cut }).toEqual({ read: 50, cut: true });
      expect(part.note(local.length)).toBe(
        `Built from the newest 50 of ${local.length} events of this ClickHouse window.`,
      );
    } finally {
      await source.close();
    }
    const gw = list.value.gateways[0]!.gatewayId;
    const gateway = await a.handlers['health:gateway']('net', gw);
    expect(gateway.ok && gateway.value.health.gatewayId).toBe(gw);
  });
});
