/**
 * How a workspace's ClickHouse recording reads in the bar: a short label, a tone for its colour, and
 * the longer words for its tooltip. Pure, so it is unit-tested.
 */
import type { RecordingView } from '../../../src-main/shared/domain/recording';

export interface RecordingBadge {
  label: string;
  tone: 'off' | 'ok' | 'busy' | 'trouble';
  detail: string;
}

const n = (x: number) => x.toLocaleString('en');

/** "1,234 behind (12 s)", or "" when nothing is waiting. */
export function lagText(v: RecordingView): string {
  if (v.lag.events === 0) return '';
  return `${n(v.lag.events)} behind${v.lag.seconds >= 1 ? ` (${n(v.lag.seconds)} s)` : ''}`;
}

export function describeRecording(v: RecordingView | undefined): RecordingBadge {
  if (!v || !v.enabled || v.phase === 'off') {
    return {
      label: 'ClickHouse: off',
      tone: 'off',
      detail: v?.target
        ? `Not recording to ${v.target.url}/${v.target.database}. Click to turn it on.`
        : 'Click to also record this workspace to a ClickHouse server, for your team.',
    };
  }
  const where = v.target ? `${v.target.url}/${v.target.database}` : 'ClickHouse';
  const lag = lagText(v);
  const lost = v.lost ? ` ${n(v.lost)} lines were removed by retention before they were sent.` : '';
  switch (v.phase) {
    case 'starting':
      return { label: 'ClickHouse: connecting…', tone: 'busy', detail: `Connecting to ${where}.` };
    case 'caught-up':
      return {
        label: 'ClickHouse: recording',
        tone: v.lost ? 'trouble' : 'ok',
        detail: `Every captured event is in ${where} (${n(v.sent)} rows sent this session).${lost}`,
      };
    case 'sending':
      return {
        label: `ClickHouse: ${lag || 'sending'}`,
        tone: v.lost ? 'trouble' : 'busy',
        detail: `Catching up with ${where}: ${lag || 'sending'}.${lost}`,
      };
    case 'retrying':
      return {
        label: `ClickHouse: retrying${lag ? ` · ${lag}` : ''}`,
        tone: 'trouble',
        detail: `${v.lastError?.message ?? `${where} is not accepting rows.`} ${v.lastError?.hint ?? ''}${lost}`.trim(),
      };
  }
}
