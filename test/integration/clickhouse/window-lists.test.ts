/**
 * The Devices and Gateways lists ClickHouse aggregates for a window (window-lists.ts,
 * window-gateway-list.ts) equal the capture's (`HealthBuilder`) for the same events, field for field, over
 * varied events: two simulated networks (current names, and v3.5's names with legacy correlation IDs;
 * several applications, Packet Broker, drops, webhook failures, gateway status metrics), every real public
 * event of test/fixtures/real (old names, uplinks without FCnt…), v3.12's per-gateway copies and their
 * `duplicate` drops, the Console's simulated uplinks, and a capture gap that hides frames. The overview strip's errors too. Each
 * panel equals the capture's too. Real clickhouse-server, rows sent by the real sink.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Scenario } from '../../../src-main/core/stack/scenario.js';
import { ClickHouseSink } from '../../../src-main/core/clickhouse/sink.js';
import { eventRow, splitTime } from '../../../src-main/core/clickhouse/rows.js';
import { ClickHouseSource } from '../../../src-main/core/clickhouse/source.js';
import { parseClickHouseUrl } from '../../../src-main/core/clickhouse/target.js';
import { WindowHealth } from '../../../src-main/core/clickhouse/window-health.js';
import { metricsOf } from '../../../src-main/core/clickhouse/window-gateway-list.js';
import { windowOverview } from '../../../src-main/core/clickhouse/window-overview.js';
import { isErrorEvent } from '../../../src-main/shared/health/overview.js';
import { consoleSimulation, duplicateDataCopies, duplicateJoinCopies } from '../../helpers/tts-quirks.js';
import { HealthBuilder } from '../../../src-main/shared/health/health.js';
import { compileQuery } from '../../../src-main/shared/query/query.js';
import { groupIntegrationFailures, isIntegrationFailure } from '../../../src-main/shared/health/integrations.js';
import { summarizeEvent, type EventSummary } from '../../../src-main/shared/domain/summary.js';
import type { TtsEvent } from '../../../src-main/shared/tts/types.js';
import { clickhouseMissing, startClickHouse, type ClickHouseServer } from '../../helpers/clickhouse-server.js';
import { relayedForward, relayedReceive } from '../../helpers/relayed-uplink.js';

const STREAM = 'application:mixed';
const ORIGIN = { server: 'https://eu1.example', stream: STREAM };
const FIXTURES = path.join(import.meta.dirname, '../../fixtures/real');

function simulated(seed: number, startMs: number, options: ConstructorParameters<typeof Scenario>[0]): string[] {
  let t = startMs;
  const scenario = new Scenario({ ...options, seed }, () => (t += 137));
  const lines: string[] = [];
  while (lines.length < 2500) for (const e of scenario.nextFlow(true)) lines.push(e.json);
  return lines;
}

/** Every real public event once (an event whose unique_id repeats in the corpus is left out: both copies). */
function realEvents(): string[] {
  const events = readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => (JSON.parse(readFileSync(path.join(FIXTURES, f), 'utf8')) as { events: TtsEvent[] }).events);
  const seen = new Map<string, number>();
  for (const e of events) if (e.unique_id) seen.set(e.unique_id, (seen.get(e.unique_id) ?? 0) + 1);
  return events.filter((e) => !e.unique_id || seen.get(e.unique_id) === 1).map((e) => JSON.stringify(e));
}

/** A gateway's registry edits, API keys and a disconnect after its traffic: none of them moves its last seen. */
function registryEvents(ms: number): string[] {
  const event = (name: string, gatewayId: string, at: number) =>
    JSON.stringify({
      name,
      time: new Date(at).toISOString(),
      identifiers: [{ gateway_ids: { gateway_id: gatewayId } }],
    });
  return [
    event('gs.gateway.disconnect', 'demo-gateway-1', ms),
    event('gateway.update', 'demo-gateway-1', ms + 1000),
    event('gateway.api-key.create', 'demo-gateway-2', ms + 2000),
    event('gateway.create', 'registry-only-gateway', ms + 3000),
  ];
}

/**
 * Uplinks whose data rate a careless read gets wrong, each on a device of its own: a payload formatter that
 * outputs `spreading_factor` and `bandwidth` (TTS writes `decoded_payload` before `settings`), an FSK uplink
 * and an LR-FHSS one (v3.14.0+).
 */
