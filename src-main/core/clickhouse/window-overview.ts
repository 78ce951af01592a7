/**
 * The overview strip of a ClickHouse window (events and errors over time, gaps and reconnects marked),
 * from SQL aggregates: ClickHouse counts per second (per minute over more than a day), so the app never
 * reads the rows for it. Errors are what the capture's overview calls errors (`isErrorEvent`). When the
 * filter has terms SQL cannot say exactly, the counts are those of its SQL part, and a mark says so.
 */
import { DUPLICATE_ERRORS, overviewOf, type Overview, type OverviewMark } from '../../shared/health/overview.js';
import { sqlString } from './target.js';
import { statusSummary } from '../capture/status-summary.js';
import type { ClickHouseWindow } from './window.js';

/** `isErrorEvent` in SQL (LIKE: 18.16 has no endsWith): an error name, not a duplicate's drop. */
export const ERROR_SQL = `((name LIKE '%.fail' OR name LIKE '%.drop' OR name LIKE '%.reject')
  AND error_name NOT IN (${DUPLICATE_ERRORS.map(sqlString).join(', ')}))`;
const MARK_KINDS: Record<string, OverviewMark['kind']> = {
  gap: 'gap',
  reconnect: 'reconnect',
  retention: 'retention',
  stopped: 'stopped',
  warning: 'warning',
};

export async function windowOverview(w: ClickHouseWindow, bins: number): Promise<Overview> {
  const where = `${w.inWindow()} AND (${await w.sqlWhere()})`;
  const [span] = await w.json<{ lo: number; hi: number; n: string }>(
    `SELECT toUInt32(min(time)) AS lo, toUInt32(max(time)) AS hi, count() AS n FROM ${w.db}.events WHERE ${where}`,
  );
  // Every overview bin wider than a minute is a whole number of minutes, so minute counts bin exactly.
  const step = span && Number(span.n) > 0 && span.hi - span.lo > 86_400 ? 60 : 1;
  const counts =
    span && Number(span.n) > 0
      ? await w.json<{ s: number; n: string; e: string }>(
          `SELECT intDiv(toUInt32(time), ${step}) * ${step} AS s, uniqExact(key) AS n, uniqExactIf(key, ${ERROR_SQL}) AS e
           FROM ${w.db}.events WHERE ${where} GROUP BY s ORDER BY s`,
        )
      : [];
  const marks: OverviewMark[] = [];
  for (const { entry, stream, ms } of await w.statusEntries()) {
    const kind = MARK_KINDS[entry.kind];
    if (!kind) continue;
    const from = kind === 'gap' ? Date.parse(entry.from ?? '') : ms;
    const to = kind === 'gap' ? Date.parse(entry.to ?? '') : ms;
    const both = Number.isFinite(from) && Number.isFinite(to);
    marks.push({
      kind,
      fromMs: both ? from : ms,
      toMs: both ? to : ms,
      text: statusSummary(entry, 0, stream).preview,
      streamId: stream,
    });
  }
  if (!w.exact && counts.length)
    marks.push({
      kind: 'warning',
      fromMs: counts[0]!.s * 1000,
      toMs: counts[0]!.s * 1000,
      text: 'Counted by ClickHouse for the part of the filter SQL can say: events its other terms drop are included.',
    });
  return overviewOf(
    (visit) => {
      for (const c of counts) visit(c.s * 1000, Number(c.n), Number(c.e));
    },
    marks,
    bins,
  );
}
