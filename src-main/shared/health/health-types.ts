/** What device and gateway health look like to the window, the CLI report and the tests. */
import type { FrameCount } from './frames.js';
import type { Spread } from './stats.js';

/** One gateway's reading of an uplink. */
export interface GatewayReading {
  gatewayId: string;
  rssi?: number;
  snr?: number;
}

export interface DeviceHealth {
  /** `application/device`. */
  deviceKey: string;
  deviceId: string;
  applicationId: string;
  devEui?: string;
  devAddr?: string;
  /** Which event name the frames were counted from. */
  countedFrom?: string;
  frames: FrameCount;
  rssi?: Spread;
  snr?: Spread;
  /** Gateways that heard the device, most receptions first. */
  gateways: { gatewayId: string; uplinks: number; rssi?: Spread; snr?: Spread }[];
  dataRates: { dataRate: string; count: number }[];
  joins: { attempts: number; accepts: number };
  downlinks: { queued: number; sent: number; acked: number; nacked: number; failed: number };
  events: number;
  errors: number;
  firstMs: number;
  lastMs: number;
  lastSeen: string;
}

/** Time series for one device's panel. */
export interface DeviceSeries {
  /** Each frame (retransmissions included) in time order. */
  uplinks: { ms: number[]; fCnt: number[]; rssi: (number | null)[]; snr: (number | null)[] };
  /** Per gateway: its readings over time. */
  perGateway: { gatewayId: string; ms: number[]; rssi: (number | null)[]; snr: (number | null)[] }[];
  /** Frames per bucket, with the missing frames placed in the bucket of the frame after them. */
  timeline: { startMs: number; bucketMs: number; received: number[]; lost: number[]; unknown: number[] };
  joins: number[];
  holes: FrameCount['holes'];
}

export interface GatewayHealth {
  gatewayId: string;
  uplinks: number;
  /** Where the uplink count came from: its own receptions, or device events naming it. */
  countedFrom: 'gs.up.receive' | 'device events' | 'none';
  devices: number;
  /** Devices heard: a device ID where the event or the DevAddr resolver names it, else the DevAddr. */
  heard: {
    label: string;
    deviceKey?: string;
    devAddr?: string;
    uplinks: number;
    learned?: { ms: number; from: string; later: boolean };
  }[];
  rssi?: Spread;
  snr?: Spread;
  connects: number;
  disconnects: number;
  statusMessages: number;
  lastStatus?: { ms: number; metrics?: Record<string, number> };
  downlinks: {
    sent: number;
    txSuccess: number;
    txFailed: number;
    scheduleFailed: number;
    errors: { name: string; count: number }[];
  };
  firstMs: number;
  lastMs: number;
  lastSeen: string;
}

export interface GatewaySeries {
  perMinute: { startMs: number; bucketMs: number; uplinks: number[] };
  rssi: number[];
  snr: number[];
  connects: number[];
  disconnects: number[];
}

/** What to build: everything (report, lists) or one entity with its series (panels). */
export interface HealthScope {
  deviceKey?: string;
  gatewayId?: string;
}
