/**
 * The Devices and Gateways lists of a ClickHouse window, from the app's own HealthBuilder fed with the
 * window's rows as ClickHouse returns them (oldest first, in the background, rows not kept), bounded at
 * `MAX_HEALTH_EVENTS`: a bigger window's lists are those of its newest events, and the lists say so.
 * Gaps come from the status table; integration failures (the newest few) and gateway status metrics
 * from the raw column of the rows that carry them.
 */
import type { GapWindow } from '../../shared/health/frames.js';
import { HealthBuilder } from '../../shared/health/health.js';
import { groupIntegrationFailures, isIntegrationFailure } from '../../shared/health/integrations.js';
import type { TtsEvent } from '../../shared/tts/types.js';
import type { Cursor } from './row-store.js';
import type { ClickHouseWindow } from './window.js';

/** Events of a window the lists are built from at most (the newest). */
export const MAX_HEALTH_EVENTS = 200_000;
/** Integration failures kept per window (the newest). */
const MAX_RAW = 200;

export class WindowHealth {
  readonly builder = new HealthBuilder();
  read = 0;
  done = false;
  /** Set when the window holds more than was read. */
  cut = false;
  gaps: GapWindow[] = [];
  readonly #failures: TtsEvent[] = [];
  readonly finished: Promise<void>;

  constructor(
    w: ClickHouseWindow,
    private readonly onError: (e: Error) => void,
    private readonly limit = MAX_HEALTH_EVENTS,
  ) {
    this.finished = this.#build(w).catch((e: unknown) => {
      this.done = true;
      this.onError(e as Error);
    });
  }

  async #build(w: ClickHouseWindow): Promise<void> {
    for (const { entry, stream } of await w.statusEntries()) {
      const from = Date.parse(entry.from ?? '');
      const to = Date.parse(entry.to ?? '');
      if (entry.kind === 'gap' && Number.isFinite(from) && Number.isFinite(to))
        this.gaps.push({ fromMs: from, toMs: to, streamId: stream });
    }
    for (const g of this.gaps) this.builder.addGap(g);
    // The builder wants rows oldest first (sequence gaps, last seen): start at the newest
    // `limit` candidates' first, found by ClickHouse, and read forward from there.
    const [start] = await w.json<{ t: number; nanos: number; key: string }>(
      `SELECT toUInt32(time) AS t, nanos, key FROM ${w.db}.events WHERE ${w.inWindow()} AND (${await w.sqlWhere()})
       ORDER BY time DESC, nanos DESC, key DESC LIMIT 1 OFFSET ${this.limit}`,
    );
    this.cut = start !== undefined;
    const pass = w.pass();
    let cursor: Cursor | undefined = start && { time: start.t, nanos: start.nanos, key: start.key };
    do {
      const page = await pass.page(cursor, 5000);
      for (const row of page.rows) {
        const s = row.summary;
        this.builder.add(s);
        this.read++;
        if (isIntegrationFailure(s.name)) {
          this.#failures.push(parse(row.raw));
          if (this.#failures.length > MAX_RAW) this.#failures.shift();
        }
        if (s.entityKind === 'gateway' && s.name === 'gs.status.receive') this.#metrics(s.entity, s.ms, row.raw);
      }
      cursor = page.next;
    } while (cursor);
    this.done = true;
  }

  #metrics(gatewayId: string, ms: number, raw: string): void {
    const m = (parse(raw).data as { metrics?: Record<string, unknown> } | undefined)?.metrics;
    if (!m || typeof m !== 'object') return;
    const metrics: Record<string, number> = {};
    for (const [k, v] of Object.entries(m).slice(0, 50))
      if (typeof v === 'number' && Number.isFinite(v)) metrics[k] = v;
    this.builder.addStatusMetrics(gatewayId, ms, metrics);
  }

  integrations() {
    return groupIntegrationFailures(this.#failures);
  }

  /** What the lists say about themselves: how much of the window they are built from. */
  note(total: number): string | undefined {
    return this.cut
      ? `Built from the newest ${this.read.toLocaleString('en')} of ${total.toLocaleString('en')} events of this ClickHouse window.`
      : undefined;
  }
}

function parse(raw: string): TtsEvent {
  try {
    return JSON.parse(raw) as TtsEvent;
  } catch {
    return {} as TtsEvent;
  }
}
