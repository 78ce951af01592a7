/**
 * Exports of a ClickHouse window (#19): the export service's own formats, redaction, progress and
 * cancel (exchange/export-service.ts), over entries read from ClickHouse instead of a capture file.
 *
 * - The whole window, or the list's filter on top of it: read in keyset pages, oldest first, through a
 *   pass that keeps no rows (a window of millions never sits in memory); in a bundle, the window's
 *   status entries (stream starts, reconnects, gaps, stops) go in among the events by time, as a
 *   capture's export puts them.
 * - The selected event, or a chain: rows the window has already read (a page or the chain showed them).
 *
 * Each event is written as ClickHouse holds it in `raw`: the line the recording desk captured, byte for
 * byte, so the export of a window equals the export of the capture that was recorded.
 */
import type { EventSummary } from '../../shared/domain/summary.js';
import { gatewayIdentity, type Pseudonym, type IdKind } from '../../shared/export/redact.js';
import type { ExportRequest } from '../../shared/export/types.js';
import { err, ok, type Result } from '../../shared/result.js';
import { STATUS_KEY, type StatusEntry } from '../capture/capture-file.js';
import { statusSummary } from '../capture/status-summary.js';
import { emptyTally, tallyStatus } from '../exchange/export-manifest.js';
import { NOTHING_MATCHES, type ExportSelection } from '../exchange/export-source.js';
import type { LiveWindow } from './live-window.js';
import type { LineRun } from '../exchange/stored-lines.js';
import type { Cursor, SourceRow } from './row-store.js';
import type { ClickHouseWindow } from './window.js';

/** Counts of the list's filters an export asked for, kept per window (the preview asks again as options change). */
const COUNTS_KEPT = 8;

/**
 * What an export of window `w` takes: the whole window or a filter on it (read from ClickHouse as it is
 * written), or rows the window holds (the selected event, a chain). `reader` is the window through a
 * list filter, as the list's pages read it.
 */
export async function windowSelection(
  req: ExportRequest,
  w: LiveWindow,
  reader: (query: string) => Promise<Result<ClickHouseWindow>>,
): Promise<Result<ExportSelection>> {
  const scope = req.scope;
  // A window is cleared by narrowing it, not by *Clear view*: its renderer never asks for `after`.
  if ((scope.kind === 'workspace' || scope.kind === 'filter') && scope.after)
    return err('invalid-input', 'A ClickHouse window exports its whole time range; narrow the window instead.');
  let sel: ExportSelection;
  if (scope.kind === 'selection' || scope.kind === 'chain') {
    let ids: readonly number[] = scope.kind === 'selection' ? scope.ids : [];
    const base = await reader('');
    if (!base.ok) return base;
    if (scope.kind === 'chain') {
      const chain = await base.value.chain(scope.eventId);
      if (!chain.ok) return chain;
      ids = chain.value.steps.map((s) => s.event.id);
    }
    // Rows the window let go since they were shown are read again by key.
    sel = rowsSelection(await base.value.rowsOf(ids));
  } else {
    const query = scope.kind === 'filter' ? scope.query : '';
    const r = await reader(query);
    if (!r.ok)
      return r.error.code === 'invalid-input' ? err('invalid-input', `The filter is not valid: ${r.error.message}`) : r;
    const events = !query && !w.count.counting ? w.count.events : await counted(w, query, r.value);
    // A bundle holds the window's status entries (a gap says events may be missing, whatever the filter).
    const statuses = req.format === 'bundle' ? await r.value.statusEntries() : [];
    sel = readerSelection(r.value, events, statuses);
  }
  // A failed export names what it read: the recording, not a capture this desk does not have.
  return sel.events === 0
    ? err('invalid-input', NOTHING_MATCHES)
    : ok({ ...sel, readsFrom: 'the recording in ClickHouse' });
}

/** How many events the window keeps through a list filter, counted once per filter (a pass unless SQL says it). */
function counted(w: LiveWindow, query: string, reader: ClickHouseWindow): Promise<number> {
  let p = w.exportCounts.get(query);
  if (!p) {
    p = reader.count();
    p.catch(() => w.exportCounts.delete(query));
    if (w.exportCounts.size >= COUNTS_KEPT) w.exportCounts.delete(w.exportCounts.keys().next().value!);
    w.exportCounts.set(query, p);
  }
  return p;
}

/** Rows per page read for an export (each page's lines go to the file as one piece). */
const EXPORT_PAGE = 2000;

interface Status {
  entry: StatusEntry;
  summary: EventSummary;
}

/** A page's lines: its events in one buffer, newlines included (the writer sends runs of it as they lie). */
class RunBuilder {
  readonly run: LineRun = { lines: [], status: [], newline: [] };
  #text: Buffer;
  #at = 0;

  constructor(rows: readonly SourceRow[]) {
    this.#text = Buffer.from(rows.map((r) => `${r.raw}\n`).join(''));
  }

