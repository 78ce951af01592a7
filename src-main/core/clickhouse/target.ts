/**
 * Where team recording goes: `http://[USER[:PASSWORD]@]HOST:8123[/DATABASE]` (default database
 * `event_desk`), and the official client configured for every server from Debian's 18.16 on.
 *
 * What we found running `@clickhouse/client` 1.23 against 18.16.1: ping, DDL, SELECT … FORMAT
 * JSONEachRow and `insert({ format: 'JSONEachRow' })` all work as they are. What 18.16 lacks, and we
 * therefore never use: query parameters (`{name:Type}`, 19.x; we inline literals through `sqlString`),
 * table TTL clauses (19.6; retention drops daily partitions instead, see schema.ts) and DateTime64
 * (`DateTime` plus a nanoseconds column). Response compression (`enable_http_compression=1`, gzip) is
 * accepted by 18.16, so it stays on; request compression stays off (the client's default).
 */
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';

export interface ClickHouseTarget {
  /** `http(s)://host:port`, without credentials or path. */
  url: string;
  database: string;
  username?: string;
  password?: string;
}

export const DEFAULT_DATABASE = 'event_desk';

/** A database name we can put into SQL without quoting. */
const DB_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Parse `--clickhouse URL`; throws an Error whose message says how to write it. */
export function parseClickHouseUrl(text: string): ClickHouseTarget {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new Error(`"${text}" is not a URL: write it as http://HOST:8123 or http://HOST:8123/DATABASE.`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new Error(`"${text}": ClickHouse is reached over http:// or https:// (its HTTP port, 8123 by default).`);
  const parts = u.pathname.split('/').filter(Boolean);
  if (parts.length > 1)
    throw new Error(`"${text}": the path is the database name alone, e.g. http://HOST:8123/${DEFAULT_DATABASE}.`);
  const database = parts[0] ? decodeURIComponent(parts[0]) : DEFAULT_DATABASE;
  if (!DB_NAME.test(database))
    throw new Error(`"${database}" is not a database name Event Desk uses: letters, digits and _ only.`);
  const target: ClickHouseTarget = { url: `${u.protocol}//${u.host}`, database };
  if (u.username) target.username = decodeURIComponent(u.username);
  if (u.password) target.password = decodeURIComponent(u.password);
  return target;
}

/** The target as people should see it: never the password. */
export function describeTarget(t: ClickHouseTarget): string {
  return `${t.url}/${t.database}`;
}

export function openClient(t: ClickHouseTarget, opts: { requestTimeoutMs?: number } = {}): ClickHouseClient {
  return createClient({
    url: t.url,
    ...(t.username !== undefined ? { username: t.username } : {}),
    ...(t.password !== undefined ? { password: t.password } : {}),
    request_timeout: opts.requestTimeoutMs ?? 30_000,
    compression: { request: false, response: true },
    application: 'event-desk',
    // Errors come back to the caller, which says them once in its own words; the client's own log would
    // print a stack trace per failed retry while ClickHouse is down.
    log: { level: ClickHouseLogLevel.OFF },
  });
}

/** A SQL string literal (ClickHouse escapes: backslash and single quote). */
export function sqlString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
