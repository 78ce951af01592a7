import { describe, expect, it } from 'vitest';
import type { EventSummary } from '../../../../../src-main/shared/domain/summary.js';
import { countFrames, perText } from '../../../../../src-main/shared/health/frames.js';
import { computeHealth, HealthBuilder } from '../../../../../src-main/shared/health/health.js';
import { DevAddrResolver } from '../../../../../src-main/shared/health/devaddr.js';
import { groupIntegrationFailures } from '../../../../../src-main/shared/health/integrations.js';
import {
  DEFAULT_THRESHOLDS,
  checkThresholds,
  gradeSf,
  gradeSnr,
  spreadingFactor,
} from '../../../../../src-main/shared/health/thresholds.js';
import { reportOf } from '../../../../../src-main/shared/health/report.js';
import type { TtsEvent } from '../../../../../src-main/shared/tts/types.js';
import { summarizeEvent } from '../../../../../src-main/shared/domain/summary.js';
import { relayedForward } from '../../../../helpers/relayed-uplink.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');
let nextId = 1;

function ev(over: Partial<EventSummary> & { name: string; ms: number }): EventSummary {
  return {
    id: nextId++,
    streamId: 's1',
    kind: 'event',
    time: new Date(over.ms).toISOString(),
    entity: '',
    entityKind: '',
    preview: '',
    correlationIds: [],
    ...over,
  };
}

/** One uplink of `dev1` as the network server processed it, heard by the given gateways. */
function uplink(
  fCnt: number,
  atS: number,
  opts: { gateways?: string[]; rssi?: number; snr?: number; dev?: string; dataRate?: string } = {},
): EventSummary {
  const gateways = opts.gateways ?? ['gw1'];
  return ev({
    name: 'ns.up.data.process',
    ms: T0 + atS * 1000,
    entity: opts.dev ?? 'dev1',
    entityKind: 'device',
    application: 'app1',
    devAddr: '260B0001',
    direction: 'up',
    fCnt,
    fPort: 1,
    rssi: opts.rssi ?? -90,
    snr: opts.snr ?? 7,
    gateways: gateways.length,
    gatewayIds: gateways,
    dataRate: opts.dataRate ?? 'SF7BW125',
  });
}

const joinAccept = (atS: number, dev = 'dev1') =>
  ev({
    name: 'js.join.accept',
    ms: T0 + atS * 1000,
    entity: dev,
    entityKind: 'device',
    application: 'app1',
    direction: 'join',
  });
const joinRequest = (atS: number, dev = 'dev1') =>
  ev({
    name: 'ns.up.join.receive',
    ms: T0 + atS * 1000,
    entity: dev,
    entityKind: 'device',
    application: 'app1',
    direction: 'join',
  });
const gap = (fromS: number, toS: number) => ({ fromMs: T0 + fromS * 1000, toMs: T0 + toS * 1000 });