function oddRateUplinks(lines: string[]): string[] {
  const up = JSON.parse(lines.find((l) => l.includes('"name":"as.up.data.forward"'))!) as TtsEvent & {
    data: { uplink_message: Record<string, unknown> & { settings: { data_rate: unknown } } };
  };
  const variant = (device: string, n: number, change: (m: Record<string, unknown>) => Record<string, unknown>) => {
    const e = structuredClone(up) as typeof up & { identifiers: { device_ids: { device_id: string } }[] };
    e.identifiers[0]!.device_ids.device_id = device;
    e.unique_id = `01ODDRATE0000000000000000${n}`;
    // A second apart: devices heard in one millisecond are in no order a panel could promise.
    e.time = new Date(Date.parse(up.time!) + n * 1000).toISOString();
    e.data.uplink_message = change(e.data.uplink_message) as typeof up.data.uplink_message;
    return JSON.stringify(e);
  };
  const withSettings = (m: Record<string, unknown>, dataRate: unknown) => ({
    ...m,
    settings: { ...(m.settings as object), data_rate: dataRate },
  });
  return [
    variant('formatter-says-sf12', 1, (m) => ({ decoded_payload: { spreading_factor: 12, bandwidth: 500000 }, ...m })),
    variant('fsk-device', 2, (m) => withSettings(m, { fsk: { bit_rate: 50000 } })),
    variant('lr-fhss-device', 3, (m) =>
      withSettings(m, { lrfhss: { modulation_type: 0, operating_channel_width: 137000 } }),
    ),
  ];
}

/**
 * Uplinks LoRaWAN relays forwarded (v3.28.1+): two relay devices, one uplink a gateway heard directly as well,
 * one beside a Packet Broker relay that hides its forwarder, one from a relay the server named no device of.
 */
function relayEvents(): string[] {
  const events = [
    relayedForward({ device: 'behind-relay-a', relay: 'relay-1', fCnt: 1, atS: 11, devAddr: '260BAA01' }),
    relayedForward({ device: 'behind-relay-b', relay: 'relay-1', fCnt: 1, atS: 12, rssi: -104, devAddr: '260BAA02' }),
    relayedForward({
      device: 'behind-relay-c',
      relay: 'relay-2',
      fCnt: 1,
      atS: 13,
      rssi: -70,
      snr: 11,
      devAddr: '260BAA03',
    }),
    relayedForward({
      device: 'behind-relay-a',
      relay: 'relay-1',
      fCnt: 2,
      atS: 71,
      rssi: -99,
      snr: 1,
      devAddr: '260BAA01',
    }),
    relayedReceive({
      device: 'behind-relay-a',
      relay: 'relay-1',
      fCnt: 2,
      atS: 71,
      rssi: -99,
      snr: 1,
      devAddr: '260BAA01',
    }),
    relayedForward({
      device: 'behind-relay-c',
      relay: 'relay-2',
      fCnt: 2,
      atS: 73,
      devAddr: '260BAA03',
      direct: [{ gatewayId: 'demo-gateway-1', rssi: -121, snr: -14 }],
    }),
    relayedForward({ device: 'behind-unnamed-relay', fCnt: 1, atS: 75, devAddr: '260BAA04' }),
  ];
  const pb = relayedForward({ device: 'behind-relay-d', relay: 'relay-2', fCnt: 1, atS: 77, devAddr: '260BAA05' });
  (pb.data as { uplink_message: { rx_metadata: unknown[] } }).uplink_message.rx_metadata.unshift({
    gateway_ids: { gateway_id: 'packetbroker' },
    packet_broker: { forwarder_net_id: '000013' },
    rssi: -116,
    snr: -9,
  });
  return [...events, pb].map((e) => JSON.stringify(e));
}

/** A real uplink whose payload formatter outputs `"simulated": true`: radio traffic all the same. */
function formatterSaysSimulated(ms: number): string {
  const e = consoleSimulation(ms)[0]! as TtsEvent & {
    identifiers: { device_ids: { device_id: string } }[];
    data: { uplink_message: { decoded_payload: unknown } };
  };
  e.identifiers[0]!.device_ids.device_id = 'formatter-says-simulated';
  e.data.uplink_message.decoded_payload = { simulated: true };
  e.unique_id = '01FORMATTERSAYSSIMULATED00';
  return JSON.stringify(e);
}

