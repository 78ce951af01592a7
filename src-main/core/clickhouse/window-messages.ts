/**
 * The messages view of a ClickHouse window: the app's own `assembleMessages` over the window's newest
 * `MAX_MESSAGE_EVENTS` events, read once from ClickHouse (kept in the window's rows, so a message's events
 * open in the detail pane and their chains work), and the view's filter run on them as on a capture's
 * (a message shows when one of its events matches). A bigger window's view says it holds the newest.
 */
import type { EventSummary } from '../../shared/domain/summary.js';
import { assembleMessages, type MessageRow } from '../../shared/health/messages.js';
import type { MessagesRequest, MessagesWindow } from '../../shared/ipc/contract.js';
import { compileQuery } from '../../shared/query/query.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { Cursor } from './row-store.js';
import type { ClickHouseWindow } from './window.js';

/** Events of a window the messages view groups at most (the newest). */
export const MAX_MESSAGE_EVENTS = 20_000;
const MAX_EXPANDED = 500;

export class WindowMessages {
  readonly #byId = new Map<number, EventSummary>();
  #rows: MessageRow[] = [];
  /** The window holds more events than were grouped. */
  cut = false;
  readonly ready: Promise<void>;

  constructor(
    w: ClickHouseWindow,
    private readonly limit = MAX_MESSAGE_EVENTS,
  ) {
    this.ready = this.#build(w);
  }

  async #build(w: ClickHouseWindow): Promise<void> {
    const events: EventSummary[] = [];
    let cursor: Cursor | undefined;
    do {
      const page = await w.pageBack(cursor, Math.min(5000, this.limit - events.length));
      for (const r of page.rows) events.push(r.summary);
      cursor = page.next;
    } while (cursor && events.length < this.limit);
    this.cut = cursor !== undefined;
    events.sort((a, b) => a.ms - b.ms || a.id - b.id);
    for (const e of events) this.#byId.set(e.id, e);
    this.#rows = assembleMessages(events, this.limit);
  }

  get entries(): number {
    return this.#byId.size;
  }

  /** The rows of a request, as the capture's messages view answers it. */
  window(req: MessagesRequest): Result<MessagesWindow> {
    const q = compileQuery(req.query);
    if (!q.ok) return err('invalid-input', q.error.message);
    const test = q.empty ? undefined : q.test;
    const list = test
      ? this.#rows.filter((m) =>
          m.eventIds.some((id) => {
            const e = this.#byId.get(id);
            return e !== undefined && test(e);
          }),
        )
      : this.#rows;
    const total = list.length;
    const at = (i: number) => (req.newestFirst ? list[total - 1 - i] : list[i])!;
    const start = Math.max(0, Math.min(req.start, Math.max(0, total - req.count)));
    const rows: MessageRow[] = [];
    for (let i = start; i < Math.min(total, start + req.count); i++) rows.push(at(i));
    const out: MessagesWindow = {
      workspaceId: req.workspaceId,
      query: req.query,
      newestFirst: req.newestFirst,
      total,
      start,
      rows,
      entries: this.entries,
    };
    if (req.expanded !== undefined) {
      const pos = list.findIndex((m) => m.eventIds.includes(req.expanded!));
      if (pos >= 0) {
        const row = list[pos]!;
        const events = row.eventIds
          .map((id) => this.#byId.get(id))
          .filter((e): e is EventSummary => e !== undefined && (!test || test(e)))
          .sort((a, b) => a.ms - b.ms || a.id - b.id)
          .slice(0, MAX_EXPANDED);
        out.expanded = { at: req.newestFirst ? total - 1 - pos : pos, row, events };
      }
    }
    if (this.cut)
      out.partial = `Messages of the newest ${this.entries.toLocaleString('en')} events of this ClickHouse window.`;
    return ok(out);
  }
}