describe('frame counters', () => {
  it('counts the frames missing between two received ones as lost, and gives the packet error rate', () => {
    const f = countFrames(
      [0, 1, 2, 5, 6].map((fCnt, i) => ({ ms: T0 + i * 60_000, fCnt })),
      [],
      [],
    );
    expect(f).toMatchObject({ frames: 5, lost: 2, unknown: 0, retransmissions: 0, fCntFirst: 0, fCntLast: 6 });
    expect(f.per).toBeCloseTo(2 / 7, 4);
    expect(perText(f, f.frames)).toBe('28.6%');
  });

  it('has no packet error rate to show for a device with no frame in the capture', () => {
    const none = countFrames([], [], []);
    expect(none.per).toBe(0);
    expect(perText(none, none.frames)).toBe('—');
    // Received nothing, but the counters say frames were lost: that is 100 %, not "—".
    expect(perText({ per: 1, lost: 2 }, 0)).toBe('100.0%');
    expect(perText(countFrames([{ ms: T0, fCnt: 3 }], [], []), 1)).toBe('0.0%');
  });

  it('does not count a retransmission of one FCnt as a new frame', () => {
    const f = countFrames(
      [
        { ms: T0, fCnt: 10 },
        { ms: T0 + 1000, fCnt: 10 },
        { ms: T0 + 2000, fCnt: 10 },
        { ms: T0 + 60_000, fCnt: 11 },
      ],
      [],
      [],
    );
    expect(f).toMatchObject({ frames: 2, retransmissions: 2, lost: 0, per: 0 });
  });

  it('treats a join as a new session: the counter going back to 0 is not a loss, frames before the first one after the join are', () => {
    const f = countFrames(
      [
        { ms: T0, fCnt: 120 },
        { ms: T0 + 60_000, fCnt: 121 },
        { ms: T0 + 180_000, fCnt: 2 },
        { ms: T0 + 240_000, fCnt: 3 },
      ],
      [T0 + 120_000],
      [],
    );
    expect(f).toMatchObject({ frames: 4, lost: 2, unknown: 0, sessions: 2, fCntFirst: 120, fCntLast: 3 });
  });

  it('follows the 16-bit counter over its roll-over from 65535 to 0', () => {
    const f = countFrames(
      [65533, 65534, 65535, 0, 1].map((fCnt, i) => ({ ms: T0 + i * 1000, fCnt })),
      [],
      [],
    );
    expect(f).toMatchObject({ frames: 5, lost: 0, sessions: 1 });
    const skipped = countFrames(
      [65534, 1].map((fCnt, i) => ({ ms: T0 + i * 1000, fCnt })),
      [],
      [],
    );
    // 65535 and 0 are missing across the roll-over.
    expect(skipped.lost).toBe(2);
  });

  it('calls frames missing while the capture had a gap unknown, not lost', () => {
    const f = countFrames(
      [
        { ms: T0, fCnt: 1 },
        { ms: T0 + 600_000, fCnt: 8 },
        { ms: T0 + 660_000, fCnt: 10 },
      ],
      [],
      [gap(60, 300)],
    );
    expect(f).toMatchObject({ frames: 3, unknown: 6, lost: 1 });
    // PER judges only what the capture can: 1 lost of 3 + 1.
    expect(f.per).toBeCloseTo(1 / 4, 4);
  });

  it('does not invent thousands of lost frames when a device without a join resets its counter', () => {
    const f = countFrames(
      [
        { ms: T0, fCnt: 5000 },
        { ms: T0 + 1000, fCnt: 3 },
        { ms: T0 + 2000, fCnt: 4 },
      ],
      [],
      [],
    );
    expect(f).toMatchObject({ frames: 3, lost: 0, sessions: 2 });
  });
});

