/**
 * The two tables, created on first use, and retention.
 *
 * `events` is a ReplacingMergeTree ordered by (time, nanos, key): a resumed or repeated insert of the
 * same event (same `unique_id`, so the same time) has the same sorting key and collapses into one row
 * when parts merge (or at once with `FINAL`). Readers also drop adjacent equal keys, so they never show a
 * duplicate that is waiting for a merge.
 *
 * Retention ("TTL"): 18.16 has no `TTL` clause (it arrived in 19.6), so tables are partitioned by day and
 * the sink drops partitions older than the retention, on start and hourly. That works the same on every
 * version. On a cluster (Distributed tables, see the README) Event Desk creates nothing and drops
 * nothing: the operator's tables and their TTL own that.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { sqlString } from './target.js';

export const DEFAULT_RETENTION_DAYS = 30;

const EVENTS_COLUMNS = `
  time DateTime('UTC'),
  nanos UInt32,
  key String,
  unique_id String,
  name String,
  entity_kind String,
  entity String,
  application String,
  device String,
  dev_eui String,
  dev_addr String,
  gateway_ids Array(String),
  direction String,
  f_port Nullable(UInt32),
  f_cnt Nullable(UInt32),
  rssi Nullable(Float64),
  snr Nullable(Float64),
  gateways Nullable(UInt32),
  error_name String,
  preview String,
  correlation_ids Array(String),
  server String,
  stream String,
  raw String`;

const STATUS_COLUMNS = `
  time DateTime('UTC'),
  nanos UInt32,
  key String,
  kind String,
  message String,
  gap_from String,
  gap_to String,
  server String,
  stream String,
  raw String`;

/** The two tables' columns: a cluster's local tables behind its `Distributed` ones need exactly these (README). */
export const TABLE_COLUMNS = { events: EVENTS_COLUMNS, status: STATUS_COLUMNS } as const;

/** `CREATE TABLE` for one node; the README's cluster variant uses the same columns. */
export function createStatements(database: string): string[] {
  // Granules of 1,024 rows, not 8,192: a page reads the raw JSON of a few scattered rows, and a granule
  // is the least ClickHouse reads of a column.
  const engine =
    'ENGINE = ReplacingMergeTree PARTITION BY toYYYYMMDD(time) ORDER BY (time, nanos, key) SETTINGS index_granularity = 1024';
  return [
    `CREATE DATABASE IF NOT EXISTS ${database}`,
    `CREATE TABLE IF NOT EXISTS ${database}.events (${EVENTS_COLUMNS}\n) ${engine}`,
    `CREATE TABLE IF NOT EXISTS ${database}.status (${STATUS_COLUMNS}\n) ${engine}`,
  ];
}

export async function ensureSchema(client: ClickHouseClient, database: string): Promise<void> {
  for (const query of createStatements(database)) await client.command({ query });
}

/** Drop day partitions older than `days` from tables Event Desk owns (local *MergeTree); returns what went. */
export async function applyRetention(
  client: ClickHouseClient,
  database: string,
  days: number,
  nowMs: number,
): Promise<string[]> {
  const cutoff = Number(new Date(nowMs - days * 86_400_000).toISOString().slice(0, 10).replace(/-/g, ''));
  const rs = await client.query({
    query: `SELECT table, partition FROM system.parts WHERE database = ${sqlString(database)} AND table IN ('events', 'status') AND active
            AND table IN (SELECT name FROM system.tables WHERE database = ${sqlString(database)} AND engine LIKE '%MergeTree')
            GROUP BY table, partition`,
    format: 'JSONEachRow',
  });
  const parts = await rs.json<{ table: string; partition: string }>();
  const dropped: string[] = [];
  for (const p of parts) {
    if (!/^\d{8}$/.test(p.partition) || Number(p.partition) >= cutoff) continue;
    await client.command({ query: `ALTER TABLE ${database}.${p.table} DROP PARTITION ${p.partition}` });
    dropped.push(`${p.table}/${p.partition}`);
  }
  return dropped;
}
