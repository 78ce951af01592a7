/**
 * Reading a team's recording back: open a time window and a filter on ClickHouse, page through the rows
 * in event-time order, follow correlation chains, see the window's status entries (gaps, reconnects).
 *
 * Rows become the same `EventSummary` the live list uses (`summarizeEvent` over the stored raw JSON), so
 * the filter's own predicate runs on each of them after the SQL part (query-sql.ts) has narrowed the
 * scan: a window read from ClickHouse shows what the capture it came from would show.
 *
 * Pages use keyset paging on the table's sorting key (time, nanos, key), in two steps: first the keys of
 * the next rows (cheap columns only; 18.16 cannot read in key order, so it sorts what matches), then the
 * raw JSON of just those rows. Equal keys that are waiting for a merge are adjacent in that order and are
 * shown once, so no reader ever sees a duplicate, with or without `FINAL`.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import {
  analyzeChain,
  collectChain,
  deviceKey,
  MAX_MEMBERS,
  type Chain,
  type ChainSource,
} from '../../shared/correlation/chain.js';
import { summarizeEvent, type EventSummary } from '../../shared/domain/summary.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { TtsEvent } from '../../shared/tts/types.js';
import { STATUS_KEY, type StatusEntry } from '../capture/capture-file.js';
import { statusSummary } from '../capture/status-summary.js';
import { compileToSql, usesOrigins, type SqlOrigins } from './query-sql.js';
import { hostOf } from '../../shared/query/origin.js';
import type { Predicate, StreamOrigin } from '../../shared/query/query.js';
import { openClient, sqlString, type ClickHouseTarget } from './target.js';

export interface WindowSpec {
  /** Epoch milliseconds, both ends included. */
  fromMs: number;
  toMs: number;
  /** The filter bar's query; empty for everything. */
  filter: string;
}

/** Where the next page starts: after this sorting key. */
export interface Cursor {
  time: number;
  nanos: number;
  key: string;
}

export interface SourceRow {
  summary: EventSummary;
  /** The event exactly as the server sent it. */
  raw: string;
  key: string;
  /** The `server` column: the base URL of the server that delivered it. */
  server: string;
}

export interface Page {
  rows: SourceRow[];
  /** Absent at the end of the window. */
  next?: Cursor;
}

interface KeyRow {
  t: number;
  nanos: number;
  key: string;
}

const SCAN_BATCH = 2000;
/** The first slice of time a page reads; each short slice makes the next four times wider. */
const FIRST_SLICE_SECONDS = 60;

/**
 * What `server:` and `profile:` see for rows a server delivered: its host, and the name of this desk's
 * profile for that host (none: an empty name, which only `profile:*` keeps).
 */
export function originsFromProfiles(
  profiles: () => readonly { name: string; baseUrl: string }[],
): (server: string) => StreamOrigin {
  return (server) => {
    const host = hostOf(server);
    return { server: host, profile: profiles().find((p) => hostOf(p.baseUrl) === host)?.name ?? '' };
  };
}

export class ClickHouseSource {
  readonly client: ClickHouseClient;

  constructor(
    readonly target: ClickHouseTarget,
    client?: ClickHouseClient,
    /** Who delivered rows, for `server:` and `profile:` (default: the host, no profile names). */
    readonly originOf: (server: string) => StreamOrigin = originsFromProfiles(() => []),
  ) {
    this.client = client ?? openClient(target);
  }