describe('device health', () => {
  it('counts one device from one event name per uplink, with RSSI/SNR spread, gateways, data rates, joins and last seen', () => {
    const events = [
      joinRequest(0),
      joinAccept(1),
      uplink(0, 10, { gateways: ['gw1', 'gw2'], rssi: -80, snr: 9 }),
      // The AS forwarding the same frame is not a second frame.
      ev({
        name: 'as.up.data.forward',
        ms: T0 + 10_100,
        entity: 'dev1',
        entityKind: 'device',
        application: 'app1',
        direction: 'up',
        fCnt: 0,
      }),
      uplink(1, 70, { rssi: -100, snr: -2, dataRate: 'SF9BW125' }),
      uplink(3, 190, { rssi: -120, snr: -15, dataRate: 'SF12BW125' }),
      ev({
        name: 'as.down.data.receive',
        ms: T0 + 200_000,
        entity: 'dev1',
        entityKind: 'device',
        application: 'app1',
        direction: 'down',
      }),
      ev({
        name: 'ns.down.transmission.success',
        ms: T0 + 250_000,
        entity: 'dev1',
        entityKind: 'device',
        application: 'app1',
        direction: 'down',
      }),
    ];
    const { devices } = computeHealth(events);
    expect(devices).toHaveLength(1);
    const d = devices[0]!;
    expect(d).toMatchObject({
      deviceId: 'dev1',
      applicationId: 'app1',
      countedFrom: 'ns.up.data.process',
      joins: { attempts: 1, accepts: 1 },
      downlinks: { queued: 1, sent: 1, acked: 0 },
    });
    expect(d.frames).toMatchObject({ frames: 3, lost: 1 });
    expect(d.rssi).toMatchObject({ min: -120, median: -100, max: -80 });
    expect(d.snr).toMatchObject({ min: -15, max: 9 });
    expect(d.gateways.map((g) => g.gatewayId)).toEqual(['gw1', 'gw2']);
    expect(d.dataRates).toContainEqual({ dataRate: 'SF12BW125', count: 1 });
    expect(d.lastSeen).toBe(new Date(T0 + 250_000).toISOString());
  });

  it('lets only a gap of a stream that delivers the device’s uplinks make its missing frames unknown', () => {
    const on = (streamId: string, fCnt: number, atS: number) => ({ ...uplink(fCnt, atS), streamId });
    // The gateway stream (s9) was down between the frames; the device's own stream (s1) was not.
    const other = computeHealth([on('s1', 1, 0), on('s1', 3, 120)], [{ ...gap(30, 90), streamId: 's9' }]);
    expect(other.devices[0]!.frames).toMatchObject({ lost: 1, unknown: 0 });
    const own = computeHealth([on('s1', 1, 0), on('s1', 3, 120)], [{ ...gap(30, 90), streamId: 's1' }]);
    expect(own.devices[0]!.frames).toMatchObject({ lost: 0, unknown: 1 });
  });

  it('counts from as.up.data.forward when the capture is an application stream (no NS events)', () => {
    const as = (fCnt: number, s: number) =>
      ev({
        name: 'as.up.data.forward',
        ms: T0 + s * 1000,
        entity: 'dev9',
        entityKind: 'device',
        application: 'app1',
        direction: 'up',
        fCnt,
      });
    const { devices } = computeHealth([as(4, 0), as(5, 60), as(9, 300)]);
    expect(devices[0]).toMatchObject({ countedFrom: 'as.up.data.forward', frames: { frames: 3, lost: 3 } });
  });

  it('gives each gateway its own RSSI/SNR over time from per-gateway readings, and the uplinks-over-time timeline with lost and unknown frames', () => {
    const b = new HealthBuilder({ deviceKey: 'app1/dev1' });
    b.addGap(gap(100, 200));
    b.add(uplink(0, 0, { gateways: ['gw1', 'gw2'] }), [
      { gatewayId: 'gw1', rssi: -70, snr: 10 },
      { gatewayId: 'gw2', rssi: -110, snr: -5 },
    ]);
    b.add(uplink(1, 60, { gateways: ['gw1', 'gw2'] }), [
      { gatewayId: 'gw1', rssi: -72, snr: 9 },
      { gatewayId: 'gw2', rssi: -112, snr: -7 },
    ]);
    b.add(uplink(5, 300, { gateways: ['gw2'] }), [{ gatewayId: 'gw2', rssi: -115, snr: -9 }]);
    b.add(uplink(7, 360, { gateways: ['gw2'] }), [{ gatewayId: 'gw2', rssi: -116, snr: -10 }]);
    // Another device is not part of this panel.
    b.add(uplink(0, 30, { dev: 'dev2' }));
    const got = b.device('app1/dev1')!;
    expect(got.health.frames).toMatchObject({ frames: 4, unknown: 3, lost: 1 });
    const gw2 = got.series.perGateway.find((g) => g.gatewayId === 'gw2')!;
    expect(gw2.rssi).toEqual([-110, -112, -115, -116]);
    expect(got.series.perGateway.find((g) => g.gatewayId === 'gw1')!.snr).toEqual([10, 9]);
    const tl = got.series.timeline;
    expect(tl.received.reduce((a, x) => a + x, 0)).toBe(4);
    expect(tl.unknown.reduce((a, x) => a + x, 0)).toBe(3);
    expect(tl.lost.reduce((a, x) => a + x, 0)).toBe(1);
    expect(b.devices().map((d) => d.deviceId)).toEqual(['dev1']);
  });
});