  event(row: SourceRow): void {
    const length = Buffer.byteLength(row.raw);
    this.run.lines.push(this.#text.subarray(this.#at, this.#at + length));
    this.run.status.push(false);
    this.run.newline.push(true);
    this.#at += length + 1;
  }

  /** A status entry as a capture stores it (the writer makes its exported text from this). */
  status(entry: StatusEntry): void {
    this.run.lines.push(Buffer.from(JSON.stringify({ [STATUS_KEY]: entry })));
    this.run.status.push(true);
    this.run.newline.push(false);
  }
}

/**
 * Every event of `reader` (the window through the export's filter), oldest first, with `statuses` by time.
 * `events` is the count the reader gave (the progress total and the preview's number).
 */
export function readerSelection(
  reader: ClickHouseWindow,
  events: number,
  statuses: readonly { entry: StatusEntry; stream: string }[],
): ExportSelection {
  const list: Status[] = statuses.map((s, i) => ({ entry: s.entry, summary: statusSummary(s.entry, i, s.stream) }));
  return {
    count: events + list.length,
    events,
    async *lines() {
      const pass = reader.pass();
      let s = 0;
      let cursor: Cursor | undefined;
      do {
        const page = await pass.page(cursor, EXPORT_PAGE);
        cursor = page.next;
        const b = new RunBuilder(page.rows);
        for (const row of page.rows) {
          while (s < list.length && list[s]!.summary.ms <= row.summary.ms) b.status(list[s++]!.entry);
          b.event(row);
        }
        if (!cursor) while (s < list.length) b.status(list[s++]!.entry);
        if (b.run.lines.length) yield b.run;
      } while (cursor);
    },
    async *samples() {
      const pass = reader.pass();
      let cursor: Cursor | undefined;
      do {
        const page = await pass.page(cursor, EXPORT_PAGE);
        for (const row of page.rows) yield row.raw;
        cursor = page.next;
      } while (cursor);
    },
    seed: (pseudonym) => seedFromColumns(reader, pseudonym),
    async tally() {
      const t = emptyTally();
      t.events = events;
      const [first] = (await reader.pass().page(undefined, 1)).rows;
      const [last] = (await reader.pass().pageBack(undefined, 1)).rows;
      if (first) t.from = first.summary.time;
      if (last) t.to = last.summary.time;
      for (const s of list) tallyStatus(t, s.summary);
      return t;
    },
  };
}

/** Rows the window already holds (the selected event, a chain), oldest first. */
export function rowsSelection(rows: readonly SourceRow[]): ExportSelection {
  const sorted = [...rows].sort((a, b) => a.summary.ms - b.summary.ms || compareAt(a.at, b.at));
  return {
    count: sorted.length,
    events: sorted.length,
    async *lines() {
      const b = new RunBuilder(sorted);
      for (const row of sorted) b.event(row);
      yield b.run;
    },
    async *samples() {
      for (const row of sorted) yield row.raw;
    },
    async seed(pseudonym) {
      const ask = asker(pseudonym);
      for (const { summary: s } of sorted) {
        ask(s.entityKind, s.entity);
        ask('application', s.application);
        ask('eui', s.devEui);
        ask('dev_addr', s.devAddr);
        for (const g of s.gatewayIds ?? []) {
          const id = gatewayIdentity(g);
          ask(id.kind, id.value);
        }
      }
    },
    async tally() {
      const t = emptyTally();
      t.events = sorted.length;
      if (sorted.length) {
        t.from = sorted[0]!.summary.time;
        t.to = sorted[sorted.length - 1]!.summary.time;
      }
      return t;
    },
  };
}

function compareAt(a: Cursor, b: Cursor): number {
  return a.time - b.time || a.nanos - b.nanos || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/** Asks the pseudonymizer for each identifier once (it remembers them; the scrubber then knows them). */
function asker(pseudonym: Pseudonym): (kind: string, value: string | undefined) => void {
  const seen = new Set<string>();
  return (kind, value) => {
    if (!value || !['device', 'gateway', 'application', 'eui', 'dev_addr'].includes(kind)) return;
    const k = `${kind}\0${value}`;
    if (seen.has(k)) return;
    seen.add(k);
    pseudonym(kind as IdKind, value);
  };
}

/**
 * Pseudonyms for the identifiers of the window's candidate rows, from the columns (two DISTINCT queries,
 * no raw JSON read). The SQL part of a filter keeps a superset: knowing a few identifiers more only
 * scrubs more free text.
 */
async function seedFromColumns(reader: ClickHouseWindow, pseudonym: Pseudonym): Promise<void> {
  const where = `${reader.inWindow()} AND (${await reader.sqlWhere()})`;
  const ask = asker(pseudonym);
  const who = await reader.json<{
    entity_kind: string;
    entity: string;
    application: string;
    dev_eui: string;
    dev_addr: string;
  }>(`SELECT DISTINCT entity_kind, entity, application, dev_eui, dev_addr FROM ${reader.db}.events WHERE ${where}`);
  for (const r of who) {
    ask(r.entity_kind, r.entity);
    ask('application', r.application);
    ask('eui', r.dev_eui);
    ask('dev_addr', r.dev_addr);
  }
  const gateways = await reader.json<{ g: string }>(
    `SELECT DISTINCT arrayJoin(gateway_ids) AS g FROM ${reader.db}.events WHERE ${where}`,
  );
  for (const r of gateways) {
    const id = gatewayIdentity(r.g);
    ask(id.kind, id.value);
  }
}
