/**
 * Reading a team's recording back: open a time window and a filter on ClickHouse (window.ts pages it,
 * window-chain.ts follows its correlation chains), see the window's status entries (gaps, reconnects).
 *
 * Rows become the same `EventSummary` the live list uses (`summarizeEvent` over the stored raw JSON), so
 * the filter's own predicate runs on each of them after the SQL part (query-sql.ts) has narrowed the
 * scan: a window read from ClickHouse shows what the capture it came from would show.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { err, ok, type Result } from '../../shared/result.js';
import { compileToSql } from './query-sql.js';
import { serverOrigin } from '../../shared/query/origin.js';
import { usesFrameFacts, type StreamOrigin } from '../../shared/query/query.js';
import type { WindowFrames } from './window-frames.js';
import { RowStore } from './row-store.js';
import { openClient, type ClickHouseTarget } from './target.js';
import { ClickHouseWindow, type WindowSpec } from './window.js';

export { ClickHouseWindow, type Page, type WindowSpec } from './window.js';
export type { Cursor, SourceRow } from './row-store.js';

/** What `server:` and `profile:` see for rows a server delivered (`serverOrigin`, over the profiles of now). */
export function originsFromProfiles(
  profiles: () => readonly { name: string; baseUrl: string }[],
): (server: string) => StreamOrigin {
  return (server) => serverOrigin(server, profiles());
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

  /**
   * A window with its filter; a filter the bar would refuse is refused with the bar's message. Windows
   * given the same `rows` (one workspace's filters) give a row the same id. With `frames` (this desk's
   * decoder), `mic:` and `mac:` are decided on the rows; without, they are refused as on a file.
   */
  open(spec: WindowSpec, rows?: RowStore, frames?: WindowFrames): Result<ClickHouseWindow> {
    // The servers are asked for when a page first needs them; the second pass needs only `originOf`.
    const q = compileToSql(spec.filter, { originOf: this.originOf }, frames?.source);
    if (!q.ok) return err('invalid-input', q.error.message);
    return ok(
      new ClickHouseWindow(
        this.client,
        this.target.database,
        spec,
        q.where,
        q.testFor,
        this.originOf,
        rows ?? new RowStore(),
        q.exact,
        usesFrameFacts(spec.filter) ? frames : undefined,
      ),
    );
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