describe('gateway health and the DevAddr resolver', () => {
  const receive = (gw: string, s: number, devAddr: string, rssi: number, snr: number) =>
    ev({
      name: 'gs.up.receive',
      ms: T0 + s * 1000,
      entity: gw,
      entityKind: 'gateway',
      devAddr,
      direction: 'up',
      fCnt: 0,
      rssi,
      snr,
      gateways: 1,
      gatewayIds: [gw],
    });

  it('counts a gateway’s receptions, the devices it heard (named through their DevAddr), connects, status and downlinks', () => {
    const events = [
      ev({ name: 'gs.gateway.connect', ms: T0, entity: 'gw1', entityKind: 'gateway' }),
      // The NS names dev1 with DevAddr 260B0001 at 5 s: uplinks with that DevAddr after it are dev1's.
      uplink(0, 5),
      receive('gw1', 10, '260B0001', -80, 8),
      receive('gw1', 70, '260B0001', -90, 2),
      receive('gw1', 80, '26FFFFFF', -118, -14),
      receive('gw2', 80, '260B0001', -100, -1),
      ev({ name: 'gs.status.receive', ms: T0 + 30_000, entity: 'gw1', entityKind: 'gateway' }),
      ev({ name: 'gs.down.send', ms: T0 + 90_000, entity: 'gw1', entityKind: 'gateway', direction: 'down' }),
      ev({ name: 'gs.down.tx.fail', ms: T0 + 91_000, entity: 'gw1', entityKind: 'gateway', errorName: 'too_late' }),
      ev({ name: 'gs.gateway.disconnect', ms: T0 + 120_000, entity: 'gw1', entityKind: 'gateway' }),
      ev({ name: 'gs.gateway.connect', ms: T0 + 130_000, entity: 'gw1', entityKind: 'gateway' }),
    ];
    const b = new HealthBuilder();
    for (const e of events) b.add(e);
    const gw1 = b.gateway('gw1')!;
    expect(gw1.health).toMatchObject({
      uplinks: 3,
      devices: 2,
      connects: 2,
      disconnects: 1,
      statusMessages: 1,
      countedFrom: 'gs.up.receive',
      downlinks: { sent: 1, txFailed: 1, errors: [{ name: 'too_late', count: 1 }] },
    });
    expect(gw1.health.rssi).toMatchObject({ min: -118, max: -80 });
    const named = gw1.health.heard.find((h) => h.deviceKey === 'app1/dev1')!;
    expect(named).toMatchObject({
      label: 'dev1',
      uplinks: 2,
      learned: { ms: T0 + 5000, from: 'ns.up.data.process', later: false },
    });
    expect(gw1.health.heard.find((h) => !h.deviceKey)!.label).toBe('DevAddr 26FFFFFF');
    expect(gw1.series.perMinute.uplinks.reduce((a, x) => a + x, 0)).toBe(3);
    // The device's per-gateway readings come from the gateways' own receptions.
    const dev = b.device('app1/dev1')!;
    expect(dev.series.perGateway.map((g) => [g.gatewayId, g.rssi])).toEqual([
      ['gw1', [-80, -90]],
      ['gw2', [-100]],
    ]);
  });

  it('resolves a DevAddr to the device that had it at the time, across a re-join that moved it to another device', () => {
    const r = new DevAddrResolver();
    r.learn({
      entityKind: 'device',
      entity: 'a',
      application: 'app',
      devAddr: '01020304',
      ms: T0,
      name: 'as.up.join.forward',
    });
    r.learn({
      entityKind: 'device',
      entity: 'b',
      application: 'app',
      devAddr: '01020304',
      ms: T0 + 3_600_000,
      name: 'ns.up.data.process',
    });
    expect(r.resolve('01020304', T0 + 60_000)).toMatchObject({ deviceId: 'a', learnedLater: false });
    expect(r.resolve('01020304', T0 + 7_200_000)).toMatchObject({ deviceId: 'b', learnedMs: T0 + 3_600_000 });
    expect(r.resolve('01020304', T0 - 1000)).toMatchObject({ deviceId: 'a', learnedLater: true });
    expect(r.resolve('0A0B0C0D', T0)).toBeUndefined();
  });

  it('counts uplinks of a gateway from device events when the capture has no gateway stream', () => {
    const { gateways } = computeHealth([
      uplink(0, 0, { gateways: ['gwA', 'gwB'] }),
      uplink(1, 60, { gateways: ['gwA'], rssi: -95 }),
    ]);
    expect(gateways.find((g) => g.gatewayId === 'gwA')).toMatchObject({
      uplinks: 2,
      devices: 1,
      countedFrom: 'device events',
      rssi: { min: -95, max: -95 },
    });
    expect(gateways.find((g) => g.gatewayId === 'gwB')).toMatchObject({ uplinks: 1 });
  });
});

