/** The overview as uPlot's aligned data: bin start times, events per bin, errors per bin. */
import type { AlignedData } from 'uplot';
import type { Overview, OverviewMark } from '../../../src-main/shared/health/overview';

export function overviewSeries(o: Overview | undefined): AlignedData {
  if (!o || o.events.length === 0) return [[], [], []];
  const x = o.events.map((_, i) => o.startMs + i * o.binMs);
  return [x, o.events, o.errors.map((n) => (n > 0 ? n : null))];
}

export function markColor(kind: OverviewMark['kind']): string {
  switch (kind) {
    case 'gap':
      return 'rgba(207,34,46,0.22)';
    case 'reconnect':
      return 'rgba(154,103,0,0.7)';
    default:
      return 'rgba(101,109,118,0.5)';
  }
}
