/**
 * One device's health, kept up to date entry by entry: per uplink event name, the frame counter
 * (`FrameTracker`), RSSI/SNR as value counts, data rates and per-gateway readings, so the health of a
 * device costs its distinct readings and holes, not its events. The compact uplink records are kept as
 * well: the device panel draws them as series, retention drops them by epoch (the capture index's
 * segment), and a stream delivering late rebuilds the frame counter from them in time order.
 */
import type { EventSummary } from '../domain/summary.js';
import { gatewayReadings, receivers } from '../domain/reception.js';
import { FrameTracker, trackerOf, type FrameCount, type GapWindow } from './frames.js';
import type { DeviceHealth, GatewayReading } from './health-types.js';
import {
  chosen,
  DOWN_ACKED,
  DOWN_FAILED,
  DOWN_NACKED,
  DOWN_QUEUED,
  DOWN_SENT,
  DUPLICATE_JOIN_DROP,
  JOIN_ACCEPT_NAMES,
  JOIN_ACCEPT_RANK,
  JOIN_RECEIVE,
  JOIN_REQUEST_RANK,
  RANKED,
  UPLINK_NAMES,
  UPLINK_RANK,
} from './names.js';
import { isDuplicate, isErrorEvent } from './overview.js';
import { ValueCounts } from './stats.js';

export interface UplinkRecord {
  ms: number;
  epoch: number;
  streamId: string;
  streamIds?: readonly string[];
  fCnt?: number;
  rssi?: number;
  snr?: number;
  dataRate?: string;
  gatewayIds?: readonly string[];
  gateways?: number;
  readings?: readonly GatewayReading[];
}

/** Readings of one gateway: how many, their RSSI and SNR, and when. */
export class GwStat {
  n = 0;
  readonly rssi = new ValueCounts();
  readonly snr = new ValueCounts();
  firstMs = Infinity;
  lastMs = -Infinity;

  add(ms: number, rssi: number | undefined, snr: number | undefined): void {
    this.n++;
    if (rssi !== undefined) this.rssi.add(rssi);
    if (snr !== undefined) this.snr.add(snr);
    if (ms < this.firstMs) this.firstMs = ms;
    if (ms > this.lastMs) this.lastMs = ms;
  }

  addAll(o: GwStat): void {
    this.n += o.n;
    this.rssi.addAll(o.rssi);
    this.snr.addAll(o.snr);
    this.firstMs = Math.min(this.firstMs, o.firstMs);
    this.lastMs = Math.max(this.lastMs, o.lastMs);
  }
}

/** Plain code-unit order for tie-breaks (localeCompare costs microseconds, and these sorts run per refresh). */
export const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export const statOf = (m: Map<string, GwStat>, id: string): GwStat => m.get(id) ?? m.set(id, new GwStat()).get(id)!;

/** Everything counted from one uplink event name of one device. */
export class UplinkAgg {
  readonly records: UplinkRecord[] = [];
  #tracker = new FrameTracker();
  #stale = false;
  readonly rssi = new ValueCounts();
  readonly snr = new ValueCounts();
  readonly dataRates = new Map<string, number>();
  withReadings = 0;
  /** Per gateway when some uplink has per-gateway readings: those, else an uplink one gateway alone heard. */
  readonly fromReadings = new Map<string, GwStat>();
  /** Per gateway from summaries alone: the reading of an uplink one gateway heard, else a count. */
  readonly fromSummaries = new Map<string, GwStat>();
  /** Per gateway the uplink names, with its reading where known (a gateway's health without its own events). */
  readonly named = new Map<string, GwStat>();

