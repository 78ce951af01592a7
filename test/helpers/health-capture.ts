/**
 * A capture file built event by event in the server's own JSON (as `ns.up.data.process`, `gs.up.receive`
 * and `js.join.accept` look on the wire), for tests of the health report: what a device sent, what the
 * capture saw and where it had a gap are known by construction.
 */
import { promises as fs } from 'node:fs';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const iso = (s: number) => new Date(T0 + s * 1000).toISOString();
let n = 0;
const uid = () => `01HEALTH${String(++n).padStart(18, '0')}`;

const deviceIds = (dev: string, devAddr: string) => ({
  device_ids: {
    device_id: dev,
    application_ids: { application_id: 'app1' },
    dev_eui: `70B3D57ED00000${dev.slice(-2).toUpperCase().padStart(2, '0')}`,
    dev_addr: devAddr,
  },
});

/** The NS's processed uplink of `dev`, heard by `gateways` with their RSSI/SNR. */
export function processed(
  dev: string,
  devAddr: string,
  fCnt: number,
  atS: number,
  gateways: { id: string; rssi: number; snr: number }[],
  sf = 7,
): object {
  return {
    name: 'ns.up.data.process',
    time: iso(atS),
    identifiers: [deviceIds(dev, devAddr)],
    data: {
      '@type': 'type.googleapis.com/ttn.lorawan.v3.UplinkMessage',
      payload: {
        m_hdr: { m_type: 'UNCONFIRMED_UP' },
        mac_payload: { f_hdr: { dev_addr: devAddr, f_cnt: fCnt }, f_port: 1, frm_payload: 'AQI=', full_f_cnt: fCnt },
      },
      settings: {
        data_rate: { lora: { bandwidth: 125000, spreading_factor: sf, coding_rate: '4/5' } },
        frequency: '868100000',
      },
      rx_metadata: gateways.map((g) => ({
        gateway_ids: { gateway_id: g.id },
        rssi: g.rssi,
        channel_rssi: g.rssi,
        snr: g.snr,
      })),
    },
    correlation_ids: [`gs:uplink:${dev}-${atS}`, `ns:uplink:${dev}-${atS}`],
    unique_id: uid(),
  };
}

/** One gateway's reception of a frame (gateway stream: the device is only a DevAddr). */
export function received(
  gateway: string,
  devAddr: string,
  fCnt: number,
  atS: number,
  rssi: number,
  snr: number,
): object {
  return {
    name: 'gs.up.receive',
    time: iso(atS),
    identifiers: [{ gateway_ids: { gateway_id: gateway } }],
    data: {
      '@type': 'type.googleapis.com/ttn.lorawan.v3.GatewayUplinkMessage',
      message: {
        payload: {
          m_hdr: { m_type: 'UNCONFIRMED_UP' },
          mac_payload: { f_hdr: { dev_addr: devAddr, f_cnt: fCnt }, f_port: 1, frm_payload: 'AQI=' },
        },
        settings: { data_rate: { lora: { bandwidth: 125000, spreading_factor: 7 } } },
        rx_metadata: [{ gateway_ids: { gateway_id: gateway }, rssi, channel_rssi: rssi, snr }],
      },
    },
    correlation_ids: [`gs:uplink:${gateway}-${devAddr}-${atS}`],
    unique_id: uid(),
  };
}

export function joinAccept(dev: string, devAddr: string, atS: number): object {
  return {
    name: 'js.join.accept',
    time: iso(atS),
    identifiers: [deviceIds(dev, devAddr)],
    correlation_ids: [`rpc:/ttn.lorawan.v3.NsJs/HandleJoin:${dev}-${atS}`],
    unique_id: uid(),
  };
}

export function gatewayEvent(name: string, gateway: string, atS: number, data?: object): object {
  return {
    name,
    time: iso(atS),
    identifiers: [{ gateway_ids: { gateway_id: gateway } }],
    ...(data ? { data } : {}),
    correlation_ids: [],
    unique_id: uid(),
  };
}

export function gapEntry(fromS: number, toS: number): object {
  return {
    _eventDesk: {
      kind: 'gap',
      time: iso(toS),
      from: iso(fromS),
      to: iso(toS),
      message: `Events between ${iso(fromS)} and ${iso(toS)} may be missing: test gap.`,
    },
  };
}

/**
 * The capture the report test reads:
 * - dev-01 joins at 0 s and sends FCnt 0–19 every 60 s through gw1 and gw2. The capture misses FCnt 3
 *   and 4 (radio: no gap), FCnt 10–12 (the capture had a gap from 620 s to 790 s), and sees FCnt 15
 *   twice (a retransmission).
 * - dev-02 sends FCnt 65534, 65535, 0, 1 (the 16-bit roll-over) through gw2 only, at SF12.
 * - gw1 connects, disconnects, connects again, and sends one status message.
 */
export function healthCapture(): object[] {
  const out: object[] = [gatewayEvent('gs.gateway.connect', 'gw1', -10), joinAccept('dev-01', '260B0001', 0)];
  for (let f = 0; f < 20; f++) {
    if (f === 3 || f === 4 || (f >= 10 && f <= 12)) continue;
    const at = 30 + f * 60;
    out.push(received('gw1', '260B0001', f, at, -70 - f, 8));
    out.push(
      processed('dev-01', '260B0001', f, at + 0.2, [
        { id: 'gw1', rssi: -70 - f, snr: 8 },
        { id: 'gw2', rssi: -110, snr: -9 },
      ]),
    );
    if (f === 15) out.push(processed('dev-01', '260B0001', f, at + 2, [{ id: 'gw1', rssi: -85, snr: 8 }]));
  }
  out.push(gapEntry(620, 790));
  [65534, 65535, 0, 1].forEach((f, i) =>
    out.push(processed('dev-02', '260B0002', f, 45 + i * 60, [{ id: 'gw2', rssi: -118, snr: -14 }], 12)),
  );
  out.push(
    gatewayEvent('gs.status.receive', 'gw1', 300, {
      '@type': 'type.googleapis.com/ttn.lorawan.v3.GatewayStatus',
      metrics: { rxin: 10, rxok: 9 },
    }),
  );
  out.push(gatewayEvent('gs.gateway.disconnect', 'gw1', 1300));
  out.push(gatewayEvent('gs.gateway.connect', 'gw1', 1310));
  return out;
}

export async function writeHealthCapture(file: string): Promise<void> {
  await fs.writeFile(
    file,
    healthCapture()
      .map((e) => JSON.stringify(e))
      .join('\n') + '\n',
  );
}
