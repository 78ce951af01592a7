/**
 * What an uplink's rx_metadata (one entry per gateway antenna, Packet Broker relays, receptions without signal
 * quality) looks like in the list, its filters and the device panel.
 */
import { describe, expect, it } from 'vitest';
import { summarizeEvent } from '../../../../../src-main/shared/domain/summary.js';
import { lorawanSummary } from '../../../../../src-main/shared/domain/lorawan.js';
import { compileQuery } from '../../../../../src-main/shared/query/query.js';
import { computeHealth, HealthBuilder } from '../../../../../src-main/shared/health/health.js';
import type { TtsEvent } from '../../../../../src-main/shared/tts/types.js';
import { readingsOf } from '../../../../../src-main/cli/report.js';
import { relayedForward, relayedReceive } from '../../../../helpers/relayed-uplink.js';

const ids = { device_id: 'dev1', application_ids: { application_id: 'app1' } };

/** An `as.up.data.forward` heard with these rx_metadata entries, at SF9. */
const uplink = (rxMetadata: unknown[], settings: unknown = { data_rate: { lora: { spreading_factor: 9 } } }) =>
  ({
    name: 'as.up.data.forward',
    time: '2024-01-01T00:00:00Z',
    identifiers: [{ device_ids: ids }],
    correlation_ids: [],
    data: {
      '@type': 'type.googleapis.com/ttn.lorawan.v3.ApplicationUp',
      end_device_ids: ids,
      uplink_message: { f_port: 1, f_cnt: 5, frm_payload: 'AQ==', rx_metadata: rxMetadata, settings },
    },
  }) as TtsEvent;

const matches = (query: string, e: TtsEvent): boolean => {
  const q = compileQuery(query);
  if (!q.ok) throw new Error(query);
  return q.test(summarizeEvent(e, 1, 's'));
};

describe('a gateway heard on two antennas', () => {
  // lorawan-stack's UDP translation and Packet Broker agent give one entry per antenna, same gateway_ids.
  const twoAntennas = [
    { gateway_ids: { gateway_id: 'ibts' }, rssi: -100, snr: 2 },
    { gateway_ids: { gateway_id: 'ibts' }, antenna_index: 1, rssi: -104, snr: -1 },
  ];

  it('is one gateway in the list and its gateways>1 filter', () => {
    const e = uplink(twoAntennas);
    expect(summarizeEvent(e, 1, 's')).toMatchObject({ gateways: 1, gatewayIds: ['ibts'], rssi: -100, snr: 2 });
    expect(matches('gateways>1', e)).toBe(false);
    const other = uplink([...twoAntennas, { gateway_ids: { gateway_id: 'gw2' }, rssi: -90, snr: 5 }]);
    expect(summarizeEvent(other, 1, 's').gateways).toBe(2);
    expect(matches('gateways>1', other)).toBe(true);
  });

  it('counts one uplink under that gateway in the device panel, with its best antenna’s reading', () => {
    const s = summarizeEvent(uplink(twoAntennas), 1, 's');
    const fromList = computeHealth([s]).devices[0]!.gateways;
    expect(fromList.map((g) => [g.gatewayId, g.uplinks, g.rssi?.max, g.snr?.max])).toEqual([['ibts', 1, -100, 2]]);
    // A panel that read the full event passes each entry's reading.
    const b = new HealthBuilder({ deviceKey: 'app1/dev1' });
    b.add(s, [
      { gatewayId: 'ibts', rssi: -100, snr: 2 },
      { gatewayId: 'ibts', rssi: -104, snr: -1 },
    ]);
    const panel = b.device('app1/dev1')!.health.gateways;
    expect(panel.map((g) => [g.gatewayId, g.uplinks, g.rssi?.max, g.rssi?.min])).toEqual([['ibts', 1, -100, -100]]);
  });

  it('is one gateway when Packet Broker relays both antennas of one forwarder', () => {
    const pb = { forwarder_net_id: '000013', forwarder_tenant_id: 'ttnv2', forwarder_gateway_id: 'fwd' };
    const e = uplink([
      { gateway_ids: { gateway_id: 'packetbroker' }, packet_broker: pb, rssi: -111, snr: 1 },
      { gateway_ids: { gateway_id: 'packetbroker' }, packet_broker: pb, antenna_index: 1, rssi: -112, snr: -4 },
    ]);
    expect(summarizeEvent(e, 1, 's').gateways).toBe(1);
    // Relays whose forwarders are hidden cannot be told apart: each counts.
    const hidden = uplink([
      { gateway_ids: { gateway_id: 'packetbroker' }, packet_broker: { forwarder_net_id: '000013' }, rssi: -111 },
      { gateway_ids: { gateway_id: 'packetbroker' }, packet_broker: { forwarder_net_id: '000013' }, rssi: -100 },
    ]);
    expect(summarizeEvent(hidden, 1, 's').gateways).toBe(2);
  });
});

