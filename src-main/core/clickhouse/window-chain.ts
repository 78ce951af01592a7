/**
 * Correlation chains of a ClickHouse window through the app's own `collectChain`, fed by a ChainSource
 * adapter over the correlation IDs column. `collectChain` is synchronous and ClickHouse is not, so the
 * adapter answers from what it has fetched and notes what it lacked; each round fetches those (one
 * query per correlation ID or device join lookup) and runs the linker again, until it asked for nothing
 * new. Each round follows at least one more hop, so a chain of n hops takes about n rounds.
 */
import {
  analyzeChain,
  collectChain,
  deviceKey,
  MAX_MEMBERS,
  type Chain,
  type ChainSource,
} from '../../shared/correlation/chain.js';
import type { EventSummary } from '../../shared/domain/summary.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { RowStore } from './row-store.js';
import { sqlString } from './target.js';
import type { ClickHouseWindow, KeyRow } from './window.js';

const MAX_ROUNDS = 25;

/** Answers the linker from what ClickHouse returned so far, and remembers what it still has to ask. */
export class ClickHouseChainSource implements ChainSource {
  readonly #byCorr = new Map<string, EventSummary[]>();
  readonly #joins = new Map<string, EventSummary[]>();
  wantCorr = new Set<string>();
  wantJoins = new Map<string, { key: string; fromMs: number; toMs: number }>();

  constructor(private readonly rows: RowStore) {}

  get(id: number): EventSummary | undefined {
    return this.rows.get(id)?.summary;
  }

  withCorrelationId(corrId: string, limit: number): readonly EventSummary[] {
    const got = this.#byCorr.get(corrId);
    if (!got) this.wantCorr.add(corrId);
    return (got ?? []).slice(0, limit);
  }

  joinEvents(key: string, fromMs: number, toMs: number): Iterable<EventSummary> {
    const k = `${key}|${fromMs}|${toMs}`;
    const got = this.#joins.get(k);
    if (!got) this.wantJoins.set(k, { key, fromMs, toMs });
    return got ?? [];
  }

  /** Whether the last run of the linker asked for anything it did not have. */
  get wanting(): boolean {
    return this.wantCorr.size > 0 || this.wantJoins.size > 0;
  }

  /** Fetch what the last run asked for from the window's rows (within its time range, not its filter). */
  async fill(w: ClickHouseWindow): Promise<void> {
    for (const c of this.wantCorr) {
      const keys = await w.json<KeyRow>(
        `SELECT toUInt32(time) AS t, nanos, key FROM ${w.db}.events WHERE ${w.window()} AND has(correlation_ids, ${sqlString(c)})
         ORDER BY time, nanos, key LIMIT ${4 * (MAX_MEMBERS + 1)}`,
      );
      this.#byCorr.set(c, (await w.materialize(keys, false)).map((r) => r.summary).slice(0, MAX_MEMBERS + 1));
    }
    for (const [k, want] of this.wantJoins) {
      const [application, device] = splitDeviceKey(want.key);
      const keys = await w.json<KeyRow>(
        `SELECT toUInt32(time) AS t, nanos, key FROM ${w.db}.events
         WHERE ${w.window()} AND time >= toDateTime(${Math.floor(want.fromMs / 1000)}, 'UTC') AND time <= toDateTime(${Math.ceil(want.toMs / 1000)}, 'UTC')
           AND entity_kind = 'device' AND entity = ${sqlString(device)} AND application = ${sqlString(application)}
           AND (name LIKE 'ns.up.join.%' OR name LIKE 'js.join.%')
         ORDER BY time, nanos, key LIMIT 1000`,
      );
      const rows = (await w.materialize(keys, false)).map((r) => r.summary);
      this.#joins.set(
        k,
        rows.filter((s) => deviceKey(s) === want.key && s.ms >= want.fromMs && s.ms <= want.toMs),
      );
    }
    this.wantCorr = new Set();
    this.wantJoins = new Map();
  }
}

/** The chain of a row the window has shown (a page, a detail or another chain reached it). */
export async function windowChain(w: ClickHouseWindow, id: number): Promise<Result<Chain>> {
  // A row let go since it was shown is read again (same id): the chain starts from it.
  if (!(await w.rowsOf([id])).length) return err('not-found', `Event ${id} is not in this window.`);
  const source = new ClickHouseChainSource(w.rows);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const result = collectChain(id, source);
    if (!source.wanting) return ok(analyzeChain(result.events, result.truncated, result.unlinked));
    await source.fill(w);
  }
  return err('internal', `The chain kept growing past ${MAX_ROUNDS} lookups: it is cut here.`);
}

/**
 * How far past the window's edges a backfill looks: a chain's members are seconds apart (a downlink
 * waits for its RX window, a webhook retries for minutes), and the table is ordered by time, so an hour
 * either side finds them without reading weeks of the recording.
 */
export const BACKFILL_REACH_MS = 3_600_000;

/**
 * The chain of a window's event. A backfill (what a capture asks the server's event store for) looks the
 * chain's correlation IDs up in the whole recording around the window instead: its rows outside the window's
 * time join the window's rows (same ids), and every event of that chain is remembered in `backfilled` so
 * its chain keeps them when it is opened again.
 */
export async function liveChain(
  backfilled: Set<number>,
  w: ClickHouseWindow,
  id: number,
  backfill: boolean,
): Promise<Result<Chain>> {
  const wide = backfill || backfilled.has(id);
  const chain = await (wide ? w.widened(BACKFILL_REACH_MS) : w).chain(id);
  if (wide && chain.ok) for (const s of chain.value.steps) backfilled.add(s.event.id);
  return chain;
}

function splitDeviceKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}