describe.skipIf(clickhouseMissing())("a ClickHouse window's aggregated lists", { timeout: 300_000 }, () => {
  let ch: ClickHouseServer;
  let dir: string;
  const start = Date.parse('2026-03-01T10:00:00Z');
  const first = simulated(5, start, { applications: 2, devices: 8, gateways: 3 });
  const lines = [
    ...first,
    ...oddRateUplinks(first),
    ...simulated(6, start + 40_000, { devices: 4, gateways: 2, release: '3.5', correlation: 'legacy' }),
    ...realEvents(),
    ...registryEvents(start + 3_600_000),
    ...relayEvents(),
    // v3.12's per-gateway copies and their `duplicate` drops: no error, one join attempt (tts-quirks.ts).
    ...duplicateDataCopies().map((e) => JSON.stringify(e)),
    ...duplicateJoinCopies(start + 7_200_000).map((e) => JSON.stringify(e)),
    // The Console's simulated uplink between real ones, and a real uplink whose formatter outputs `simulated`.
    ...consoleSimulation(start + 10_800_000).map((e) => JSON.stringify(e)),
    formatterSaysSimulated(start + 11_000_000),
  ];
  const summaries: { s: EventSummary; raw: string }[] = lines.map((raw, i) => ({
    s: summarizeEvent(JSON.parse(raw) as TtsEvent, i + 1, STREAM),
    raw,
  }));
  const mid = [...summaries].map((x) => x.s.ms).sort((a, b) => a - b)[Math.floor(summaries.length / 3)]!;
  const gap = { fromMs: mid, toMs: mid + 20_000, streamId: STREAM };
  const gapLine = JSON.stringify({
    _eventDesk: {
      kind: 'gap',
      time: new Date(gap.toMs).toISOString(),
      message: 'reconnected',
      from: new Date(gap.fromMs).toISOString(),
      to: new Date(gap.toMs).toISOString(),
    },
  });

  beforeAll(async () => {
    ch = await startClickHouse();
    dir = mkdtempSync(path.join(os.tmpdir(), 'ch-lists-'));
    writeFileSync(path.join(dir, 'capture.ndjson'), `${[...lines, gapLine].join('\n')}\n`);
    const sink = await ClickHouseSink.start({
      target: parseClickHouseUrl(`${ch.url}/lists`),
      capturePath: path.join(dir, 'capture.ndjson'),
      offsetPath: path.join(dir, 'offset.json'),
      origin: ORIGIN,
      pollMs: 20,
    });
    expect(await sink.drain(120_000)).toBe(true);
    await sink.close();
  }, 200_000);

  afterAll(async () => {
    await ch?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("equal the capture's lists and panels for the same events, gap included", async () => {
    const mine = new HealthBuilder();
    mine.addGap(gap);
    // The capture's order: events arrive in time order, to the nanosecond (the list's "last seen" of a device
    // with two events in one millisecond is the later one's); events of one nanosecond (real fixtures with
    // hand-set times) arrive in an order no recording keeps, so here in the table's (by key).
    const at = (x: { s: EventSummary; raw: string }) => ({ ...splitTime(x.s.time), key: eventRow(x.raw, ORIGIN)!.key });
    const sorted = [...summaries].sort((a, b) => {
      const [x, y] = [at(a), at(b)];
      return x.seconds - y.seconds || x.nanos - y.nanos || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0);
    });
    for (const { s, raw } of sorted) {
      mine.add(s);
      const m = s.name === 'gs.status.receive' ? metricsOf(raw) : undefined;
      if (m) mine.addStatusMetrics(s.entity, s.ms, m);
    }
    const source = new ClickHouseSource(parseClickHouseUrl(`${ch.url}/lists`));
    try {
      const ms = summaries.map((x) => x.s.ms);
      const w = source.open({ fromMs: Math.min(...ms), toMs: Math.max(...ms), filter: '' });
      if (!w.ok) throw new Error(w.error.message);
      const health = new WindowHealth(w.value);
      const lists = await health.lists;
      const devices = mine.devices(true);
      // The events are varied enough to mean something: lost and unknown frames, both ways of counting a
      // gateway, several uplink names counted from.
      expect(devices.length).toBeGreaterThan(10);
      expect(devices.some((d) => d.frames.lost > 0) && devices.some((d) => d.frames.unknown > 0)).toBe(true);
      expect(new Set(devices.map((d) => d.countedFrom)).size).toBeGreaterThan(1);
      expect(new Set(mine.gateways(true).map((g) => g.countedFrom)).size).toBeGreaterThan(1);
      expect(mine.gateways(true).filter((g) => g.lastStatus?.metrics).length).toBeGreaterThan(1);
      const seen = (id: string) => mine.gateways(true).find((g) => g.gatewayId === id)?.lastSeen;
      expect([seen('demo-gateway-1')! < '2026-03-01T11:00:00Z', seen('registry-only-gateway')]).toEqual([true, '']);
      const rates = (id: string) => devices.find((d) => d.deviceId === id)?.dataRates.map((r) => r.dataRate);
      expect([rates('formatter-says-sf12'), rates('fsk-device'), rates('lr-fhss-device')]).toEqual([
        ['SF7BW125'],
        ['FSK 50 kbit/s'],
        ['LR-FHSS OCW 137 kHz'],
      ]);
      // Each relay device is a row of its own; plain `relay` only for the relay the server named no device of.
      const relays = mine.gateways(true).filter((g) => g.gatewayId.startsWith('relay'));
      expect(relays.map((g) => [g.gatewayId, g.devices])).toEqual([
        ['relay:relay-1', 2],
        ['relay:relay-2', 2],
        ['relay', 1],
      ]);
      const oldServer = devices.filter((d) => d.deviceId === 'old-joiner' || d.deviceId === 'test-dev-01');
      expect(oldServer.map((d) => [d.deviceId, d.joins.attempts, d.errors])).toEqual([
        ['old-joiner', 1, 0],
        ['test-dev-01', 0, 0],
      ]);
      // A simulated uplink is the device's event, not a frame, a reading, a data rate or a gateway.
      const tested = devices.find((d) => d.deviceId === 'console-tested')!;
      expect([tested.events, tested.frames.lost, tested.frames.sessions, tested.rssi?.max]).toEqual([5, 0, 1, -100]);
      expect(tested.dataRates).toEqual([{ dataRate: 'SF9BW125', count: 4 }]);
      expect(mine.gateways(true).some((g) => g.gatewayId === 'test')).toBe(false);
      expect(devices.find((d) => d.deviceId === 'formatter-says-simulated')?.frames.frames).toBe(1);
      expect(lists.devices).toEqual(devices);
      expect(lists.gateways).toEqual(mine.gateways(true));
      expect(lists.gaps).toBe(1);
      const failures = sorted.filter((x) => isIntegrationFailure(x.s.name)).map((x) => JSON.parse(x.raw) as TtsEvent);
      expect(failures.length).toBeGreaterThan(2);
      expect(lists.integrations).toEqual(groupIntegrationFailures(failures));
      for (const d of [...devices.slice(0, 12), tested])
        expect(await health.device(d.deviceKey)).toEqual(mine.device(d.deviceKey));
      expect(await health.gateway('test')).toBeUndefined();
      for (const g of mine.gateways(true)) expect(await health.gateway(g.gatewayId)).toEqual(mine.gateway(g.gatewayId));
      expect(lists.partial).toBeUndefined();
      // The overview strip's errors are the capture's: drops, failures and rejections, not a duplicate's drop.
      const overview = await windowOverview(w.value, 600);
      const errors = summaries.filter((x) => isErrorEvent(x.s.name, x.s.errorName)).length;
      expect(summaries.filter((x) => x.s.errorName === 'duplicate').length).toBe(5);
      expect([overview.total, overview.errors.reduce((a, x) => a + x, 0)]).toEqual([summaries.length, errors]);

      // A window through a filter SQL says exactly: the lists and panels of the events it keeps.
      for (const filter of [
        'as.up.*',
        'gateway:demo-gateway-1',
        'app:demo-app-2',
        'gateway:relay:relay-2',
        'gateway:relay',
      ]) {
        const q = compileQuery(filter);
        if (!q.ok) throw new Error(q.error.message);
        const kept = new HealthBuilder();
        kept.addGap(gap);
        for (const { s, raw } of sorted.filter((x) => q.test(x.s))) {
          kept.add(s);
          const m = s.name === 'gs.status.receive' ? metricsOf(raw) : undefined;
          if (m) kept.addStatusMetrics(s.entity, s.ms, m);
        }
        const fw = source.open({ fromMs: Math.min(...ms), toMs: Math.max(...ms), filter });
        if (!fw.ok) throw new Error(fw.error.message);
        expect({ filter, exact: fw.value.exact }).toEqual({ filter, exact: true });
        const fh = new WindowHealth(fw.value);
        const fl = await fh.lists;
        expect(fl.devices.length).toBeGreaterThan(0);
        expect(fl.devices).toEqual(kept.devices(true));
        expect(fl.gateways).toEqual(kept.gateways(true));
        const d = fl.devices[0]!.deviceKey;
        expect(await fh.device(d)).toEqual(kept.device(d));
      }
      // A filter SQL cannot say exactly: aggregated for the part it can, and the lists say so.
      const loose = source.open({ fromMs: Math.min(...ms), toMs: Math.max(...ms), filter: 'as.up.* "demo"' });
      if (!loose.ok) throw new Error(loose.error.message);
      expect(loose.value.exact).toBe(false);
      expect((await new WindowHealth(loose.value).lists).partial).toMatch(/^Aggregated by ClickHouse for the part/);
    } finally {
      await source.close();
    }
  });
});
