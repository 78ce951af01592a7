/**
 * Device and gateway health from a capture, in one pass over its entries (`HealthBuilder.add`), so it
 * runs over the capture index's rows (a reusable row view) as well as over a file read by the CLI.
 *
 * Which events count. One uplink crosses several components and each logs it, so a device's frames are
 * counted from one event name per message: the first of `UPLINK_RANK` the capture holds for that device
 * (`ns.up.data.process` on a network-server stream; `as.up.data.forward` on an application stream; the
 * pre-3.7 names on old servers). Joins and downlinks likewise. A gateway's uplinks are its
 * `gs.up.receive` events (one per reception); a capture without them falls back to the device events
 * that name the gateway.
 */
import type { EventSummary } from '../domain/summary.js';
import { DevAddrResolver, type Resolution } from './devaddr.js';
import { countFrames, type FrameCount, type GapWindow } from './frames.js';
import { bucketWidth, spread, type Spread } from './stats.js';

/** Names that stand for one uplink transmission of a device, best first. */
export const UPLINK_RANK = [
  'ns.up.data.process',
  'ns.up.merge_metadata',
  'ns.up.data.forward',
  'as.up.data.forward',
  'as.up.data.receive',
  'ns.up.data.receive',
  'ns.up.receive',
] as const;
/** One join-request of a device, best first. */
export const JOIN_REQUEST_RANK = [
  'ns.up.join.receive',
  'ns.up.join.process',
  'ns.up.join.forward',
  'ns.up.join.cluster.attempt',
] as const;
/** One accepted join, best first. */
export const JOIN_ACCEPT_RANK = [
  'js.join.accept',
  'ns.up.join.accept.forward',
  'as.up.join.forward',
  'as.up.join.receive',
  'ns.down.join.schedule.success',
] as const;
const DOWN_QUEUED = ['as.down.data.receive', 'as.down.data.forward'] as const;
const DOWN_SENT = [
  'as.down.data.sent.forward',
  'ns.down.transmission.success',
  'ns.down.data.schedule.success',
] as const;
const DOWN_ACKED = ['as.down.data.ack.forward'] as const;
const DOWN_NACKED = ['as.down.data.nack.forward'] as const;
const DOWN_FAILED = ['as.down.data.failed.forward', 'ns.down.transmission.fail', 'ns.down.data.schedule.fail'] as const;
const RANKED = new Set<string>([
  ...UPLINK_RANK,
  ...JOIN_REQUEST_RANK,
  ...JOIN_ACCEPT_RANK,
  ...DOWN_QUEUED,
  ...DOWN_SENT,
  ...DOWN_ACKED,
  ...DOWN_NACKED,
  ...DOWN_FAILED,
]);

/** One gateway's reading of an uplink. */
export interface GatewayReading {
  gatewayId: string;
  rssi?: number;
  snr?: number;
}

interface UplinkRecord {
  ms: number;
  fCnt?: number;
  rssi?: number;
  snr?: number;
  dataRate?: string;
  gatewayIds?: string[];
  gateways?: number;
  readings?: readonly GatewayReading[];
}

interface DeviceAcc {
  key: string;
  deviceId: string;
  applicationId: string;
  devEui?: string;
  devAddr?: string;
  /** Uplink records by event name (only names of `UPLINK_RANK`). */
  uplinks: Map<string, UplinkRecord[]>;
  /** Times of ranked join and downlink events, by name. */
  times: Map<string, number[]>;
  events: number;
  errors: number;
  firstMs: number;
  lastMs: number;
  lastTime: string;
  /** Streams that delivered its uplinks: only their gaps can hide its frames. */
  streams: Set<string>;
}

interface Reception {
  ms: number;
  rssi?: number;
  snr?: number;
  devAddr?: string;
  devEui?: string;
  dataRate?: string;
  /** The device, when the event names it (device streams' gs events do not; a resolver may). */
  deviceKey?: string;
}

interface GatewayAcc {
  id: string;
  receptions: Reception[];
  connects: number[];
  disconnects: number[];
  status: { ms: number; metrics?: Record<string, number> }[];
  downSent: number;
  txSuccess: number;
  txFailed: number;
  scheduleFailed: number;
  txErrors: Map<string, number>;
  firstMs: number;
  lastMs: number;
  lastTime: string;
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

const isError = (name: string) => name.endsWith('.fail') || name.endsWith('.drop') || name.endsWith('.reject');

/** What to build: everything (report, lists) or one entity with its series (panels). */
export interface HealthScope {
  deviceKey?: string;
  gatewayId?: string;
}

export class HealthBuilder {
  readonly resolver = new DevAddrResolver();
  readonly #devices = new Map<string, DeviceAcc>();
  readonly #gateways = new Map<string, GatewayAcc>();
  readonly #gaps: GapWindow[] = [];
  /** DevEUI → device, for join-requests a gateway heard (they name the DevEUI, not the device). */
  readonly #byEui = new Map<string, string>();