describe('LoRaWAN relays in the Gateways list', () => {
  it('lists each relay device as a row of its own, and no gateway called relay', () => {
    // Two relays on an application stream (no gs.up.receive): dev-a and dev-b behind relay-1, dev-c behind relay-2.
    const ups = [
      relayedForward({ device: 'dev-a', relay: 'relay-1', fCnt: 1, atS: 0, rssi: -80, snr: 9, devAddr: '260B0A01' }),
      relayedForward({ device: 'dev-b', relay: 'relay-1', fCnt: 1, atS: 30, rssi: -90, snr: 4, devAddr: '260B0A02' }),
      relayedForward({ device: 'dev-c', relay: 'relay-2', fCnt: 1, atS: 60, rssi: -110, snr: -6, devAddr: '260B0A03' }),
      relayedForward({ device: 'dev-a', relay: 'relay-1', fCnt: 2, atS: 90, rssi: -82, snr: 8, devAddr: '260B0A01' }),
    ];
    const { gateways } = computeHealth(ups.map((e, i) => summarizeEvent(e, i + 1, 's')));
    expect(gateways.map((g) => [g.gatewayId, g.uplinks, g.devices, g.countedFrom])).toEqual([
      ['relay:relay-1', 3, 2, 'device events'],
      ['relay:relay-2', 1, 1, 'device events'],
    ]);
    expect(gateways[1]!.rssi).toMatchObject({ min: -110, max: -110 });
  });
});

describe('report shape', () => {
  it('has the fields the issue promises, with lost and unknown split by capture gaps', () => {
    const { devices, gateways } = computeHealth([uplink(1, 0), uplink(4, 500), uplink(6, 560)], [gap(100, 200)]);
    const r = reportOf(devices, gateways);
    expect(Object.keys(r.devices[0]!)).toEqual(
      expect.arrayContaining([
        'device_id',
        'application_id',
        'dev_eui',
        'uplinks',
        'f_cnt_first',
        'f_cnt_last',
        'lost',
        'unknown',
        'per',
        'rssi',
        'snr',
        'gateways',
        'joins',
        'downlinks',
        'last_seen',
      ]),
    );
    expect(r.devices[0]).toMatchObject({
      uplinks: 3,
      f_cnt_first: 1,
      f_cnt_last: 6,
      lost: 1,
      unknown: 2,
      gateways: ['gw1'],
      rssi: { min: -90, median: -90, max: -90 },
    });
    expect(Object.keys(r.gateways[0]!)).toEqual(
      expect.arrayContaining(['gateway_id', 'uplinks', 'devices', 'rssi', 'snr', 'connects', 'disconnects']),
    );
  });
});

describe('integration failures', () => {
  const fail = (webhook: string, status: number, body: string, s: number): TtsEvent =>
    ({
      name: 'as.webhook.fail',
      time: new Date(T0 + s * 1000).toISOString(),
      identifiers: [{ device_ids: { device_id: 'dev1', application_ids: { application_id: 'app1' } } }],
      // As lorawan-stack v3.32.1 publishes it (pkg/applicationserver/io/web/sink: http.go errRequest, observability.go).
      data: {
        '@type': 'type.googleapis.com/ttn.lorawan.v3.ErrorDetails',
        namespace: 'pkg/applicationserver/io/web/sink',
        name: 'request',
        message_format: 'request',
        attributes: { webhook_id: webhook, url: `https://x/${webhook}`, status_code: status },
        correlation_id: 'c0ffee',
        code: 14,
        details: [{ '@type': 'type.googleapis.com/google.protobuf.Struct', value: { body } }],
      },
      correlation_ids: [],
    }) as unknown as TtsEvent;

  it('groups by webhook and HTTP status, keeping the newest response body', () => {
    const groups = groupIntegrationFailures([
      fail('crm', 500, 'oops', 0),
      fail('crm', 500, 'still broken', 60),
      fail('crm', 401, 'bad token', 30),
      fail('db', 500, 'x', 10),
    ]);
    expect(groups[0]).toMatchObject({
      integration: 'webhook',
      target: 'crm',
      status: '500',
      count: 2,
      body: 'still broken',
      message: 'request',
      applications: ['app1'],
    });
    expect(groups.map((g) => `${g.target}/${g.status}`).sort()).toEqual(['crm/401', 'crm/500', 'db/500']);
  });
});

describe('colour thresholds', () => {
  it('grades SNR and spreading factor like Wireless Logger by default, and takes edited limits', () => {
    expect(gradeSnr(-8)).toBe('good');
    expect(gradeSnr(-10)).toBe('fair');
    expect(gradeSnr(-13.5)).toBe('bad');
    expect(gradeSf(spreadingFactor('SF12BW125')!)).toBe('bad');
    expect(gradeSf(spreadingFactor('SF7BW125')!)).toBe('good');
    const edited = checkThresholds({ snr: { good: 0, bad: -5 }, sf: { bad: 'x' } });
    expect(gradeSnr(-3, edited)).toBe('fair');
    expect(edited.sf.bad).toBe(DEFAULT_THRESHOLDS.sf.bad);
  });
});
