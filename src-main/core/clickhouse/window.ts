/**
 * One time window of a team's recording, through one filter: pages in event-time order (oldest first,
 * or newest first for a list that starts at the live edge), its status entries, its size.
 *
 * Pages use keyset paging on the table's sorting key (time, nanos, key), in two steps: first the keys of
 * the next rows (cheap columns only; 18.16 cannot read in key order, so it sorts what matches), then the
 * raw JSON of just those rows. A pass over the whole window (a count, an export, the lists, `pull`) needs
 * every candidate's raw JSON, so it reads it with the keys, in one step. Equal keys that are waiting for a
 * merge are adjacent in that order and are shown once, so no reader ever sees a duplicate, with or without
 * `FINAL`.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { EventSummary } from '../../shared/domain/summary.js';
import type { Chain } from '../../shared/correlation/chain.js';
import type { Result } from '../../shared/result.js';
import { STATUS_KEY, type StatusEntry } from '../capture/capture-file.js';
import { statusSummary } from '../capture/status-summary.js';
import type { Predicate, StreamOrigin } from '../../shared/query/query.js';
import { compileToSql, usesOrigins, type SqlOrigins } from './query-sql.js';
import { RowStore, type Cursor, type SourceRow } from './row-store.js';
import { windowChain } from './window-chain.js';
import type { WindowFrames } from './window-frames.js';
import { sqlString } from './target.js';

export interface WindowSpec {
  /** Epoch milliseconds, both ends included. */
  fromMs: number;
  toMs: number;
  /** The filter bar's query; empty for everything. */
  filter: string;
}

export interface Page {
  rows: SourceRow[];
  /** Absent at the end of the window. */
  next?: Cursor;
}

export interface KeyRow {
  t: number;
  nanos: number;
  key: string;
  /** Read with the key by a pass over the whole window (every candidate's raw JSON is needed then). */
  stream?: string;
  server?: string;
  raw?: string;
}

const SCAN_BATCH = 2000;
/** Keys whose raw JSON one query fetches (with their seconds, about 60 kB of query text: well under 256 KiB). */
const FETCH_KEYS = 1000;
/** The first slice of time a page reads; each short slice makes the next four times wider. */
const FIRST_SLICE_SECONDS = 60;

export class ClickHouseWindow {
  #prepared: Promise<string> | undefined;
  /** A pass reads `raw` with the keys; a list's page reads cheap keys first, then `raw` for the rows it shows. */
  #withRaw = false;

  constructor(
    private readonly client: ClickHouseClient,
    readonly db: string,
    readonly spec: WindowSpec,
    /** The SQL part of the filter (a superset; `testFor` decides), before the window's servers are known. */
    readonly where: string,
    private readonly testFor: (server: string) => Predicate,
    private readonly originOf: (server: string) => StreamOrigin,
    /** Shared by every filter of one workspace, so a row keeps its id whichever query reached it. */
    readonly rows: RowStore = new RowStore(),
    /** Whether the SQL says exactly what the filter keeps (then counting is one query). */
    readonly exact = false,
    /** Decides `mic:`/`mac:` terms: candidates' frames are decoded before the filter runs on them. */
    readonly frames?: WindowFrames,
  ) {}

