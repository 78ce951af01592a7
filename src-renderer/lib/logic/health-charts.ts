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

/** The panels' chart axes: x (time or bins) and y, small, in the window's font; `y`/`x` add to them. */
export function chartAxes(y: Partial<uPlot.Axis> = {}, x: Partial<uPlot.Axis> = {}): uPlot.Axis[] {
  return [
    { size: 24, font: '10px system-ui', ...x },
    { size: 34, font: '10px system-ui', ...y },
  ];
}

/**
 * Bars at most `maxWidth` px wide, drawn right of their x (a bin start). One builder for every series
 * given it, made at the first draw.
 */
export function barPaths(maxWidth: number): uPlot.Series.PathBuilder {
  let builder: uPlot.Series.PathBuilder | undefined;
  return (u, i, a, b) => {
    builder ??= uPlot.paths.bars!({ size: [0.9, maxWidth], align: 1 });
    return builder(u, i, a, b);
  };
}

/** A series drawn as filled bars without points. */
export function barSeries(label: string, fill: string, stroke: string, paths: uPlot.Series.PathBuilder): uPlot.Series {
  return { label, fill, stroke, width: 0, points: { show: false }, paths };
}
