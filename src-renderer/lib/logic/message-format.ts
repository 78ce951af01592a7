/** Text for the messages view: path steps with latencies, outcomes, signal grades. */
import type { MessageRow, PathStep } from '../../../src-main/shared/health/messages';
import {
  gradeRssi,
  gradeSf,
  gradeSnr,
  spreadingFactor,
  type Grade,
  type Thresholds,
} from '../../../src-main/shared/health/thresholds';

/**
 * `12 ms`, `1.4 s`, `0.3 ms`: a step's latency as a person reads it. The message's first event is `0 ms`
 * (not `0.0 ms` above `2 ms` and `8 ms`), and no value reads as a thousand of a unit (`1.0 s`, not `1000 ms`).
 */
export function latency(ms: number): string {
  if (ms === 0) return '0 ms';
  if (ms < 0.95) return `${ms.toFixed(1)} ms`;
  if (ms < 999.5) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** `GS → NS +5 ms → AS +255 ms`. */
export function pathText(path: readonly PathStep[]): string {
  return path.map((p, i) => (i === 0 ? p.label : `${p.label} +${latency(p.deltaMs)}`)).join(' → ');
}

/** The path cell: the path, then how it came (Packet Broker) or that it never came over the air. */
export function messagePathText(m: Pick<MessageRow, 'path' | 'packetBroker' | 'simulated'>): string {
  return `${pathText(m.path)}${m.packetBroker ? ' · via Packet Broker' : ''}${m.simulated ? ' · simulated in the Console, not radio traffic' : ''}`;
}

export const OUTCOME_TEXT: Record<MessageRow['outcome'], string> = {
  delivered: 'delivered to the application',
  forwarded: 'forwarded to the application server',
  sent: 'sent by a gateway',
  accepted: 'join accepted',
  deduplicated: 'deduplicated (a copy of a message already handled)',
  dropped: 'dropped',
  failed: 'failed',
  pending: 'not complete (yet)',
};

export const DIRECTION_TEXT = { up: '↑', down: '↓', join: '⇄' } as const;

export function signalGrades(
  m: Pick<MessageRow, 'rssi' | 'snr' | 'dataRate'>,
  t: Thresholds,
): { rssi?: Grade; snr?: Grade; sf?: Grade } {
  const out: { rssi?: Grade; snr?: Grade; sf?: Grade } = {};
  if (m.rssi !== undefined) out.rssi = gradeRssi(m.rssi, t);
  if (m.snr !== undefined) out.snr = gradeSnr(m.snr, t);
  const sf = spreadingFactor(m.dataRate);
  if (sf !== undefined) out.sf = gradeSf(sf, t);
  return out;
}