  constructor(private readonly scope: HealthScope = {}) {}

  addGap(gap: GapWindow): void {
    this.#gaps.push(gap);
  }

  /** Replace the gap windows (a builder fed incrementally learns of new gaps as the capture grows). */
  setGaps(gaps: readonly GapWindow[]): void {
    this.#gaps.length = 0;
    this.#gaps.push(...gaps);
  }

  /**
   * Add one entry. `readings` are the per-gateway RSSI/SNR of its uplink when the caller has the full
   * event (the summary keeps only the best of any gateway).
   */
  add(s: EventSummary, readings?: readonly GatewayReading[]): void {
    if (s.kind !== 'event') return;
    this.#byDevice = undefined;
    const name = s.name;
    if (s.entityKind === 'device') {
      this.resolver.learn(s);
      this.#device(s, name, readings);
      return;
    }
    if (s.entityKind === 'gateway') this.#gateway(s, name);
  }

  #device(s: EventSummary, name: string, readings?: readonly GatewayReading[]): void {
    const key = `${s.application ?? ''}/${s.entity}`;
    if (s.devEui && !this.#byEui.has(s.devEui.toUpperCase())) this.#byEui.set(s.devEui.toUpperCase(), key);
    if (this.scope.deviceKey !== undefined && key !== this.scope.deviceKey && !this.scope.gatewayId) return;
    let d = this.#devices.get(key);
    if (!d) {
      d = {
        key,
        deviceId: s.entity,
        applicationId: s.application ?? '',
        uplinks: new Map(),
        times: new Map(),
        events: 0,
        errors: 0,
        firstMs: s.ms,
        lastMs: s.ms,
        lastTime: s.time,
        streams: new Set(),
      };
      this.#devices.set(key, d);
    }
    d.events++;
    if (s.ms < d.firstMs) d.firstMs = s.ms;
    if (s.ms >= d.lastMs) {
      d.lastMs = s.ms;
      d.lastTime = s.time;
    }
    if (s.devEui) d.devEui = s.devEui;
    if (s.devAddr) d.devAddr = s.devAddr;
    if (isError(name)) d.errors++;
    if (!RANKED.has(name)) return;
    if (s.direction === 'up' && (UPLINK_RANK as readonly string[]).includes(name)) {
      const rec: UplinkRecord = { ms: s.ms };
      if (s.fCnt !== undefined) rec.fCnt = s.fCnt;
      if (s.rssi !== undefined) rec.rssi = s.rssi;
      if (s.snr !== undefined) rec.snr = s.snr;
      if (s.dataRate) rec.dataRate = s.dataRate;
      const g = s.gatewayIds;
      if (g?.length) rec.gatewayIds = g;
      if (s.gateways !== undefined) rec.gateways = s.gateways;
      if (readings?.length) rec.readings = readings;
      d.streams.add(s.streamId);
      for (const id of s.streamIds ?? []) d.streams.add(id);
      (d.uplinks.get(name) ?? d.uplinks.set(name, []).get(name)!).push(rec);
      return;
    }
    (d.times.get(name) ?? d.times.set(name, []).get(name)!).push(s.ms);
  }