  add(r: UplinkRecord): void {
    this.records.push(r);
    if (r.rssi !== undefined) this.rssi.add(r.rssi);
    if (r.snr !== undefined) this.snr.add(r.snr);
    if (r.dataRate) this.dataRates.set(r.dataRate, (this.dataRates.get(r.dataRate) ?? 0) + 1);
    const ids = r.gatewayIds ?? [];
    const alone = ids.length === 1 && (r.gateways ?? 1) === 1;
    // Per-gateway readings come only from a panel's full events: until one arrives, this map is not kept
    // (a list over a whole capture never has them), and the first one fills it from the records so far.
    if (r.readings?.length) {
      if (this.withReadings++ === 0) for (const old of this.records.slice(0, -1)) this.#fromReadings(old);
      this.#fromReadings(r);
    } else if (this.withReadings > 0) this.#fromReadings(r);
    if (alone) statOf(this.fromSummaries, ids[0]!).add(r.ms, r.rssi, r.snr);
    else for (const id of ids) statOf(this.fromSummaries, id).add(r.ms, undefined, undefined);
    const single = ids.length === 1;
    if (!r.readings?.length) {
      for (const id of ids) statOf(this.named, id).add(r.ms, single ? r.rssi : undefined, single ? r.snr : undefined);
    } else {
      const seen = new Set<string>();
      for (const id of [...r.readings.map((x) => x.gatewayId), ...ids]) {
        if (seen.has(id)) continue;
        seen.add(id);
        const reading = r.readings.find((x) => x.gatewayId === id);
        statOf(this.named, id).add(
          r.ms,
          reading?.rssi ?? (single ? r.rssi : undefined),
          reading?.snr ?? (single ? r.snr : undefined),
        );
      }
    }
    if (r.fCnt !== undefined && !this.#stale && !this.#tracker.add({ ms: r.ms, fCnt: r.fCnt })) this.#stale = true;
  }

  #fromReadings(r: UplinkRecord): void {
    const ids = r.gatewayIds ?? [];
    if (r.readings?.length) for (const x of r.readings) statOf(this.fromReadings, x.gatewayId).add(r.ms, x.rssi, x.snr);
    else if (ids.length === 1 && (r.gateways ?? 1) === 1) statOf(this.fromReadings, ids[0]!).add(r.ms, r.rssi, r.snr);
  }

  join(ms: number): void {
    if (!this.#stale && !this.#tracker.join(ms)) this.#stale = true;
  }

  /** A new aggregate learns the joins seen before its first uplink, in time order. */
  joins(times: number[]): void {
    for (const ms of times.sort((a, b) => a - b)) this.join(ms);
  }

  /** Rebuild the frame counter from the records at the next count (late entries, or entries dropped). */
  invalidate(): void {
    this.#stale = true;
  }

  frames(joins: () => number[], gaps: readonly GapWindow[]): FrameCount {
    if (this.#stale) {
      const tx = this.records.flatMap((r) => (r.fCnt !== undefined ? [{ ms: r.ms, fCnt: r.fCnt }] : []));
      this.#tracker = trackerOf(tx, joins());
      this.#stale = false;
    }
    return this.#tracker.result(gaps);
  }
}

interface EpochCounts {
  events: number;
  errors: number;
  firstMs: number;
  lastMs: number;
  lastTime: string;
}

const spreadsOf = (stats: Map<string, GwStat>): DeviceHealth['gateways'] =>
  [...stats.entries()]
    .map(([gatewayId, v]) => {
      const row: DeviceHealth['gateways'][number] = { gatewayId, uplinks: v.n };
      const r = v.rssi.spread();
      const n = v.snr.spread();
      if (r) row.rssi = r;
      if (n) row.snr = n;
      return row;
    })
    .sort((a, b) => b.uplinks - a.uplinks || cmp(a.gatewayId, b.gatewayId));

export class DeviceAcc {
  devEui?: string;
  devAddr?: string;
  #addrMs = -Infinity;
  /** By event name (only names of `UPLINK_RANK`). */
  uplinks = new Map<string, UplinkAgg>();
  /** Times of ranked join and downlink events, by name, and of duplicate join drops (`DUPLICATE_JOIN_DROP`). */
  times = new Map<string, { ms: number; epoch: number }[]>();
  epochs = new Map<number, EpochCounts>();
  /** Streams that delivered its uplinks: only their gaps can hide its frames. */
  streams = new Set<string>();

