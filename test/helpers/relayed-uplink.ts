/**
 * Uplinks a LoRaWAN relay forwarded, shaped as The Things Stack (v3.28.1+) sends them: the Network Server's
 * `handleRelayForwardingProtocol` (pkg/networkserver/relay.go) replaces the relay's own rx_metadata with ONE
 * entry naming the pseudo-gateway `relay` (relayspec.GatewayIdentifiers) and, in `relay`, the relay end device
 * and its wake-on-radio channel; RSSI and SNR are the relay's own reading of the end device. proto3 JSON leaves
 * the default channel (RELAY_WOR_CHANNEL_DEFAULT, 0) out.
 */
import type { TtsEvent } from '../../src-main/shared/tts/types.js';

export interface RelayedUplink {
  /** The end device whose uplink the relay forwarded. */
  device: string;
  /** The relay end device's ID, or none (a relay the server named no device of). */
  relay?: string;
  fCnt: number;
  /** Seconds after 2026-03-01T10:00:00Z. */
  atS: number;
  rssi?: number;
  snr?: number;
  application?: string;
  devAddr?: string;
  secondary?: boolean;
  /** Receptions besides the relay's: gateways that heard the end device directly. */
  direct?: { gatewayId: string; rssi: number; snr: number }[];
}

const T0 = Date.parse('2026-03-01T10:00:00Z');

/** RFC 3339 with nanoseconds, as TTS writes event times. */
const timeAt = (u: RelayedUplink): string =>
  new Date(T0 + u.atS * 1000)
    .toISOString()
    .replace(/\.\d+Z$/, `.${String(123456789 + u.fCnt * 1000).padStart(9, '0')}Z`);

function rxMetadata(u: RelayedUplink, time: string): unknown[] {
  const rssi = u.rssi ?? -92;
  const relayed = {
    gateway_ids: { gateway_id: 'relay' },
    relay: {
      ...(u.relay ? { device_id: u.relay } : {}),
      ...(u.secondary ? { wor_channel: 'RELAY_WOR_CHANNEL_SECONDARY' } : {}),
    },
    time,
    rssi,
    channel_rssi: rssi,
    snr: u.snr ?? 6.5,
    uplink_token: 'eyJyZWxheSI6dHJ1ZX0=',
    received_at: time,
  };
  const direct = (u.direct ?? []).map((d) => ({
    gateway_ids: { gateway_id: d.gatewayId, eui: 'B827EBFFFE000001' },
    time,
    timestamp: 1234567,
    rssi: d.rssi,
    channel_rssi: d.rssi,
    snr: d.snr,
    uplink_token: 'CgsKCWd3LWRpcmVjdA==',
    received_at: time,
  }));
  return [...direct, relayed];
}

const deviceIdsOf = (u: RelayedUplink) => ({
  device_id: u.device,
  application_ids: { application_id: u.application ?? 'relay-app' },
  dev_addr: u.devAddr ?? '260B1234',
});

const settings = (time: string) => ({
  data_rate: { lora: { bandwidth: 125000, spreading_factor: 9, coding_rate: '4/5' } },
  frequency: '868100000',
  time,
});

/** The Application Server's `as.up.data.forward` of a relayed uplink (an application stream's uplink). */
export function relayedForward(u: RelayedUplink): TtsEvent {
  const time = timeAt(u);
  const ids = deviceIdsOf(u);
  return {
    name: 'as.up.data.forward',
    time,
    identifiers: [{ device_ids: ids }],
    correlation_ids: [`as:up:01RELAY${u.device}${u.fCnt}`, `ns:uplink:01RELAY${u.device}${u.fCnt}`],
    unique_id: `01RELAYAS${u.device}${u.fCnt}`,
    data: {
      '@type': 'type.googleapis.com/ttn.lorawan.v3.ApplicationUp',
      end_device_ids: ids,
      correlation_ids: [`as:up:01RELAY${u.device}${u.fCnt}`],
      received_at: time,
      uplink_message: {
        session_key_id: 'AYx2',
        f_port: 1,
        f_cnt: u.fCnt,
        frm_payload: 'AQI=',
        rx_metadata: rxMetadata(u, time),
        settings: settings(time),
        received_at: time,
        consumed_airtime: '0.185344s',
        network_ids: { net_id: '000013', ns_id: 'EC656E0000000101', tenant_id: 'ttn', cluster_id: 'eu1' },
      },
    },
  } as TtsEvent;
}

/** The PHYPayload of an unconfirmed data uplink on FPort 1 (payload 0x0102, a made-up MIC), as base64. */
function rawPayload(devAddr: string, fCnt: number): string {
  const addr = Buffer.from(devAddr, 'hex').reverse();
  const cnt = Buffer.from([fCnt & 0xff, (fCnt >> 8) & 0xff]);
  return Buffer.concat([
    Buffer.from([0x40]),
    addr,
    Buffer.from([0x00]),
    cnt,
    Buffer.from([0x01, 0x01, 0x02, 0x2c, 0x37, 0x42, 0x9a]),
  ]).toString('base64');
}

/** The Network Server's `ns.up.data.receive` of the same uplink, after the relay's loopback (grpc_gsns.go). */
export function relayedReceive(u: RelayedUplink): TtsEvent {
  const time = timeAt(u);
  const ids = deviceIdsOf(u);
  return {
    name: 'ns.up.data.receive',
    time,
    identifiers: [{ device_ids: ids }],
    correlation_ids: [`ns:uplink:01RELAY${u.device}${u.fCnt}`],
    unique_id: `01RELAYNS${u.device}${u.fCnt}`,
    data: {
      '@type': 'type.googleapis.com/ttn.lorawan.v3.UplinkMessage',
      raw_payload: rawPayload(u.devAddr ?? '260B1234', u.fCnt),
      payload: {
        m_hdr: { m_type: 'UNCONFIRMED_UP' },
        mic: 'LDdC',
        mac_payload: { f_hdr: { dev_addr: u.devAddr ?? '260B1234', f_ctrl: {}, f_cnt: u.fCnt }, f_port: 1 },
      },
      settings: settings(time),
      rx_metadata: rxMetadata(u, time),
      received_at: time,
      correlation_ids: [`ns:uplink:01RELAY${u.device}${u.fCnt}`],
    },
  } as TtsEvent;
}