  #gateway(s: EventSummary, name: string): void {
    const id = s.entity;
    if (this.scope.gatewayId !== undefined && id !== this.scope.gatewayId) {
      // A device panel still needs the receptions of other gateways (they carry its per-gateway RSSI).
      if (!(this.scope.deviceKey !== undefined && name === 'gs.up.receive')) return;
    }
    let g = this.#gateways.get(id);
    if (!g) {
      g = {
        id,
        receptions: [],
        connects: [],
        disconnects: [],
        status: [],
        downSent: 0,
        txSuccess: 0,
        txFailed: 0,
        scheduleFailed: 0,
        txErrors: new Map(),
        firstMs: s.ms,
        lastMs: s.ms,
        lastTime: s.time,
      };
      this.#gateways.set(id, g);
    }
    if (s.ms < g.firstMs) g.firstMs = s.ms;
    if (s.ms >= g.lastMs) {
      g.lastMs = s.ms;
      g.lastTime = s.time;
    }
    switch (name) {
      case 'gs.up.receive': {
        const r: Reception = { ms: s.ms };
        if (s.rssi !== undefined) r.rssi = s.rssi;
        if (s.snr !== undefined) r.snr = s.snr;
        if (s.devAddr) r.devAddr = s.devAddr;
        if (s.devEui) r.devEui = s.devEui;
        if (s.dataRate) r.dataRate = s.dataRate;
        g.receptions.push(r);
        return;
      }
      case 'gs.gateway.connect':
        g.connects.push(s.ms);
        return;
      case 'gs.gateway.disconnect':
        g.disconnects.push(s.ms);
        return;
      case 'gs.status.receive':
        g.status.push({ ms: s.ms });
        return;
      case 'gs.down.send':
        g.downSent++;
        return;
      case 'gs.down.tx.success':
        g.txSuccess++;
        return;
      case 'gs.down.tx.fail':
      case 'gs.down.schedule.fail': {
        if (name === 'gs.down.tx.fail') g.txFailed++;
        else g.scheduleFailed++;
        const e = s.errorName ?? name;
        g.txErrors.set(e, (g.txErrors.get(e) ?? 0) + 1);
        return;
      }
    }
  }

  /** Learn DevAddr and DevEUI bindings from a device event without counting it (a gateway panel over part of a capture). */
  learn(s: EventSummary): void {
    if (s.kind !== 'event' || s.entityKind !== 'device') return;
    this.resolver.learn(s);
    if (s.devEui && !this.#byEui.has(s.devEui.toUpperCase()))
      this.#byEui.set(s.devEui.toUpperCase(), `${s.application ?? ''}/${s.entity}`);
    this.#byDevice = undefined;
  }

  /** Attach a gateway status message's metrics (`gs.status.receive` data.metrics), read from the full event. */
  addStatusMetrics(gatewayId: string, ms: number, metrics: Record<string, number>): void {
    const g = this.#gateways.get(gatewayId);
    const hit = g?.status.find((x) => x.ms === ms && !x.metrics);
    if (hit) hit.metrics = metrics;
  }

  get gaps(): readonly GapWindow[] {
    return this.#gaps;
  }

  #chosen<T>(map: Map<string, T[]>, rank: readonly string[]): [string | undefined, T[]] {
    for (const n of rank) {
      const v = map.get(n);
      if (v?.length) return [n, v];
    }
    return [undefined, []];
  }

