/**
 * One batch of capture lines into the two tables, in the sink's wire format:
 * - `binary` (default): RowBinary built from the lines' bytes (row-binary.ts); the cheapest to build and
 *   for ClickHouse to read;
 * - `tsv` / `json`: TabSeparated or JSONEachRow from row objects (rows.ts), kept to compare against.
 *
 * A batch owns its buffers (`BatchBuffers`) until its insert has been answered, so several batches can be
 * in flight while the next is read and built.
 */
import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import { STATUS_KEY } from '../capture/capture-file.js';
import { encodeLines, RowBinaryWriter } from './row-binary.js';
import {
  eventRow,
  EVENT_COLUMNS,
  STATUS_COLUMNS,
  statusRow,
  toTsv,
  type EventRow,
  type Origin,
  type StatusRow,
} from './rows.js';

export type InsertFormat = 'binary' | 'tsv' | 'json';

/**
 * Every insert waits until a cluster's shards have the rows: a `Distributed` table otherwise answers once
 * it has spooled them, and the sink would confirm an offset for rows no reader can see yet (nor, if that
 * node's disk is lost, ever). A plain table ignores the setting. Every version from 18.16 on knows it.
 */
const INSERT_SETTINGS = { insert_distributed_sync: 1 } as const;

/** Memory one batch in flight holds: the lines read and the rows built from them, reused batch after batch. */
export interface BatchBuffers {
  read: Buffer;
  events: RowBinaryWriter;
  statuses: RowBinaryWriter;
}

export function newBatchBuffers(batchBytes: number): BatchBuffers {
  return {
    read: Buffer.allocUnsafe(batchBytes),
    events: new RowBinaryWriter(Math.ceil(batchBytes * 1.3)),
    statuses: new RowBinaryWriter(64 * 1024),
  };
}

export interface BuiltBatch {
  eventCount: number;
  statusCount: number;
  lines: number;
  send: (client: ClickHouseClient, db: string) => Promise<void>;
}

/** Build the rows of `lines` (whole lines, each ending in a newline). */
export function buildBatch(lines: Buffer, origin: Origin, format: InsertFormat, bufs: BatchBuffers): BuiltBatch {
  if (format === 'binary') {
    const b = encodeLines(lines, origin, bufs.events, bufs.statuses);
    return {
      eventCount: b.eventCount,
      statusCount: b.statusCount,
      lines: b.lines,
      send: async (client, db) => {
        if (b.eventCount) await insertBinary(client, `${db}.events`, EVENT_COLUMNS, b.events);
        if (b.statusCount) await insertBinary(client, `${db}.status`, STATUS_COLUMNS, b.statuses);
      },
    };
  }
  const events: EventRow[] = [];
  const statuses: StatusRow[] = [];
  let count = 0;
  for (const line of lines.toString('utf8').replace(/\n$/, '').split('\n')) {
    count++;
    if (!line) continue;
    if (line.startsWith(`{"${STATUS_KEY}"`)) {
      const row = statusRow(line, origin);
      if (row) statuses.push(row);
    } else {
      const row = eventRow(line, origin);
      if (row) events.push(row);
    }
  }
  return {
    eventCount: events.length,
    statusCount: statuses.length,
    lines: count,
    send: async (client, db) => {
      if (format === 'json') {
        const json = { format: 'JSONEachRow', clickhouse_settings: INSERT_SETTINGS } as const;
        if (events.length) await client.insert({ table: `${db}.events`, values: events, ...json });
        if (statuses.length) await client.insert({ table: `${db}.status`, values: statuses, ...json });
        return;
      }
      if (events.length) await insertTsv(client, `${db}.events`, EVENT_COLUMNS, toTsv(events, EVENT_COLUMNS));
      if (statuses.length) await insertTsv(client, `${db}.status`, STATUS_COLUMNS, toTsv(statuses, STATUS_COLUMNS));
    },
  };
}

async function insertTsv(client: ClickHouseClient, table: string, columns: readonly string[], text: string) {
  await client.insert({
    table,
    values: Readable.from([Buffer.from(text)], { objectMode: false }),
    columns: columns as [string, ...string[]],
    format: 'TabSeparated',
    clickhouse_settings: INSERT_SETTINGS,
  });
}

/** The client has no RowBinary insert; `exec` sends our INSERT with the bytes as its body. */
async function insertBinary(client: ClickHouseClient, table: string, columns: readonly string[], bytes: Buffer) {
  const r = await client.exec({
    query: `INSERT INTO ${table} (${columns.join(', ')}) FORMAT RowBinary`,
    values: Readable.from([bytes], { objectMode: false }),
    clickhouse_settings: INSERT_SETTINGS,
  });
  // The answer (empty on success) must be read for the connection to go back to the pool.
  for await (const chunk of r.stream) void chunk;
}
