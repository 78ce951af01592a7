/**
 * Real servers' events that are not radio traffic as they first look, in the server's own JSON:
 *
 * - v3.8–3.17 log a join-request or data uplink once per gateway that heard it, before deduplication, and then
 *   a `duplicate` drop for every extra copy (v3.12.0 pkg/networkserver/grpc_gsns.go:1028/:1076, :805/:819;
 *   the TTS Cloud capture of 2020 in test/fixtures/sample-events.json, entries 6–12, is the data-uplink case);
 * - the Console's "Simulate uplink" makes the Application Server log `as.up.data.forward` with
 *   `"simulated": true`, gateway `test`, RSSI +42 and no FCnt (pkg/applicationserver/io/grpc/grpc.go
 *   `SimulateUplink`, pkg/webui/console/components/uplink-form/index.js).
 */
import samples from '../fixtures/sample-events.json' with { type: 'json' };
import type { TtsEvent } from '../../src-main/shared/tts/types.js';

/** One uplink of test-dev-01 heard by four gateways (v3.9, TTS Cloud): four receptions, three `duplicate` drops. */
export const duplicateDataCopies = (): TtsEvent[] => structuredClone((samples as unknown as TtsEvent[]).slice(6, 13));

const joinDevice = {
  device_id: 'old-joiner',
  application_ids: { application_id: 'app-old' },
  dev_eui: '70B3D57ED0000A01',
  join_eui: '0000000000000000',
};

/**
 * One join-request of `old-joiner` heard by three gateways on a v3.12 Network Server, 20 ms apart: each copy's
 * `ns.up.join.receive` (its own `gs:uplink:` and `ns:uplink:` IDs), a `duplicate` drop for the second and third,
 * and the first copy's `ns.up.join.process`.
 */
export function duplicateJoinCopies(startMs: number): TtsEvent[] {
  const at = (ms: number) => new Date(startMs + ms).toISOString();
  const corr = (k: number) => [`gs:uplink:01JOINCOPY000000000000000${k}`, `ns:uplink:01JOINCOPYNS0000000000000${k}`];
  const request = (gateway: string, rssi: number) => ({
    '@type': 'type.googleapis.com/ttn.lorawan.v3.UplinkMessage',
    raw_payload: 'AAAAAAAAAAAAAQoA0H7Vs3AAAHSfzP0=',
    payload: {
      m_hdr: {},
      mic: 'dJ/M/Q==',
      join_request_payload: { join_eui: '0000000000000000', dev_eui: '70B3D57ED0000A01', dev_nonce: '0001' },
    },
    settings: { data_rate: { lora: { bandwidth: 125000, spreading_factor: 7 } }, frequency: '868100000' },
    rx_metadata: [{ gateway_ids: { gateway_id: gateway }, rssi, channel_rssi: rssi, snr: 5 }],
  });
  const event = (name: string, ms: number, k: number, data: object) => ({
    name,
    time: at(ms),
    identifiers: [{ device_ids: joinDevice }],
    data,
    correlation_ids: corr(k),
    unique_id: `01JOINCOPYEVENT00000000${String(ms).padStart(3, '0')}`,
  });
  const duplicate = {
    '@type': 'type.googleapis.com/ttn.lorawan.v3.ErrorDetails',
    namespace: 'pkg/networkserver',
    name: 'duplicate',
    message_format: 'uplink is a duplicate',
    code: 9,
  };
  return [
    event('ns.up.join.receive', 0, 1, request('gw-a', -80)),
    event('ns.up.join.receive', 20, 2, request('gw-b', -95)),
    event('ns.up.join.drop', 21, 2, duplicate),
    event('ns.up.join.receive', 40, 3, request('gw-c', -101)),
    event('ns.up.join.drop', 41, 3, duplicate),
    event('ns.up.join.process', 200, 1, request('gw-a', -80)),
  ] as TtsEvent[];
}

const simDevice = {
  device_id: 'console-tested',
  application_ids: { application_id: 'app-sim' },
  dev_eui: '70B3D57ED0000B01',
  dev_addr: '260B5D3E',
};

/**
 * An application stream's uplinks of `console-tested` (FCnt 1233–1236, one a minute, gateway `gw-real` at
 * RSSI -100) with a Console "Simulate uplink" between 1234 and 1235: `as.up.data.forward` with `"simulated":
 * true` last in its data (as the server orders ApplicationUp's fields), gateway `test`, RSSI +42, SF7, no FCnt.
 */
export function consoleSimulation(startMs: number): TtsEvent[] {
  // With a fraction, as the server writes times (a ClickHouse window writes a whole second without `.000`).
  const at = (s: number) => new Date(startMs + s * 1000 + 250).toISOString();
  const uplink = (s: number, message: object, simulated: boolean) => ({
    name: 'as.up.data.forward',
    time: at(s),
    identifiers: [{ device_ids: simDevice }],
    data: {
      '@type': 'type.googleapis.com/ttn.lorawan.v3.ApplicationUp',
      end_device_ids: simDevice,
      correlation_ids: [`as:up:01SIMULATION0000000000${String(s).padStart(3, '0')}`],
      received_at: at(s),
      uplink_message: message,
      ...(simulated ? { simulated: true } : {}),
    },
    correlation_ids: [`as:up:01SIMULATION0000000000${String(s).padStart(3, '0')}`],
    unique_id: `01SIMULATIONEVENT0000000${String(s).padStart(3, '0')}`,
  });
  const real = (fCnt: number, s: number) =>
    uplink(
      s,
      {
        f_port: 1,
        f_cnt: fCnt,
        frm_payload: 'AQI=',
        decoded_payload: { level: fCnt % 7 },
        rx_metadata: [{ gateway_ids: { gateway_id: 'gw-real' }, rssi: -100, channel_rssi: -100, snr: -3 }],
        settings: {
          data_rate: { lora: { bandwidth: 125000, spreading_factor: 9, coding_rate: '4/5' } },
          frequency: '868100000',
        },
        received_at: at(s),
      },
      false,
    );
  const console = uplink(
    150,
    {
      f_port: 1,
      frm_payload: 'AQ==',
      rx_metadata: [{ gateway_ids: { gateway_id: 'test' }, rssi: 42, channel_rssi: 42, snr: 4.2 }],
      settings: { data_rate: { lora: { bandwidth: 125000, spreading_factor: 7 } }, frequency: '868000000' },
    },
    true,
  );
  return [real(1233, 0), real(1234, 60), console, real(1235, 180), real(1236, 240)] as TtsEvent[];
}
