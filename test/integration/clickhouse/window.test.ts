/**
 * A workspace that reads a window of the team's ClickHouse recording live, through the app's own IPC
 * handlers (#19): the list pages newest first and older, to the end, and holds exactly the window's rows
 * in order; the count is right; a filter (the window's, or the list's on top) keeps what the capturing
 * desk's filter keeps; a chain reaches events no page has shown yet; a second desk (a second core over
 * the same ClickHouse) sees the same; the window comes back after a restart and is forgotten with its tab.
 * Real clickhouse-server, real stack, real CLI recording: no mocks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import type { Core } from '../../../src-main/core/app-core.js';
import { compileQuery } from '../../../src-main/shared/query/query.js';
import { NO_REDACTION } from '../../../src-main/shared/export/redact.js';
import { analyzeChain, collectChain } from '../../../src-main/shared/correlation/chain.js';
import { isErrorEvent } from '../../../src-main/shared/health/overview.js';
import type { EventSummary } from '../../../src-main/shared/domain/summary.js';
import type { WindowCount } from '../../../src-main/shared/domain/recording.js';
import type { WorkspacesDoc } from '../../../src-main/shared/domain/workspace.js';
import { clickhouseMissing } from '../../helpers/clickhouse-server.js';
import { TeamRecording } from '../../helpers/team-recording.js';

describe.skipIf(clickhouseMissing())('a workspace reads a ClickHouse window live', { timeout: 300_000 }, () => {
  const team = new TeamRecording();
  const { local, chain } = team;
  beforeAll(() => team.start(), 240_000);
  afterAll(() => team.close());
  const desk = (dataDir?: string) => team.desk(dataDir);
  const around = () => team.around();
  const open = (core: Core, ws: string, filter: string, window?: { from: string; to: string }) =>
    team.open(core, ws, filter, window);
  const readList = (core: Core, ws: string, limit: number, query?: string) => team.readList(core, ws, limit, query);
  const uidOf = (core: Core, id: number) => team.uidOf(core, id);
  const uids = (core: Core, list: EventSummary[]) => team.uids(core, list);
  const expectedOf = (filter: string) => {
    const q = compileQuery(filter);
    if (!q.ok) throw new Error(q.error.message);
    return local.filter((l) => q.test(l.summary)).map((l) => l.uid);
  };
  /** The window's rows as ClickHouse orders them: (time, nanos, key), each once. */
  const inClickHouse = async () =>
    (await team.ch.sql('SELECT DISTINCT key FROM (SELECT key FROM team.events ORDER BY time, nanos, key)'))
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
    // (A reconnect, should the stream have had one on a loaded machine, is among them too.)
    const statuses = wide.filter((e) => e.kind !== 'event').map((e) => e.name);
    expect(statuses[0]).toBe('event-desk.stream-start');
    expect(statuses[statuses.length - 1]).toBe('event-desk.stopped');
    expect(statuses.slice(1, -1).every((n) => n === 'event-desk.reconnect' || n === 'event-desk.gap')).toBe(true);
    expect(wide.filter((e) => e.kind === 'event').length).toBe(local.length);
    // Every row is the window tab's own, named by its source: the recorded stream name (s1) belongs to the
    // recording desk and could name one of this desk's streams, whose profile the list would then show.
    const listed = await a.handlers['streams:list']();
    const own = listed.ok ? listed.value.filter((s) => s.spec.workspaceId === 'w2') : [];
    expect(own.map((s) => s.source)).toEqual([expect.any(String)]);
    expect([...new Set(wide.map((e) => e.streamId))]).toEqual([own[0]!.streamId]);
    // The overview strip from ClickHouse's aggregates: every event and error of the window, the stop marked.
    const overview = await a.handlers['health:overview']('w2', 300);
    if (!overview.ok) throw new Error(overview.error.message);
    expect(overview.value.total).toBe(local.length);
    expect(overview.value.events.reduce((x, y) => x + y, 0)).toBe(local.length);
    const errors = local.filter((l) => isErrorEvent(l.summary.name, l.summary.errorName)).length;
    // (How many errors the stack's flows hold depends on their timing; none counted as errors is checked too.)
    expect(overview.value.errors.reduce((x, y) => x + y, 0)).toBe(errors);
    const marks = overview.value.marks.map((m) => m.kind);
    expect(marks[marks.length - 1]).toBe('stopped');
    expect(marks.slice(0, -1).every((k) => k === 'reconnect' || k === 'gap')).toBe(true);
  });

  it("filters keep what the capturing desk's filter keeps: the window's, and the list's on top; counted", async () => {
    const a = await desk();
    for (const filter of [
      'as.up.* rssi<-90',
      'join',
      'dir:up',
      `device:${local.find((l) => l.summary.entityKind === 'device')!.summary.entity}`,
    ]) {
      const sink = team.sinks.get(a)!;
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
    const dataDir = mkdtempSync(path.join(team.dir, 'restart-'));
    const a = await desk(dataDir);
    await open(a, 'kept', 'dir:up');
    const doc: WorkspacesDoc = {
      schemaVersion: 1,
      workspaces: [{ id: 'kept', name: 'kept', streams: [], filter: '', savedFilters: [], readOnly: true }],
      settings: { utc: true, newestOnTop: true },
    };
    expect((await a.handlers['workspaces:save'](doc)).ok).toBe(true);
    await a.dispose();
    team.cores.splice(team.cores.indexOf(a), 1);
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
    // Export previews the window's events (window-export.test.ts compares the files with the capture's).
    await open(a, 'y', '');
    const exp = await a.handlers['export:preview']({
      workspaceId: 'y',
      workspaceName: 'y',
      scope: { kind: 'workspace' },
      format: 'ndjson',
      redaction: NO_REDACTION,
      displayUtc: true,
    });
    expect(exp.ok && exp.value.events).toBe(local.length);
  });
});
