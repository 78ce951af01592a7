/**
 * The views of a workspace that reads a ClickHouse window (#19), against the capturing desk's own: the
 * messages view (the app's grouping over the window's newest events) and the Devices and Gateways lists
 * and panels (the app's health builder fed with the rows ClickHouse returns), with their bounds said.
 * Real clickhouse-server, real stack, real CLI recording (test/helpers/team-recording.ts): no mocks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../../src-main/core/app-core.js';
import { compileQuery } from '../../../src-main/shared/query/query.js';
import { HealthBuilder } from '../../../src-main/shared/health/health.js';
import { assembleMessages } from '../../../src-main/shared/health/messages.js';
import { WindowMessages } from '../../../src-main/core/clickhouse/window-messages.js';
import { ClickHouseSource } from '../../../src-main/core/clickhouse/source.js';
import { parseClickHouseUrl } from '../../../src-main/core/clickhouse/target.js';
import { clickhouseMissing } from '../../helpers/clickhouse-server.js';
import { TeamRecording } from '../../helpers/team-recording.js';

describe.skipIf(clickhouseMissing())("a ClickHouse window's messages and network views", { timeout: 300_000 }, () => {
  const team = new TeamRecording();
  const { local } = team;
  beforeAll(() => team.start(), 240_000);
  afterAll(() => team.close());
  const desk = (dataDir?: string) => team.desk(dataDir);
  const around = () => team.around();
  const open = (core: Core, ws: string, filter: string, window?: { from: string; to: string }) =>
    team.open(core, ws, filter, window);
  const uidOf = (core: Core, id: number) => team.uidOf(core, id);

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
    const source = new ClickHouseSource(parseClickHouseUrl(`${team.ch.url}/team`));
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

  it("the Devices and Gateways lists are the capturing desk's, aggregated by ClickHouse; panels too", async () => {
    const a = await desk();
    await open(a, 'net', '');
    // Aggregated by ClickHouse over the whole window when asked: no building in the background, no bound.
    const list = await a.handlers['health:list']('net');
    if (!list.ok) throw new Error(list.error.message);
    expect(list.value.building).toBeUndefined();
    const mine = new HealthBuilder();
    // Fed in the window's order: time, its nanoseconds, then the key (the unique_id). Events within one
    // millisecond otherwise swap places in a gateway's RSSI series, depending on their random IDs.
    const nanos = (time: string) => Number((/\.(\d{1,9})/.exec(time)?.[1] ?? '').padEnd(9, '0'));
    const inWindowOrder = (x: (typeof local)[number], y: (typeof local)[number]) =>
      x.summary.ms - y.summary.ms ||
      nanos(x.summary.time) - nanos(y.summary.time) ||
      (x.uid < y.uid ? -1 : x.uid > y.uid ? 1 : 0);
    for (const l of [...local].sort(inWindowOrder)) {
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
    const gw = list.value.gateways[0]!.gatewayId;
    const gateway = await a.handlers['health:gateway']('net', gw);
    expect(gateway.ok && gateway.value).toEqual(mine.gateway(gw));
    for (const d of list.value.devices) {
      const panel = await a.handlers['health:device']('net', d.deviceKey);
      expect(panel.ok && panel.value).toEqual(mine.device(d.deviceKey));
    }
    // Every row inserted again (a resent batch whose merge has not run yet): the lists count each event once.
    await team.ch.sql('INSERT INTO team.events SELECT * FROM team.events');
    expect(await team.ch.sql('SELECT count() FROM team.events')).toBe(`${2 * local.length}\n`);
    await open(a, 'twice', '');
    const twice = await a.handlers['health:list']('twice');
    expect(twice.ok && twice.value.devices).toEqual(mine.devices(true));
    expect(twice.ok && twice.value.gateways).toEqual(mine.gateways(true));
    const panel = await a.handlers['health:device']('twice', key);
    expect(panel.ok && panel.value).toEqual(mine.device(key));
  });
});
