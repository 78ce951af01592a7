/**
 * `event-desk report --json`: device and gateway health as data. A stable interface (README,
 * "report --json"): fields are only ever added. Absent values are null; `per` is a fraction (0–1) of the
 * frames the capture can judge; `lost` counts frames missing outside capture gaps, `unknown` inside them.
 */
import type { DeviceHealth, GatewayHealth } from './health.js';
import type { Spread } from './stats.js';

export interface ReportSpread {
  min: number | null;
  median: number | null;
  max: number | null;
}

export interface ReportDevice {
  device_id: string;
  application_id: string;
  dev_eui: string | null;
  uplinks: number;
  f_cnt_first: number | null;
  f_cnt_last: number | null;
  lost: number;
  unknown: number;
  per: number;
  rssi: ReportSpread;
  snr: ReportSpread;
  gateways: string[];
  joins: number;
  downlinks: number;
  last_seen: string;
  // Additions beyond the shape (additive, documented):
  dev_addr: string | null;
  retransmissions: number;
  join_attempts: number;
  downlinks_queued: number;
  downlinks_acked: number;
  downlinks_failed: number;
  data_rates: Record<string, number>;
}

export interface ReportGateway {
  gateway_id: string;
  uplinks: number;
  devices: number;
  rssi: ReportSpread;
  snr: ReportSpread;
  connects: number;
  disconnects: number;
  // Additions:
  status_messages: number;
  downlinks_sent: number;
  downlinks_failed: number;
  last_seen: string | null;
}

export interface Report {
  devices: ReportDevice[];
  gateways: ReportGateway[];
}

const sp = (s: Spread | undefined): ReportSpread => ({
  min: s?.min ?? null,
  median: s?.median ?? null,
  max: s?.max ?? null,
});

export function reportOf(devices: readonly DeviceHealth[], gateways: readonly GatewayHealth[]): Report {
  return {
    devices: devices.map((d) => ({
      device_id: d.deviceId,
      application_id: d.applicationId,
      dev_eui: d.devEui ?? null,
      uplinks: d.frames.frames,
      f_cnt_first: d.frames.fCntFirst ?? null,
      f_cnt_last: d.frames.fCntLast ?? null,
      lost: d.frames.lost,
      unknown: d.frames.unknown,
      per: d.frames.per,
      rssi: sp(d.rssi),
      snr: sp(d.snr),
      gateways: d.gateways.map((g) => g.gatewayId),
      joins: d.joins.accepts,
      downlinks: d.downlinks.sent,
      last_seen: d.lastSeen,
      dev_addr: d.devAddr ?? null,
      retransmissions: d.frames.retransmissions,
      join_attempts: d.joins.attempts,
      downlinks_queued: d.downlinks.queued,
      downlinks_acked: d.downlinks.acked,
      downlinks_failed: d.downlinks.failed,
      data_rates: Object.fromEntries(d.dataRates.map((x) => [x.dataRate, x.count])),
    })),
    gateways: gateways.map((g) => ({
      gateway_id: g.gatewayId,
      uplinks: g.uplinks,
      devices: g.devices,
      rssi: sp(g.rssi),
      snr: sp(g.snr),
      connects: g.connects,
      disconnects: g.disconnects,
      status_messages: g.statusMessages,
      downlinks_sent: g.downlinks.sent,
      downlinks_failed: g.downlinks.txFailed + g.downlinks.scheduleFailed,
      last_seen: g.lastSeen || null,
    })),
  };
}
