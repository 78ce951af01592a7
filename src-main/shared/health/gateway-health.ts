/**
 * One gateway's health and series from the builder's aggregates: its own receptions (`gs.up.receive`),
 * resolved to devices through the builder (`ResolveGroup`), or, for a gateway without receptions of its
 * own (an application stream), the device uplinks that name it. `health.ts` owns the aggregates.
 */
import type { Resolution } from './devaddr.js';
import { cmp, type DeviceAcc, type GwStat } from './device-acc.js';
import type { GatewayAcc, Reception, ReceptionGroup } from './gateway-acc.js';
import type { GatewayHealth, GatewaySeries } from './health-types.js';
import { perBucket } from './series.js';
import { ValueCounts } from './stats.js';

/** A device's counted uplinks that name a gateway. */
export interface NamedUplinks {
  d: DeviceAcc;
  stat: GwStat;
}

/** Visits a reception group's receptions by the device they resolve to (`rs` set when resolved one by one). */
export type ResolveGroup = (
  g: GatewayAcc,
  group: ReceptionGroup,
  visit: (key: string | undefined, res: Resolution | undefined, n: number, rs: Reception[] | undefined) => void,
) => void;

/** A gateway's health; `brief` (the window's list) leaves out the devices it heard, counting them only. */
export function gatewayHealth(
  id: string,
  g: GatewayAcc | undefined,
  named: readonly NamedUplinks[],
  resolveGroup: ResolveGroup,
  brief = false,
): GatewayHealth {
  const heard = new Map<string, GatewayHealth['heard'][number]>();
  let rssi = g?.rssi;
  let snr = g?.snr;
  let uplinks = 0;
  let countedFrom: GatewayHealth['countedFrom'] = 'none';
  let span = g?.span() ?? { firstMs: Infinity, lastMs: -Infinity, lastTime: '' };
  let keys: Set<string> | undefined;
  if (g && g.receptions.length > 0) {
    countedFrom = 'gs.up.receive';
    uplinks = g.receptions.length;
    keys = new Set<string>();
    for (const group of g.groups.values()) {
      resolveGroup(g, group, (key, res, n) => {
        // The same identity as a row of `heard` (a device, else the DevAddr, else the DevEUI).
        if (brief) return void keys!.add(key ?? (group.devAddr ? `A${group.devAddr}` : `E${group.devEui ?? '?'}`));
        const label = key
          ? key.slice(key.indexOf('/') + 1)
          : group.devAddr
            ? `DevAddr ${group.devAddr}`
            : group.devEui
              ? `DevEUI ${group.devEui}`
              : '?';
        const hk = key ?? label;
        const h = heard.get(hk) ?? heard.set(hk, { label, uplinks: 0 }).get(hk)!;
        h.uplinks += n;
        if (key) h.deviceKey = key;
        if (group.devAddr) h.devAddr = group.devAddr;
        if (res && !h.learned) h.learned = { ms: res.learnedMs, from: res.learnedFrom, later: res.learnedLater };
      });
    }
  } else if (named.length > 0) {
    // No receptions of its own (an application stream): the device uplinks that name this gateway.
    countedFrom = 'device events';
    rssi = new ValueCounts();
    snr = new ValueCounts();
    let first = Infinity;
    let last = -Infinity;
    for (const { d, stat } of named) {
      uplinks += stat.n;
      rssi.addAll(stat.rssi);
      snr.addAll(stat.snr);
      [first, last] = [Math.min(first, stat.firstMs), Math.max(last, stat.lastMs)];
      const h = heard.get(d.key) ?? heard.set(d.key, { label: d.deviceId, deviceKey: d.key, uplinks: 0 }).get(d.key)!;
      h.uplinks += stat.n;
    }
    // Last seen by the uplinks naming it, unless its own events showed it (registry edits do not).
    if (!g || !span.lastTime)
      span = { firstMs: g ? span.firstMs : first, lastMs: last, lastTime: new Date(last).toISOString() };
  }
  const lastStatus = g?.status.reduce<GatewayAcc['status'][number] | undefined>(
    (a, x) => (!a || x.ms >= a.ms ? x : a),
    undefined,
  );
  const downs = g?.downlinks;
  const health: GatewayHealth = {
    gatewayId: id,
    uplinks,
    countedFrom,
    devices: Math.max(heard.size, keys?.size ?? 0),
    heard: brief ? [] : [...heard.values()].sort((a, b) => b.uplinks - a.uplinks || cmp(a.label, b.label)),
    connects: g?.connects.length ?? 0,
    disconnects: g?.disconnects.length ?? 0,
    statusMessages: g?.status.length ?? 0,
    downlinks: {
      sent: downs?.sent ?? 0,
      txSuccess: downs?.txSuccess ?? 0,
      txFailed: downs?.txFailed ?? 0,
      scheduleFailed: downs?.scheduleFailed ?? 0,
      errors: [...(downs?.errors.entries() ?? [])].map(([name, count]) => ({ name, count })),
    },
    firstMs: span.firstMs,
    lastMs: span.lastMs,
    lastSeen: span.lastTime,
  };
  const rs = rssi?.spread();
  const ns = snr?.spread();
  if (rs) health.rssi = rs;
  if (ns) health.snr = ns;
  if (lastStatus)
    health.lastStatus = { ms: lastStatus.ms, ...(lastStatus.metrics ? { metrics: lastStatus.metrics } : {}) };
  return health;
}

/** A gateway's series (uplinks per bucket, RSSI and SNR readings, connections) from the same source as its health. */
export function gatewaySeries(
  id: string,
  g: GatewayAcc | undefined,
  named: readonly NamedUplinks[],
  health: GatewayHealth,
  maxBuckets: number,
): GatewaySeries {
  let times: number[] = [];
  const rssi: number[] = [];
  const snr: number[] = [];
  if (health.countedFrom === 'gs.up.receive') {
    for (const r of g!.receptions) {
      times.push(r.ms);
      if (r.rssi !== undefined) rssi.push(r.rssi);
      if (r.snr !== undefined) snr.push(r.snr);
    }
  } else {
    for (const { d } of named) {
      for (const r of d.counted()[1]?.records ?? []) {
        const reading = r.readings?.find((x) => x.gatewayId === id);
        if (!reading && !r.gatewayIds?.includes(id)) continue;
        times.push(r.ms);
        const single = r.gatewayIds?.length === 1;
        const rv = reading?.rssi ?? (single ? r.rssi : undefined);
        const sv = reading?.snr ?? (single ? r.snr : undefined);
        if (rv !== undefined) rssi.push(rv);
        if (sv !== undefined) snr.push(sv);
      }
    }
    times = times.sort((a, b) => a - b);
  }
  const perMinute = perBucket(times, health, maxBuckets);
  return {
    perMinute,
    rssi,
    snr,
    connects: g?.connects.map((x) => x.ms) ?? [],
    disconnects: g?.disconnects.map((x) => x.ms) ?? [],
  };
}
