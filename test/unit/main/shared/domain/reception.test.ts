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
});