  #countTimes(d: DeviceAcc, rank: readonly string[]): number[] {
    return this.#chosen(d.times, rank)[1];
  }

  #resolve(r: Reception): { key?: string; res?: Resolution } {
    if (r.deviceKey) return { key: r.deviceKey };
    if (r.devEui) {
      const k = this.#byEui.get(r.devEui.toUpperCase());
      if (k) return { key: k };
    }
    if (r.devAddr) {
      const res = this.resolver.resolve(r.devAddr, r.ms);
      if (res) return { key: res.deviceKey, res };
    }
    return {};
  }

  #byDevice: Map<string, { gatewayId: string; r: Reception }[]> | undefined;

  /** Every gateway reception resolved to its device once (lists of devices would otherwise resolve them per device). */
  #receptionsByDevice(): Map<string, { gatewayId: string; r: Reception }[]> {
    if (this.#byDevice) return this.#byDevice;
    const out = new Map<string, { gatewayId: string; r: Reception }[]>();
    for (const g of this.#gateways.values()) {
      for (const r of g.receptions) {
        const key = this.#resolve(r).key;
        if (key) (out.get(key) ?? out.set(key, []).get(key)!).push({ gatewayId: g.id, r });
      }
    }
    return (this.#byDevice = out);
  }

  #deviceHealth(d: DeviceAcc): { health: DeviceHealth; records: UplinkRecord[]; accepts: number[] } {
    const [countedFrom, recordsRaw] = this.#chosen(d.uplinks, UPLINK_RANK);
    const records = [...recordsRaw].sort((a, b) => a.ms - b.ms);
    const accepts = this.#countTimes(d, JOIN_ACCEPT_RANK);
    const frames = countFrames(
      records.filter((r) => r.fCnt !== undefined).map((r) => ({ ms: r.ms, fCnt: r.fCnt! })),
      accepts,
      this.#gaps.filter((g) => g.streamId === undefined || d.streams.has(g.streamId)),
    );
    const rssi = records.flatMap((r) => (r.rssi !== undefined ? [r.rssi] : []));
    const snr = records.flatMap((r) => (r.snr !== undefined ? [r.snr] : []));
    const perGateway = this.#perGateway(d, records);
    const dr = new Map<string, number>();
    for (const r of records) if (r.dataRate) dr.set(r.dataRate, (dr.get(r.dataRate) ?? 0) + 1);
    const health: DeviceHealth = {
      deviceKey: d.key,
      deviceId: d.deviceId,
      applicationId: d.applicationId,
      frames,
      gateways: [...perGateway.entries()]
        .map(([gatewayId, v]) => {
          const row: DeviceHealth['gateways'][number] = { gatewayId, uplinks: v.ms.length };
          const r = spread(v.rssi.filter((x): x is number => x !== null));
          const n = spread(v.snr.filter((x): x is number => x !== null));
          if (r) row.rssi = r;
          if (n) row.snr = n;
          return row;
        })
        .sort((a, b) => b.uplinks - a.uplinks || a.gatewayId.localeCompare(b.gatewayId)),
      dataRates: [...dr.entries()].map(([dataRate, count]) => ({ dataRate, count })).sort((a, b) => b.count - a.count),
      joins: { attempts: this.#countTimes(d, JOIN_REQUEST_RANK).length, accepts: accepts.length },
      downlinks: {
        queued: this.#countTimes(d, DOWN_QUEUED).length,
        sent: this.#countTimes(d, DOWN_SENT).length,
        acked: this.#countTimes(d, DOWN_ACKED).length,
        nacked: this.#countTimes(d, DOWN_NACKED).length,
        failed: this.#countTimes(d, DOWN_FAILED).length,
      },
      events: d.events,
      errors: d.errors,
      firstMs: d.firstMs,
      lastMs: d.lastMs,
      lastSeen: d.lastTime,
    };
    if (countedFrom) health.countedFrom = countedFrom;
    if (d.devEui) health.devEui = d.devEui;
    if (d.devAddr) health.devAddr = d.devAddr;
    const rs = spread(rssi);
    const ns = spread(snr);
    if (rs) health.rssi = rs;
    if (ns) health.snr = ns;
    return { health, records, accepts };
  }

  /**
   * Each gateway's readings of the device, from the best source the capture has: per-gateway readings
   * of the full events; else the gateways' own receptions resolved to this device; else events that one
   * gateway alone received.
   */
  #perGateway(
    d: DeviceAcc,
    records: readonly UplinkRecord[],
  ): Map<string, { ms: number[]; rssi: (number | null)[]; snr: (number | null)[] }> {
    const out = new Map<string, { ms: number[]; rssi: (number | null)[]; snr: (number | null)[] }>();
    const put = (gatewayId: string, ms: number, rssi: number | undefined, snr: number | undefined) => {
      const v = out.get(gatewayId) ?? out.set(gatewayId, { ms: [], rssi: [], snr: [] }).get(gatewayId)!;
      v.ms.push(ms);
      v.rssi.push(rssi ?? null);
      v.snr.push(snr ?? null);
    };
    if (records.some((r) => r.readings)) {
      // Per-gateway readings where the full event was read; an uplink one gateway heard has its reading in the summary.
      for (const r of records) {
        if (r.readings) for (const x of r.readings) put(x.gatewayId, r.ms, x.rssi, x.snr);
        else if (r.gatewayIds?.length === 1 && (r.gateways ?? 1) === 1) put(r.gatewayIds[0]!, r.ms, r.rssi, r.snr);
      }
      return out;
    }
    for (const x of this.#receptionsByDevice().get(d.key) ?? []) put(x.gatewayId, x.r.ms, x.r.rssi, x.r.snr);
    if (out.size > 0) return out;
    for (const r of records) {
      if (r.gatewayIds?.length === 1 && (r.gateways ?? 1) === 1) put(r.gatewayIds[0]!, r.ms, r.rssi, r.snr);
      else for (const gid of r.gatewayIds ?? []) put(gid, r.ms, undefined, undefined);
    }
    return out;
  }

  /** Every device seen, most recently seen first. */
  devices(): DeviceHealth[] {
    return [...this.#devices.values()]
      .map((d) => this.#deviceHealth(d).health)
      .sort((a, b) => b.lastMs - a.lastMs || a.deviceKey.localeCompare(b.deviceKey));
  }

  /** One device with its time series (`maxBuckets` for the uplinks-over-time timeline). */
  device(key: string, maxBuckets = 200): { health: DeviceHealth; series: DeviceSeries } | undefined {
    const d = this.#devices.get(key);
    if (!d) return undefined;
    const { health, records, accepts } = this.#deviceHealth(d);
    const uplinks: DeviceSeries['uplinks'] = { ms: [], fCnt: [], rssi: [], snr: [] };
    for (const r of records) {
      uplinks.ms.push(r.ms);
      uplinks.fCnt.push(r.fCnt ?? -1);
      uplinks.rssi.push(r.rssi ?? null);
      uplinks.snr.push(r.snr ?? null);
    }
    const start = Math.min(
      d.firstMs,
      ...this.#gaps.map((g) => g.fromMs).filter((x) => x >= d.firstMs && x <= d.lastMs),
    );
    const bucketMs = bucketWidth(Math.max(1, d.lastMs - start), maxBuckets);
    const startMs = Math.floor(start / bucketMs) * bucketMs;
    const n = Math.floor((d.lastMs - startMs) / bucketMs) + 1;
    const timeline = {
      startMs,
      bucketMs,
      received: new Array<number>(n).fill(0),
      lost: new Array<number>(n).fill(0),
      unknown: new Array<number>(n).fill(0),
    };
    const at = (ms: number) => Math.min(n - 1, Math.max(0, Math.floor((ms - startMs) / bucketMs)));
    // Received frames: retransmissions are not frames.
    let prev: number | undefined;
    for (const r of records) {
      if (r.fCnt !== undefined && r.fCnt === prev) continue;
      prev = r.fCnt;
      timeline.received[at(r.ms)]!++;
    }
    for (const h of health.frames.holes) (h.unknown ? timeline.unknown : timeline.lost)[at(h.ms)]! += h.count;
    const perGateway = [...this.#perGateway(d, records).entries()]
      .map(([gatewayId, v]) => ({ gatewayId, ...v }))
      .sort((a, b) => b.ms.length - a.ms.length);
    return { health, series: { uplinks, perGateway, timeline, joins: accepts, holes: health.frames.holes } };
  }

  #gatewayHealth(g: GatewayAcc): { health: GatewayHealth; times: number[]; rssi: number[]; snr: number[] } {
    const heard = new Map<string, GatewayHealth['heard'][number]>();
    const rssi: number[] = [];
    const snr: number[] = [];
    let times: number[] = [];
    let countedFrom: GatewayHealth['countedFrom'] = 'none';
    if (g.receptions.length > 0) {
      countedFrom = 'gs.up.receive';
      for (const r of g.receptions) {
        times.push(r.ms);
        if (r.rssi !== undefined) rssi.push(r.rssi);
        if (r.snr !== undefined) snr.push(r.snr);
        const { key, res } = this.#resolve(r);
        const label = key
          ? key.slice(key.indexOf('/') + 1)
          : r.devAddr
            ? `DevAddr ${r.devAddr}`
            : r.devEui
              ? `DevEUI ${r.devEui}`
              : '?';
        const id = key ?? label;
        const h = heard.get(id) ?? heard.set(id, { label, uplinks: 0 }).get(id)!;
        h.uplinks++;
        if (key) h.deviceKey = key;
        if (r.devAddr) h.devAddr = r.devAddr;
        if (res && !h.learned) h.learned = { ms: res.learnedMs, from: res.learnedFrom, later: res.learnedLater };
      }
    } else {
      // No receptions of its own (an application stream): the device uplinks that name this gateway.
      for (const d of this.#devices.values()) {
        const [, records] = this.#chosen(d.uplinks, UPLINK_RANK);
        for (const r of records) {
          const reading = r.readings?.find((x) => x.gatewayId === g.id);
          if (!reading && !r.gatewayIds?.includes(g.id)) continue;
          countedFrom = 'device events';
          times.push(r.ms);
          const single = r.gatewayIds?.length === 1;
          const rv = reading?.rssi ?? (single ? r.rssi : undefined);
          const sv = reading?.snr ?? (single ? r.snr : undefined);
          if (rv !== undefined) rssi.push(rv);
          if (sv !== undefined) snr.push(sv);
          const h =
            heard.get(d.key) ?? heard.set(d.key, { label: d.deviceId, deviceKey: d.key, uplinks: 0 }).get(d.key)!;
          h.uplinks++;
        }
      }
      times = times.sort((a, b) => a - b);
    }
    const lastStatus = g.status.reduce<GatewayAcc['status'][number] | undefined>(
      (a, x) => (!a || x.ms >= a.ms ? x : a),
      undefined,
    );
    const health: GatewayHealth = {
      gatewayId: g.id,
      uplinks: times.length,
      countedFrom,
      devices: heard.size,
      heard: [...heard.values()].sort((a, b) => b.uplinks - a.uplinks || a.label.localeCompare(b.label)),
      connects: g.connects.length,
      disconnects: g.disconnects.length,
      statusMessages: g.status.length,
      downlinks: {
        sent: g.downSent,
        txSuccess: g.txSuccess,
        txFailed: g.txFailed,
        scheduleFailed: g.scheduleFailed,
        errors: [...g.txErrors.entries()].map(([name, count]) => ({ name, count })),
      },
      firstMs: g.firstMs,
      lastMs: g.lastMs,
      lastSeen: g.lastTime,
    };
    const rs = spread(rssi);
    const ns = spread(snr);
    if (rs) health.rssi = rs;
    if (ns) health.snr = ns;
    if (lastStatus) health.lastStatus = lastStatus;
    return { health, times, rssi, snr };
  }

  /** Every gateway seen (as an event's gateway or as a receiver named by device events), most uplinks first. */
  gateways(): GatewayHealth[] {
    this.#namedGateways();
    return [...this.#gateways.values()]
      .map((g) => this.#gatewayHealth(g).health)
      .sort((a, b) => b.uplinks - a.uplinks || a.gatewayId.localeCompare(b.gatewayId));
  }

  /** Gateways only device events name (an application stream): give them an entry too. */
  #namedGateways(): void {
    for (const d of this.#devices.values()) {
      for (const r of this.#chosen(d.uplinks, UPLINK_RANK)[1]) {
        for (const id of r.readings?.map((x) => x.gatewayId) ?? r.gatewayIds ?? []) {
          if (this.#gateways.has(id) || (this.scope.gatewayId !== undefined && id !== this.scope.gatewayId)) continue;
          this.#gateways.set(id, {
            id,
            receptions: [],
            connects: [],
            disconnects: [],
            status: [],
            downSent: 0,
            txSuccess: 0,
            txFailed: 0,
            scheduleFailed: 0,
            txErrors: new Map(),
            firstMs: r.ms,
            lastMs: r.ms,
            lastTime: '',
          });
        }
      }
    }
    for (const g of this.#gateways.values()) {
      if (g.lastTime) continue;
      // Seen only through device events: its first and last reception.
      const { times } = this.#gatewayHealth(g);
      if (times.length)
        [g.firstMs, g.lastMs, g.lastTime] = [times[0]!, times.at(-1)!, new Date(times.at(-1)!).toISOString()];
    }
  }

  /** One gateway with its series (uplinks per minute, or coarser buckets over a long capture). */
  gateway(id: string, maxBuckets = 240): { health: GatewayHealth; series: GatewaySeries } | undefined {
    this.#namedGateways();
    const g = this.#gateways.get(id);
    if (!g) return undefined;
    const { health, times, rssi, snr } = this.#gatewayHealth(g);
    const first = times[0] ?? g.firstMs;
    const last = times.at(-1) ?? g.lastMs;
    const bucketMs = Math.max(60_000, bucketWidth(Math.max(1, last - first), maxBuckets));
    const startMs = Math.floor(first / bucketMs) * bucketMs;
    const uplinks = new Array<number>(Math.floor((last - startMs) / bucketMs) + 1).fill(0);
    for (const t of times) uplinks[Math.floor((t - startMs) / bucketMs)]!++;
    return {
      health,
      series: {
        perMinute: { startMs, bucketMs, uplinks },
        rssi,
        snr,
        connects: g.connects,
        disconnects: g.disconnects,
      },
    };
  }
}

/** Health of everything in `entries` (with the capture's gap windows), as the CLI report and lists need. */
export function computeHealth(
  entries: Iterable<EventSummary | { summary: EventSummary; readings?: readonly GatewayReading[] }>,
  gaps: readonly GapWindow[] = [],
): { devices: DeviceHealth[]; gateways: GatewayHealth[] } {
  const b = new HealthBuilder();
  for (const g of gaps) b.addGap(g);
  for (const e of entries) {
    if ('summary' in e) b.add(e.summary, e.readings);
    else b.add(e);
  }
  return { devices: b.devices(), gateways: b.gateways() };
}