  constructor(
    readonly key: string,
    readonly deviceId: string,
    readonly applicationId: string,
  ) {}

  add(s: EventSummary, readings: readonly GatewayReading[] | undefined, epoch: number): void {
    const name = s.name;
    let e = this.epochs.get(epoch);
    if (!e) this.epochs.set(epoch, (e = { events: 0, errors: 0, firstMs: s.ms, lastMs: s.ms, lastTime: s.time }));
    e.events++;
    if (s.ms < e.firstMs) e.firstMs = s.ms;
    if (s.ms >= e.lastMs) [e.lastMs, e.lastTime] = [s.ms, s.time];
    if (s.devEui) this.devEui = s.devEui;
    // The DevAddr of its latest session (the one of the newest event, whatever order they came in).
    if (s.devAddr && s.ms >= this.#addrMs) [this.devAddr, this.#addrMs] = [s.devAddr, s.ms];
    if (isErrorEvent(name, s.errorName)) e.errors++;
    // v3.8–3.17 log `ns.up.join.receive` for every gateway's copy of a join-request, then this drop for each
    // extra copy: join attempts are the receptions less these (`#joinAttempts`).
    if (name === DUPLICATE_JOIN_DROP && isDuplicate(s.errorName)) this.#time(DUPLICATE_JOIN_DROP, s.ms, epoch);
    // A simulated uplink (the Console's "Simulate uplink") is an event of the device, not radio traffic: its
    // FCnt (none, so 0) would start a session and lose every frame up to the next real one, its gateway `test`
    // and RSSI +42 are made up. Nor does a simulated join start a session.
    if (!RANKED.has(name) || s.simulated) return;
    if (s.direction === 'up' && UPLINK_NAMES.has(name)) {
      const rec: UplinkRecord = { ms: s.ms, epoch, streamId: s.streamId };
      if (s.streamIds?.length) rec.streamIds = s.streamIds;
      if (s.fCnt !== undefined) rec.fCnt = s.fCnt;
      if (s.rssi !== undefined) rec.rssi = s.rssi;
      if (s.snr !== undefined) rec.snr = s.snr;
      if (s.dataRate) rec.dataRate = s.dataRate;
      const gatewayIds = receivers(s.gatewayIds);
      if (gatewayIds?.length) rec.gatewayIds = gatewayIds;
      if (s.gateways !== undefined) rec.gateways = s.gateways;
      // One reading per gateway: a gateway heard on two antennas is one gateway that heard one uplink.
      if (readings?.length) rec.readings = gatewayReadings(readings);
      this.#uplink(name, rec);
      return;
    }
    this.#time(name, s.ms, epoch);
    // Any accepted join starts a new session (several components log one join: the counter takes them all).
    if (JOIN_ACCEPT_NAMES.has(name)) for (const agg of this.uplinks.values()) agg.join(s.ms);
  }

  #time(name: string, ms: number, epoch: number): void {
    (this.times.get(name) ?? this.times.set(name, []).get(name)!).push({ ms, epoch });
  }

  #uplink(name: string, rec: UplinkRecord): void {
    let agg = this.uplinks.get(name);
    if (!agg) {
      this.uplinks.set(name, (agg = new UplinkAgg()));
      agg.joins(this.joinTimes());
    }
    this.streams.add(rec.streamId);
    for (const id of rec.streamIds ?? []) this.streams.add(id);
    agg.add(rec);
  }

  joinTimes(): number[] {
    return JOIN_ACCEPT_RANK.flatMap((n) => this.times.get(n)?.map((t) => t.ms) ?? []);
  }