describe('a reception without signal quality', () => {
  // A Packet Broker relay may pass only the forwarder's location: no rssi, no snr.
  const withRelay = uplink([
    { gateway_ids: { gateway_id: 'own-gw' }, rssi: -118, snr: -9 },
    {
      gateway_ids: { gateway_id: 'packetbroker' },
      packet_broker: { forwarder_gateway_id: 'fwd-gw' },
      location: { latitude: 52.1, longitude: 4.3 },
    },
  ]);

  it('does not make 0 dBm and 0 dB the best signal', () => {
    expect(summarizeEvent(withRelay, 1, 's')).toMatchObject({ rssi: -118, snr: -9 });
    expect(matches('rssi<-110', withRelay)).toBe(true);
    expect(matches('snr>-5', withRelay)).toBe(false);
  });

  it('leaves RSSI and SNR unknown when it is the only one, out of filters and health spreads', () => {
    const alone = uplink([
      {
        gateway_ids: { gateway_id: 'packetbroker' },
        packet_broker: { forwarder_gateway_id: 'fwd-gw' },
        location: { latitude: 52.1, longitude: 4.3 },
      },
    ]);
    const s = summarizeEvent(alone, 1, 's');
    expect([s.rssi, s.snr]).toEqual([undefined, undefined]);
    expect(matches('rssi>-120', alone)).toBe(false);
    const device = computeHealth([s]).devices[0]!;
    expect([device.rssi, device.snr, device.gateways[0]?.rssi]).toEqual([undefined, undefined, undefined]);
  });

  it('reads a left-out SNR as 0 on LoRa, but as unknown on FSK, which has none', () => {
    const rx = [{ gateway_ids: { gateway_id: 'gw1' }, rssi: -80, channel_rssi: -80 }];
    expect(summarizeEvent(uplink(rx), 1, 's')).toMatchObject({ rssi: -80, snr: 0 });
    const fsk = summarizeEvent(uplink(rx, { data_rate: { fsk: { bit_rate: 50000 } } }), 1, 's');
    expect([fsk.rssi, fsk.snr]).toEqual([-80, undefined]);
  });
});

