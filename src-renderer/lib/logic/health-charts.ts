/**
 * Health data as uPlot's aligned data (glue only: which numbers go in which series). Stacked bars are
 * drawn as cumulative series, tallest first, so each band shows through the one in front of it.
 */
import uPlot, { type AlignedData } from 'uplot';
import type { DeviceSeries, GatewaySeries } from '../../../src-main/shared/health/health';
import { histogram } from '../../../src-main/shared/health/stats';

/** Frames per bucket: [time, received+lost+unknown, received+lost, received]. */
export function timelineData(s: DeviceSeries['timeline']): AlignedData {
  const x = s.received.map((_, i) => s.startMs + i * s.bucketMs);
  const rec = s.received;
  const lost = s.received.map((r, i) => r + s.lost[i]!);
  const all = lost.map((v, i) => v + s.unknown[i]!);
  return [x, all, lost, rec];
}

/** One series per gateway on a shared time axis (null where a gateway did not hear that frame). */
export function perGatewayData(series: DeviceSeries['perGateway'], pick: 'rssi' | 'snr'): AlignedData {
  if (series.length === 0) return [[]];
  const tables = series.map((g) => [g.ms, g[pick]] as AlignedData);
  return uPlot.join(tables);
}

export function perMinuteData(s: GatewaySeries['perMinute']): AlignedData {
  return [s.uplinks.map((_, i) => s.startMs + i * s.bucketMs), s.uplinks];
}

/** A distribution of readings in `width`-wide bins: [bin start, count]. */
export function distributionData(values: readonly number[], width: number): AlignedData {
  const h = histogram(values, width);
  return [h.counts.map((_, i) => h.start + i * h.width), h.counts];
}

/** Distinct, readable colours for gateways. */
export const PALETTE = ['#0969da', '#bf3989', '#1a7f37', '#9a6700', '#8250df', '#cf222e', '#0a7ea4', '#6e7781'];

/**
 * An x range that shows every bar whole: x values are bin starts and bars are drawn to the right of
 * them, so the axis ends one bin after the last start. `fallbackStep` is the bin width when there is one bin.
 */
export function barXRange(fallbackStep: number): uPlot.Range.Function {
  return (u, min, max) => {
    const x = u.data[0] as number[];
    if (!x || x.length === 0) return [min, max];
    const step = x.length > 1 ? x[1]! - x[0]! : fallbackStep;
    return [x[0]!, x[x.length - 1]! + step];
  };
}