  /** The filter's SQL; with `server:`/`profile:` terms, once the window's servers are known (one cheap query). */
  sqlWhere(): Promise<string> {
    this.#prepared ??= (async () => {
      if (!usesOrigins(this.spec.filter)) return this.where;
      const servers = (
        await this.json<{ server: string }>(`SELECT DISTINCT server FROM ${this.db}.events WHERE ${this.window()}`)
      ).map((r) => r.server);
      const origins: SqlOrigins = { servers, originOf: this.originOf };
      const q = compileToSql(this.spec.filter, origins, this.frames?.source);
      return q.ok ? q.where : this.where;
    })();
    return this.#prepared;
  }

  /**
   * The window's rows as SQL, to the millisecond: rows of its first and last second outside its
   * milliseconds are left out (for aggregates; pages drop them on the rows).
   */
  inWindow(): string {
    const from = Math.floor(this.spec.fromMs / 1000);
    const to = Math.floor(this.spec.toMs / 1000);
    const fromNanos = (this.spec.fromMs - from * 1000) * 1_000_000;
    const toNanos = (this.spec.toMs - to * 1000 + 1) * 1_000_000;
    const before = `time = toDateTime(${from}, 'UTC') AND nanos < ${fromNanos}`;
    const after = `time = toDateTime(${to}, 'UTC') AND nanos >= ${toNanos}`;
    return `${this.window()} AND NOT ((${before}) OR (${after}))`;
  }

  /** The window's time range as SQL, in whole seconds (the primary key's). */
  window(): string {
    return `time >= toDateTime(${Math.floor(this.spec.fromMs / 1000)}, 'UTC') AND time <= toDateTime(${Math.floor(this.spec.toMs / 1000)}, 'UTC')`;
  }

  async json<T>(query: string): Promise<T[]> {
    const rs = await this.client.query({ query, format: 'JSONEachRow' });
    return rs.json<T>();
  }

  get(id: number): SourceRow | undefined {
    return this.rows.get(id);
  }

  /** Rows by id: kept ones as they are, rows let go read again by key (same ids), unknown ids left out. */
  async rowsOf(ids: readonly number[]): Promise<SourceRow[]> {
    const got = new Map<number, SourceRow>();
    const gone: KeyRow[] = [];
    for (const id of ids) {
      const kept = this.rows.get(id);
      const at = kept ? undefined : this.rows.placeOf(id);
      if (kept) got.set(id, kept);
      else if (at) gone.push({ t: at.time, nanos: at.nanos, key: at.key });
    }
    if (gone.length) {
      const raw = await this.#fetch(gone);
      for (const k of gone) {
        const r = raw.get(k.key);
        const row = r && this.rows.row({ time: k.t, nanos: k.nanos, key: k.key }, r.stream, r.raw, r.server);
        // Held here even when more ids are asked for than the store keeps (an export of a big selection).
        if (row) got.set(row.summary.id, row);
      }
    }
    return ids.flatMap((id) => got.get(id) ?? []);
  }

  /** Raw rows for these keys (a query per thousand, bounded by their seconds so the primary key is used). */
  async #fetch(keys: KeyRow[]): Promise<Map<string, { stream: string; raw: string; server: string }>> {
    const out = new Map<string, { stream: string; raw: string; server: string }>();
    const missing = keys.filter((k) => !this.rows.byKey(k.key) && k.raw === undefined);
    for (const k of keys) {
      const known = this.rows.byKey(k.key);
      if (known) out.set(k.key, { stream: known.summary.streamId, raw: known.raw, server: known.server });
      else if (k.raw !== undefined) out.set(k.key, { stream: k.stream!, raw: k.raw, server: k.server! });
    }
    // In chunks: ClickHouse refuses a query text over 256 KiB (max_query_size), which a count's or an
    // export's page of 5,000 keys and their seconds exceeded.
    for (let i = 0; i < missing.length; i += FETCH_KEYS) {
      const chunk = missing.slice(i, i + FETCH_KEYS);
      // The exact seconds let the primary key skip every granule without one of these rows; PREWHERE reads
      // `key` first, so the large `raw` column is read only where a wanted key is.
      const seconds = [...new Set(chunk.map((k) => k.t))].map((t) => `toDateTime(${t}, 'UTC')`);
      const rows = await this.json<{ key: string; stream: string; raw: string; server: string }>(
        `SELECT key, any(stream) AS stream, any(server) AS server, any(raw) AS raw FROM ${this.db}.events
         PREWHERE key IN (${chunk.map((k) => sqlString(k.key)).join(', ')})
         WHERE time IN (${seconds.join(', ')})
         GROUP BY key`,
      );
      for (const r of rows) out.set(r.key, { stream: r.stream, raw: r.raw, server: r.server });
    }
    return out;
  }

  /** Summaries of these sorted keys that pass the window (and the filter, when asked), duplicates dropped. */
  async materialize(keys: KeyRow[], filter: boolean): Promise<SourceRow[]> {
    const raw = await this.#fetch(keys);
    const rows: SourceRow[] = [];
    let last = '';
    for (const k of keys) {
      if (k.key === last) continue;
      last = k.key;
      const r = raw.get(k.key);
      const row = r && this.rows.row({ time: k.t, nanos: k.nanos, key: k.key }, r.stream, r.raw, r.server);
      if (!row) continue;
      const ms = row.summary.ms;
      if (ms < this.spec.fromMs || ms > this.spec.toMs) continue;
      rows.push(row);
    }
    if (!filter) return rows;
    if (this.frames) {
      await this.frames.ensure(rows);
      this.frames.use(rows);
    }
    return rows.filter((row) => this.testFor(row.server)(row.summary));
  }

  /** Up to `limit` rows after `cursor` (from the start without one), oldest first. */
  page(cursor: Cursor | undefined, limit: number): Promise<Page> {
    return this.#scan(cursor, limit, false);
  }

  /** Up to `limit` rows before `cursor` (from the end without one), newest first: a list that starts at the end. */
  pageBack(cursor: Cursor | undefined, limit: number): Promise<Page> {
    return this.#scan(cursor, limit, true);
  }

  /**
   * 18.16 cannot stop a sorted read early, so the window is read in slices of time that grow while they
   * come back short (by the density of what they held), and an empty slice jumps to the next candidate:
   * a page costs about what it shows, not the whole window. Going back, the slices run from the end.
   */
  async #scan(cursor: Cursor | undefined, limit: number, back: boolean): Promise<Page> {
    const rows: SourceRow[] = [];
    const where = await this.sqlWhere();
    const batch = Math.max(limit, SCAN_BATCH);
    const startSec = Math.floor(this.spec.fromMs / 1000);
    const endSec = Math.floor(this.spec.toMs / 1000);
    const order = back ? 'time DESC, nanos DESC, key DESC' : 'time, nanos, key';
    let after = cursor;
    // The slice's edge nearest to where reading started.
    let edge = cursor ? cursor.time : back ? endSec : startSec;
    let span = FIRST_SLICE_SECONDS;
    // Candidates of sparse slices are gathered and their raw JSON fetched in one query, not one per slice.
    let pending: KeyRow[] = [];
    for (;;) {
      const lo = back ? Math.max(startSec, edge - span) : edge;
      const hi = back ? edge : Math.min(endSec, edge + span);
      const last = back ? lo <= startSec : hi >= endSec;
      const keys = await this.json<KeyRow>(
        `SELECT toUInt32(time) AS t, nanos, key${this.#withRaw ? ', stream, server, raw' : ''} FROM ${this.db}.events
         WHERE time >= toDateTime(${lo}, 'UTC') AND time <= toDateTime(${hi}, 'UTC') AND (${where})${after ? ` AND ${beyond(after, back)}` : ''}
         ORDER BY ${order} LIMIT ${batch}`,
      );
      pending.push(...keys);
      const lastKey = keys[keys.length - 1];
      const full = keys.length === batch && lastKey !== undefined;
      if (full || last || pending.length >= limit - rows.length) {
        // Raw JSON only for as many keys as the page may still need: the whole batch only when the
        // filter's SQL part is a loose superset and most candidates fail the second pass.
        for (let i = 0; i < pending.length && rows.length < limit;) {
          const chunk = pending.slice(i, i + Math.max(limit - rows.length, 50));
          i += chunk.length;
          for (const row of await this.materialize(chunk, true)) {
            // Equal keys straddling a chunk: shown once.
            if (rows.length < limit && rows[rows.length - 1]?.key !== row.key) rows.push(row);
          }
        }
        if (rows.length >= limit) return { rows, next: rows[rows.length - 1]!.at };
        pending = [];
      }
      if (full) {
        // More in this slice. Equal keys straddling the boundary: the cursor is past the key, so the rest are skipped.
        after = { time: lastKey.t, nanos: lastKey.nanos, key: lastKey.key };
        continue;
      }
      if (last) return { rows };
      after = undefined;
      if (keys.length === 0) {
        // Nothing in this slice: one query finds where the next candidate is (or that there is none) and how
        // many remain, rather than widening slice after slice over a stretch the filter keeps nothing of
        // (`time>=` past the window's start, a quiet device).
        const rest = back
          ? `time < toDateTime(${lo}, 'UTC') AND time >= toDateTime(${startSec}, 'UTC')`
          : `time > toDateTime(${hi}, 'UTC') AND time <= toDateTime(${endSec}, 'UTC')`;
        // (Aliases no filter's lambda uses: `c` and `g` are taken.)
        const [next] = await this.json<{ n_left: string; t: number }>(
          `SELECT count() AS n_left, toUInt32(${back ? 'max' : 'min'}(time)) AS t FROM ${this.db}.events WHERE ${rest} AND (${where})`,
        );
        if (!next || Number(next.n_left) === 0) {
          // The end of the window: what was gathered is fewer than the page still needs, so all of it is shown.
          for (const row of await this.materialize(pending, true))
            if (rows[rows.length - 1]?.key !== row.key) rows.push(row);
          return { rows };
        }
        // The next slice starts at that candidate and, if they were spread evenly, holds twice what the page needs.
        const c = Number(next.n_left);
        const need = Math.max(1, limit - rows.length - pending.length);
        edge = next.t;
        const remaining = back ? edge - startSec : endSec - edge;
        span = Math.max(FIRST_SLICE_SECONDS, Math.ceil(remaining * Math.min(1, (2 * need) / c)));
        continue;
      }
      // This slice is done: the next one starts after it, and is wider, by as much as the candidates it held
      // say the rest of the page needs (at least fourfold, at most 64-fold).
      edge = back ? lo - 1 : hi + 1;
      span *= Math.min(64, Math.max(4, Math.ceil((2 * (limit - rows.length)) / keys.length)));
    }
  }

  /**
   * How many events of the window pass the filter. When the SQL says it exactly, one query; otherwise
   * every candidate is read, and `progress` hears the running count (a lower bound) after each page.
   */
  async count(progress?: (soFar: number) => void): Promise<number> {
    if (this.exact) {
      const [r] = await this.json<{ n_rows: string }>(
        `SELECT uniqExact(key) AS n_rows FROM ${this.db}.events WHERE ${this.inWindow()} AND (${await this.sqlWhere()})`,
      );
      return Number(r?.n_rows ?? 0);
    }
    let n = 0;
    let cursor: Cursor | undefined;
    const pass = this.pass();
    do {
      const p = await pass.page(cursor, 5000);
      n += p.rows.length;
      progress?.(n);
      cursor = p.next;
    } while (cursor);
    return n;
  }

  /**
   * The same window for one pass over all of it: its rows are not kept (a million of them would be a
   * gigabyte), and their raw JSON comes with their keys.
   */
  pass(): ClickHouseWindow {
    const w = this.#passOf(this.spec, this.where, this.testFor, this.exact, this.frames);
    w.#prepared = this.#prepared;
    return w;
  }

  /**
   * A pass over the window's events that `where` (SQL) keeps, whatever the window's filter: one device's or
   * gateway's panel reads only the rows it is built from.
   */
  scoped(where: string): ClickHouseWindow {
    return this.#passOf({ ...this.spec, filter: '' }, where, () => () => true, true);
  }

  #passOf(
    spec: WindowSpec,
    where: string,
    testFor: ClickHouseWindow['testFor'],
    exact: boolean,
    frames?: WindowFrames,
  ) {
    const store = new RowStore(this.rows.firstId, false);
    const w = new ClickHouseWindow(this.client, this.db, spec, where, testFor, this.originOf, store, exact, frames);
    // Every candidate's raw JSON is needed: read with its key, one query a page instead of two.
    w.#withRaw = true;
    return w;
  }

  /** The same rows (same ids) over a wider time and no filter, for chains that reach past the window (a backfill). */
  widened(ms: number): ClickHouseWindow {
    const spec = { fromMs: this.spec.fromMs - ms, toMs: this.spec.toMs + ms, filter: '' };
    return new ClickHouseWindow(this.client, this.db, spec, '1', () => () => true, this.originOf, this.rows, true);
  }

  /** The window's status entries as recorded (stream starts, reconnects, gaps with their window, stops), oldest first. */
  async statusEntries(): Promise<{ entry: StatusEntry; stream: string; ms: number }[]> {
    const rows = await this.json<{ stream: string; raw: string }>(
      `SELECT stream, raw FROM ${this.db}.status FINAL WHERE ${this.window()} ORDER BY time, nanos, key`,
    );
    const out: { entry: StatusEntry; stream: string; ms: number }[] = [];
    for (const r of rows) {
      const entry = (JSON.parse(r.raw) as Record<string, StatusEntry>)[STATUS_KEY];
      const ms = entry ? Date.parse(entry.time) : NaN;
      if (entry && ms >= this.spec.fromMs && ms <= this.spec.toMs) out.push({ entry, stream: r.stream, ms });
    }
    return out;
  }

  /**
   * The window as capture lines, oldest first: each event exactly as the server sent it, and (without a
   * filter) the window's status entries in among them by time, as a capture holds them. `event-desk
   * pull` writes these to a file.
   */
  async *lines(pageSize = 1000): AsyncGenerator<{ line: string; event: boolean }> {
    const statuses = this.spec.filter ? [] : await this.statusEntries();
    const status = (i: number) => ({ line: JSON.stringify({ [STATUS_KEY]: statuses[i]!.entry }), event: false });
    let s = 0;
    let cursor: Cursor | undefined;
    const pass = this.pass();
    do {
      const page = await pass.page(cursor, pageSize);
      for (const row of page.rows) {
        while (s < statuses.length && statuses[s]!.ms <= row.summary.ms) yield status(s++);
        yield { line: row.raw, event: true };
      }
      cursor = page.next;
    } while (cursor);
    while (s < statuses.length) yield status(s++);
  }

  /** The same, as list rows. */
  async statuses(): Promise<EventSummary[]> {
    return (await this.statusEntries()).map((s) =>
      statusSummary(s.entry, this.rows.nextId(), this.rows.streamOf(s.stream)),
    );
  }

  /** The correlation chain of a row, from the correlation IDs column, within the window (not its filter). */
  chain(id: number): Promise<Result<Chain>> {
    return windowChain(this, id);
  }
}

/** Strictly after (before, going back) a sorting key, written out (row tuples compare on every version, but this reads plainer). */
function beyond(c: Cursor, back: boolean): string {
  const t = `toDateTime(${c.time}, 'UTC')`;
  const cmp = back ? '<' : '>';
  return `(time ${cmp} ${t} OR (time = ${t} AND (nanos ${cmp} ${c.nanos} OR (nanos = ${c.nanos} AND key ${cmp} ${sqlString(c.key)}))))`;
}
