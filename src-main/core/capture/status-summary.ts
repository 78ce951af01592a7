import { newSummary, type EventSummary } from '../../shared/domain/summary.js';
import type { StatusEntry } from './capture-file.js';

/** The list row of a status entry: its name is `event-desk.<kind>` so filters can match it. */
export function statusSummary(entry: StatusEntry, id: number, streamId: string): EventSummary {
  const ms = Date.parse(entry.time);
  return newSummary(
    id,
    streamId,
    'status',
    Number.isNaN(ms) ? 0 : ms,
    entry.time,
    `event-desk.${entry.kind}`,
    '',
    '',
    entry.message,
    [],
  );
}