  /** Drop what came in epochs `keep` refuses; false when nothing of the device is left. */
  retain(keep: (epoch: number) => boolean): boolean {
    for (const epoch of [...this.epochs.keys()]) if (!keep(epoch)) this.epochs.delete(epoch);
    if (this.epochs.size === 0) return false;
    for (const [name, list] of this.times) {
      const kept = list.filter((t) => keep(t.epoch));
      if (kept.length) this.times.set(name, kept);
      else this.times.delete(name);
    }
    const old = this.uplinks;
    this.uplinks = new Map();
    this.streams = new Set();
    for (const [name, agg] of old) for (const r of agg.records) if (keep(r.epoch)) this.#uplink(name, r);
    return true;
  }

  /** The uplink name frames are counted from, and its aggregate. */
  counted(): [string | undefined, UplinkAgg | undefined] {
    return chosen(this.uplinks, UPLINK_RANK, (a) => a.records.length > 0);
  }

  #count(rank: readonly string[]): number {
    return chosen(this.times, rank, (t) => t.length > 0)[1]?.length ?? 0;
  }

  /** Join-requests: counted from the first name of the rank held; per-gateway copies of old servers taken off. */
  #joinAttempts(): number {
    const [name, times] = chosen(this.times, JOIN_REQUEST_RANK, (t) => t.length > 0);
    const copies = name === JOIN_RECEIVE ? (this.times.get(DUPLICATE_JOIN_DROP)?.length ?? 0) : 0;
    return Math.max(0, (times?.length ?? 0) - copies);
  }

  /**
   * Health from the aggregates. `received` are the gateways' own receptions resolved to this device (per
   * gateway), used when no uplink had per-gateway readings.
   */
  health(gaps: readonly GapWindow[], received: Map<string, GwStat> | undefined, brief = false): DeviceHealth {
    const [countedFrom, agg] = this.counted();
    const mine = gaps.filter((g) => g.streamId === undefined || this.streams.has(g.streamId));
    const frames = agg
      ? agg.frames(() => this.joinTimes(), mine)
      : { frames: 0, retransmissions: 0, lost: 0, unknown: 0, per: 0, sessions: 0, holes: [] };
    const perGateway = !agg
      ? new Map<string, GwStat>()
      : agg.withReadings > 0
        ? agg.fromReadings
        : received?.size
          ? received
          : agg.fromSummaries;
    let events = 0;
    let errors = 0;
    let firstMs = Infinity;
    let last: EpochCounts | undefined;
    for (const e of this.epochs.values()) {
      events += e.events;
      errors += e.errors;
      firstMs = Math.min(firstMs, e.firstMs);
      if (!last || e.lastMs >= last.lastMs) last = e;
    }
    const health: DeviceHealth = {
      deviceKey: this.key,
      deviceId: this.deviceId,
      applicationId: this.applicationId,
      frames,
      gateways: brief ? [] : spreadsOf(perGateway),
      dataRates: [...(agg?.dataRates.entries() ?? [])]
        .map(([dataRate, count]) => ({ dataRate, count }))
        .sort((a, b) => b.count - a.count),
      joins: { attempts: this.#joinAttempts(), accepts: this.#count(JOIN_ACCEPT_RANK) },
      downlinks: {
        queued: this.#count(DOWN_QUEUED),
        sent: this.#count(DOWN_SENT),
        acked: this.#count(DOWN_ACKED),
        nacked: this.#count(DOWN_NACKED),
        failed: this.#count(DOWN_FAILED),
      },
      events,
      errors,
      firstMs,
      lastMs: last?.lastMs ?? firstMs,
      lastSeen: last?.lastTime ?? '',
    };
    if (countedFrom) health.countedFrom = countedFrom;
    if (this.devEui) health.devEui = this.devEui;
    if (this.devAddr) health.devAddr = this.devAddr;
    const rs = agg?.rssi.spread();
    const ns = agg?.snr.spread();
    if (rs) health.rssi = rs;
    if (ns) health.snr = ns;
    return health;
  }
}