  /** A window with its filter; a filter the bar would refuse is refused with the bar's message. */
  open(spec: WindowSpec): Result<ClickHouseWindow> {
    // The servers are asked for when a page first needs them (`#where`); the second pass needs only `originOf`.
    const q = compileToSql(spec.filter, { originOf: this.originOf });
    if (!q.ok) return err('invalid-input', q.error.message);
    return ok(new ClickHouseWindow(this.client, this.target.database, spec, q.where, q.testFor, this.originOf));
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

export class ClickHouseWindow {
  #nextId = 1;
  #byId = new Map<number, SourceRow>();
  #byKey = new Map<string, SourceRow>();

  #prepared: Promise<string> | undefined;

  constructor(
    private readonly client: ClickHouseClient,
    private readonly db: string,
    readonly spec: WindowSpec,
    /** The SQL part of the filter (a superset; `testFor` decides), before the window's servers are known. */
    readonly where: string,
    private readonly testFor: (server: string) => Predicate,
    private readonly originOf: (server: string) => StreamOrigin,
  ) {}

  /** The filter's SQL; with `server:`/`profile:` terms, once the window's servers are known (one cheap query). */
  #where(): Promise<string> {
    this.#prepared ??= (async () => {
      if (!usesOrigins(this.spec.filter)) return this.where;
      const servers = (
        await this.#json<{ server: string }>(`SELECT DISTINCT server FROM ${this.db}.events WHERE ${this.#window()}`)
      ).map((r) => r.server);
      const origins: SqlOrigins = { servers, originOf: this.originOf };
      const q = compileToSql(this.spec.filter, origins);
      return q.ok ? q.where : this.where;
    })();
    return this.#prepared;
  }

  #window(): string {
    return `time >= toDateTime(${Math.floor(this.spec.fromMs / 1000)}, 'UTC') AND time <= toDateTime(${Math.floor(this.spec.toMs / 1000)}, 'UTC')`;
  }

  async #json<T>(query: string): Promise<T[]> {
    const rs = await this.client.query({ query, format: 'JSONEachRow' });
    return rs.json<T>();
  }

  /** A row seen before keeps its id, so a chain or a detail pane can ask for it again. */
  #row(key: string, stream: string, raw: string, server: string): SourceRow | undefined {
    const known = this.#byKey.get(key);
    if (known) return known;
    let event: TtsEvent;
    try {
      event = JSON.parse(raw) as TtsEvent;
    } catch {
      return undefined;
    }
    const row: SourceRow = { summary: summarizeEvent(event, this.#nextId++, stream), raw, key, server };
    this.#byId.set(row.summary.id, row);
    this.#byKey.set(key, row);
    return row;
  }

  get(id: number): SourceRow | undefined {
    return this.#byId.get(id);
  }

  /** Raw rows for these keys (one query, bounded by their time range so the primary key is used). */
  async #fetch(keys: KeyRow[]): Promise<Map<string, { stream: string; raw: string; server: string }>> {
    const out = new Map<string, { stream: string; raw: string; server: string }>();
    const missing = keys.filter((k) => !this.#byKey.has(k.key));
    for (const k of keys) {
      const known = this.#byKey.get(k.key);
      if (known) out.set(k.key, { stream: known.summary.streamId, raw: known.raw, server: known.server });
    }
    if (missing.length === 0) return out;
    // The exact seconds let the primary key skip every granule without one of these rows; PREWHERE reads
    // `key` first, so the large `raw` column is read only where a wanted key is.
    const seconds = [...new Set(missing.map((k) => k.t))].map((t) => `toDateTime(${t}, 'UTC')`);
    const rows = await this.#json<{ key: string; stream: string; raw: string; server: string }>(
      `SELECT key, any(stream) AS stream, any(server) AS server, any(raw) AS raw FROM ${this.db}.events
       PREWHERE key IN (${missing.map((k) => sqlString(k.key)).join(', ')})
       WHERE time IN (${seconds.join(', ')})
       GROUP BY key`,
    );
    for (const r of rows) out.set(r.key, { stream: r.stream, raw: r.raw, server: r.server });
    return out;
  }

  /** Summaries of these sorted keys that pass the window and the filter, duplicates dropped. */
  async #materialize(keys: KeyRow[], filter: boolean): Promise<SourceRow[]> {
    const raw = await this.#fetch(keys);
    const rows: SourceRow[] = [];
    let last = '';
    for (const k of keys) {
      if (k.key === last) continue;
      last = k.key;
      const r = raw.get(k.key);
      const row = r && this.#row(k.key, r.stream, r.raw, r.server);
      if (!row) continue;
      const ms = row.summary.ms;
      if (ms < this.spec.fromMs || ms > this.spec.toMs) continue;
      if (filter && !this.testFor(row.server)(row.summary)) continue;
      rows.push(row);
    }
    return rows;
  }

  /**
   * Up to `limit` rows after `cursor` (from the start without one), oldest first. 18.16 cannot stop a
   * sorted read early, so the window is read in slices of time that grow while they come back short (by
   * the density of what they held), and an empty slice jumps to the next candidate: a first page costs
   * about what it shows, not the whole window.
   */
  async page(cursor: Cursor | undefined, limit: number): Promise<Page> {
    const rows: SourceRow[] = [];
    const where = await this.#where();
    const batch = Math.max(limit, SCAN_BATCH);
    const endSec = Math.floor(this.spec.toMs / 1000);
    let after = cursor;
    let lo = cursor ? cursor.time : Math.floor(this.spec.fromMs / 1000);
    let span = FIRST_SLICE_SECONDS;
    // Candidates of sparse slices are gathered and their raw JSON fetched in one query, not one per slice.
    let pending: KeyRow[] = [];
    for (;;) {
      const hi = Math.min(endSec, lo + span);
      const keys = await this.#json<KeyRow>(
        `SELECT toUInt32(time) AS t, nanos, key FROM ${this.db}.events
         WHERE time >= toDateTime(${lo}, 'UTC') AND time <= toDateTime(${hi}, 'UTC') AND (${where})${after ? ` AND ${afterKey(after)}` : ''}
         ORDER BY time, nanos, key LIMIT ${batch}`,
      );
      pending.push(...keys);
      const lastKey = keys[keys.length - 1];
      const full = keys.length === batch && lastKey !== undefined;
      if (full || hi >= endSec || pending.length >= limit - rows.length) {
        // Raw JSON only for as many keys as the page may still need: the whole batch only when the
        // filter's SQL part is a loose superset and most candidates fail the second pass.
        for (let i = 0; i < pending.length && rows.length < limit;) {
          const chunk = pending.slice(i, i + Math.max(limit - rows.length, 50));
          i += chunk.length;
          for (const row of await this.#materialize(chunk, true)) {
            // Equal keys straddling a chunk: shown once.
            if (rows.length < limit && rows[rows.length - 1]?.key !== row.key) rows.push(row);
          }
        }
        if (rows.length >= limit) {
          const end = rows[rows.length - 1]!;
          const k = pending.find((x) => x.key === end.key)!;
          return { rows, next: { time: k.t, nanos: k.nanos, key: k.key } };
        }
        pending = [];
      }
      if (full) {
        // More in this slice. Equal keys straddling the boundary: the cursor is past the key, so the rest are skipped.
        after = { time: lastKey.t, nanos: lastKey.nanos, key: lastKey.key };
        continue;
      }
      if (hi >= endSec) return { rows };
      after = undefined;
      if (keys.length === 0) {
        // Nothing in this slice: one query finds where the next candidate is (or that there is none) and how
        // many remain, rather than widening slice after slice over a stretch the filter keeps nothing of
        // (`time>=` past the window's start, a quiet device).
        const [next] = await this.#json<{ c: string; t: number }>(
          `SELECT count() AS c, toUInt32(min(time)) AS t FROM ${this.db}.events
           WHERE time > toDateTime(${hi}, 'UTC') AND time <= toDateTime(${endSec}, 'UTC') AND (${where})`,
        );
        if (!next || Number(next.c) === 0) {
          // The end of the window: what was gathered is fewer than the page still needs, so all of it is shown.
          for (const row of await this.#materialize(pending, true))
            if (rows[rows.length - 1]?.key !== row.key) rows.push(row);
          return { rows };
        }
        // The next slice starts at that candidate and, if they were spread evenly, holds twice what the page needs.
        const c = Number(next.c);
        const need = Math.max(1, limit - rows.length - pending.length);
        lo = next.t;
        span = Math.max(FIRST_SLICE_SECONDS, Math.ceil((endSec - lo) * Math.min(1, (2 * need) / c)));
        continue;
      }
      // This slice is done: the next one starts after it, and is wider, by as much as the candidates it held
      // say the rest of the page needs (at least fourfold, at most 64-fold).
      lo = hi + 1;
      span *= Math.min(64, Math.max(4, Math.ceil((2 * (limit - rows.length)) / keys.length)));
    }
  }

  /** How many events of the window pass the filter (reads every candidate row: for tests and small windows). */
  async count(): Promise<number> {
    let n = 0;
    let cursor: Cursor | undefined;
    do {
      const p = await this.page(cursor, 5000);
      n += p.rows.length;
      cursor = p.next;
    } while (cursor);
    return n;
  }

  /** The window's status entries as recorded (stream starts, reconnects, gaps with their window, stops), oldest first. */
  async statusEntries(): Promise<{ entry: StatusEntry; stream: string; ms: number }[]> {
    const rows = await this.#json<{ stream: string; raw: string }>(
      `SELECT stream, raw FROM ${this.db}.status FINAL WHERE ${this.#window()} ORDER BY time, nanos, key`,
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
   * pull` writes these to a file; the app opens them as a read-only workspace.
   */
  async *lines(pageSize = 1000): AsyncGenerator<{ line: string; event: boolean }> {
    const statuses = this.spec.filter ? [] : await this.statusEntries();
    const status = (i: number) => ({ line: JSON.stringify({ [STATUS_KEY]: statuses[i]!.entry }), event: false });
    let s = 0;
    let cursor: Cursor | undefined;
    do {
      const page = await this.page(cursor, pageSize);
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
    return (await this.statusEntries()).map((s) => statusSummary(s.entry, this.#nextId++, s.stream));
  }

  /**
   * The correlation chain of a row, from the correlation IDs column: the app's own `collectChain` runs
   * over what ClickHouse answers, asking again for whatever it wanted and did not have yet, until it has
   * everything (each round follows one more hop). Within the window, like a workspace of it.
   */
  async chain(id: number): Promise<Result<Chain>> {
    const start = this.#byId.get(id);
    if (!start) return err('not-found', `Event ${id} is not in this window.`);
    const byCorr = new Map<string, EventSummary[]>();
    const joins = new Map<string, EventSummary[]>();
    for (let round = 0; round < 25; round++) {
      const wantCorr = new Set<string>();
      const wantJoins = new Map<string, { key: string; fromMs: number; toMs: number }>();
      const source: ChainSource = {
        get: (i) => this.#byId.get(i)?.summary,
        withCorrelationId: (c, limit) => {
          const got = byCorr.get(c);
          if (!got) wantCorr.add(c);
          return (got ?? []).slice(0, limit);
        },
        joinEvents: (key, fromMs, toMs) => {
          const k = `${key}|${fromMs}|${toMs}`;
          const got = joins.get(k);
          if (!got) wantJoins.set(k, { key, fromMs, toMs });
          return got ?? [];
        },
      };
      const result = collectChain(id, source);
      if (wantCorr.size === 0 && wantJoins.size === 0)
        return ok(analyzeChain(result.events, result.truncated, result.unlinked));
      for (const c of wantCorr) {
        const keys = await this.#json<KeyRow>(
          `SELECT toUInt32(time) AS t, nanos, key FROM ${this.db}.events WHERE ${this.#window()} AND has(correlation_ids, ${sqlString(c)})
           ORDER BY time, nanos, key LIMIT ${4 * (MAX_MEMBERS + 1)}`,
        );
        byCorr.set(c, (await this.#materialize(keys, false)).map((r) => r.summary).slice(0, MAX_MEMBERS + 1));
      }
      for (const [k, want] of wantJoins) {
        const [application, device] = splitDeviceKey(want.key);
        const keys = await this.#json<KeyRow>(
          `SELECT toUInt32(time) AS t, nanos, key FROM ${this.db}.events
           WHERE ${this.#window()} AND time >= toDateTime(${Math.floor(want.fromMs / 1000)}, 'UTC') AND time <= toDateTime(${Math.ceil(want.toMs / 1000)}, 'UTC')
             AND entity_kind = 'device' AND entity = ${sqlString(device)} AND application = ${sqlString(application)}
             AND (name LIKE 'ns.up.join.%' OR name LIKE 'js.join.%')
           ORDER BY time, nanos, key LIMIT 1000`,
        );
        const rows = (await this.#materialize(keys, false)).map((r) => r.summary);
        joins.set(
          k,
          rows.filter((s) => deviceKey(s) === want.key && s.ms >= want.fromMs && s.ms <= want.toMs),
        );
      }
    }
    return err('internal', 'The chain kept growing past 25 lookups: it is cut here.');
  }
}

function splitDeviceKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}

/** Strictly after a sorting key, written out (row tuples compare on every version, but this reads plainer). */
function afterKey(c: Cursor): string {
  const t = `toDateTime(${c.time}, 'UTC')`;
  return `(time > ${t} OR (time = ${t} AND (nanos > ${c.nanos} OR (nanos = ${c.nanos} AND key > ${sqlString(c.key)}))))`;
}
