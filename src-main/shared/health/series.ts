/** Time series of the device and gateway panels, from the records a builder keeps (one panel at a time). */
import type { UplinkRecord } from './device-acc.js';
import type { GapWindow } from './frames.js';
import type { DeviceHealth, DeviceSeries, GatewayHealth, GatewaySeries } from './health-types.js';
import { bucketWidth } from './stats.js';

/** One gateway's readings of a device over time. */
export type Perceived = { ms: number[]; rssi: (number | null)[]; snr: (number | null)[] };

/** A gateway's readings of a device in time order (reception groups are visited one after another). */
export function sortSeries(v: Perceived): void {
  const order = v.ms.map((_, i) => i).sort((a, b) => v.ms[a]! - v.ms[b]!);
  v.ms = order.map((i) => v.ms[i]!);
  v.rssi = order.map((i) => v.rssi[i]!);
  v.snr = order.map((i) => v.snr[i]!);
}

/**
 * Each frame of a device (`records` in time order) and frames per bucket, with the missing frames placed
 * in the bucket of the frame after them; the timeline starts at a gap that began inside the device's span.
 */
export function deviceTimeline(
  records: readonly UplinkRecord[],
  health: DeviceHealth,
  gaps: readonly GapWindow[],
  maxBuckets: number,
): Pick<DeviceSeries, 'uplinks' | 'timeline'> {
  const uplinks: DeviceSeries['uplinks'] = { ms: [], fCnt: [], rssi: [], snr: [] };
  for (const r of records) {
    uplinks.ms.push(r.ms);
    uplinks.fCnt.push(r.fCnt ?? -1);
    uplinks.rssi.push(r.rssi ?? null);
    uplinks.snr.push(r.snr ?? null);
  }
  const start = Math.min(
    health.firstMs,
    ...gaps.map((g) => g.fromMs).filter((x) => x >= health.firstMs && x <= health.lastMs),
  );
  const bucketMs = bucketWidth(Math.max(1, health.lastMs - start), maxBuckets);
  const startMs = Math.floor(start / bucketMs) * bucketMs;
  const n = Math.floor((health.lastMs - startMs) / bucketMs) + 1;
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
  return { uplinks, timeline };
}

/** A gateway's uplinks (`times` in order) per minute, or coarser buckets over a long capture. */
export function perBucket(
  times: readonly number[],
  health: GatewayHealth,
  maxBuckets: number,
): GatewaySeries['perMinute'] {
  const first = times[0] ?? health.firstMs;
  // A gateway only edited in the registry was never seen (`lastMs` -Infinity): its span is its first event.
  const last = times.at(-1) ?? Math.max(first, health.lastMs);
  const bucketMs = Math.max(60_000, bucketWidth(Math.max(1, last - first), maxBuckets));
  const startMs = Math.floor(first / bucketMs) * bucketMs;
  const uplinks = new Array<number>(Math.floor((last - startMs) / bucketMs) + 1).fill(0);
  for (const t of times) uplinks[Math.floor((t - startMs) / bucketMs)]!++;
  return { startMs, bucketMs, uplinks };
}