describe('an uplink forwarded by a LoRaWAN relay', () => {
  const relayed = (deviceId: string) => ({
    gateway_ids: { gateway_id: 'relay' },
    relay: { device_id: deviceId, wor_channel: 'RELAY_WOR_CHANNEL_DEFAULT' },
    rssi: -95,
    snr: 3,
  });

  it('says in the detail pane which relay device forwarded it', () => {
    expect(lorawanSummary(uplink([relayed('relay-dev-1')])).rx).toMatchObject([
      { gatewayId: 'relay', via: 'relay relay-dev-1' },
    ]);
  });

  it('counts each relay device once, and gateway:relay finds it', () => {
    const e = uplink([relayed('relay-dev-1'), relayed('relay-dev-2')]);
    expect(summarizeEvent(e, 1, 's').gateways).toBe(2);
    expect(matches('gateway:relay', e)).toBe(true);
  });

  it('is listed under its relay device, not under a gateway called relay', () => {
    for (const e of [
      relayedForward({ device: 'dev1', relay: 'relay-dev-1', fCnt: 7, atS: 0 }),
      relayedReceive({ device: 'dev1', relay: 'relay-dev-1', fCnt: 7, atS: 0 }),
    ]) {
      const s = summarizeEvent(e, 1, 's');
      expect(s).toMatchObject({ gateways: 1, gatewayIds: ['relay:relay-dev-1', 'relay'], rssi: -92, snr: 6.5 });
      expect(matches('gateway:relay:relay-dev-1', e)).toBe(true);
      expect(matches('gateway:relay:relay-dev-2', e)).toBe(false);
      // Bare `relay` stays an alias of every relay, as `packetbroker` is of every Packet Broker forwarder.
      expect(matches('gateway:relay', e)).toBe(true);
      // The relay is a device, not a gateway of that name.
      expect(matches('gateway:relay-dev-1', e)).toBe(false);
    }
  });

  it('counts a gateway that heard the device directly and the relay as two receivers', () => {
    const e = relayedForward({
      device: 'dev1',
      relay: 'relay-dev-1',
      fCnt: 7,
      atS: 0,
      direct: [{ gatewayId: 'gw1', rssi: -120, snr: -12 }],
    });
    const s = summarizeEvent(e, 1, 's');
    expect(s).toMatchObject({ gateways: 2, gatewayIds: ['gw1', 'relay:relay-dev-1', 'relay'] });
    const device = computeHealth([s]).devices[0]!;
    expect(device.gateways.map((g) => g.gatewayId).sort()).toEqual(['gw1', 'relay:relay-dev-1']);
  });

  it("gives a device's per-gateway readings one row per relay, with what each relay measured", () => {
    const ups = [
      relayedForward({ device: 'dev1', relay: 'relay-a', fCnt: 1, atS: 0, rssi: -80, snr: 9 }),
      relayedForward({ device: 'dev1', relay: 'relay-b', fCnt: 2, atS: 60, rssi: -101, snr: -3 }),
      relayedForward({ device: 'dev1', relay: 'relay-a', fCnt: 3, atS: 120, rssi: -84, snr: 7 }),
    ];
    // The CLI report and the device panel read each event's readings from the full event.
    expect(readingsOf(ups[1]!)).toEqual([{ gatewayId: 'relay:relay-b', rssi: -101, snr: -3 }]);
    const b = new HealthBuilder({ deviceKey: 'relay-app/dev1' });
    ups.forEach((e, i) => b.add(summarizeEvent(e, i + 1, 's'), readingsOf(e)));
    const panel = b.device('relay-app/dev1')!;
    expect(panel.health.gateways.map((g) => [g.gatewayId, g.uplinks, g.rssi?.max, g.snr?.max])).toEqual([
      ['relay:relay-a', 2, -80, 9],
      ['relay:relay-b', 1, -101, -3],
    ]);
    expect(panel.series.perGateway.map((g) => g.gatewayId)).toEqual(['relay:relay-a', 'relay:relay-b']);
  });

  it('stays under plain relay when the server names no relay device, and counts there', () => {
    const e = relayedForward({ device: 'dev1', fCnt: 7, atS: 0, direct: [{ gatewayId: 'gw1', rssi: -120, snr: -12 }] });
    const s = summarizeEvent(e, 1, 's');
    expect(s).toMatchObject({ gateways: 2, gatewayIds: ['relay', 'gw1'] });
    expect(readingsOf(e)!.map((r) => r.gatewayId)).toEqual(['gw1', 'relay']);
    expect(
      computeHealth([s])
        .devices[0]!.gateways.map((g) => g.gatewayId)
        .sort(),
    ).toEqual(['gw1', 'relay']);
  });

  it('counts beside a Packet Broker relay that hides its forwarder, each under its own name', () => {
    const e = relayedForward({ device: 'dev1', relay: 'relay-dev-1', fCnt: 7, atS: 0 });
    const up = (e.data as { uplink_message: { rx_metadata: unknown[] } }).uplink_message;
    up.rx_metadata.unshift({
      gateway_ids: { gateway_id: 'packetbroker' },
      packet_broker: { forwarder_net_id: '000013' },
      rssi: -115,
    });
    const s = summarizeEvent(e, 1, 's');
    expect(s).toMatchObject({ gateways: 2, gatewayIds: ['packetbroker', 'relay:relay-dev-1', 'relay'] });
    expect(computeHealth([s]).gateways.map((g) => g.gatewayId)).toEqual(['packetbroker', 'relay:relay-dev-1']);
  });
});
