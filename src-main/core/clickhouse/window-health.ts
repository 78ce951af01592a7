/**
 * The Devices and Gateways views of a ClickHouse window. The lists are aggregated by ClickHouse over the
 * whole window (window-lists.ts, window-gateway-list.ts), so they have no bound and hold no rows. A device's
 * or gateway's panel (its series, the gateways that heard it, the devices it heard) is the app's own
 * HealthBuilder fed with just the rows that panel is built from: the entity's events, the events that bind
 * its DevAddrs and DevEUIs to devices, and the receptions that name them. Gaps come from the status table;
 * integration failures (the newest few) from the raw column of the rows that carry them.
 */
import type { EventSummary } from '../../shared/domain/summary.js';
import type { GapWindow } from '../../shared/health/frames.js';
import { HealthBuilder } from '../../shared/health/health.js';
import type { DeviceHealth, GatewayHealth } from '../../shared/health/health-types.js';
import { groupIntegrationFailures, type IntegrationFailureGroup } from '../../shared/health/integrations.js';
import type { InvokeResult } from '../../shared/ipc/contract.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { TtsEvent } from '../../shared/tts/types.js';
import type { LiveWindow } from './live-window.js';
import type { Cursor } from './row-store.js';
import { sqlString } from './target.js';
import type { ClickHouseWindow } from './window.js';
import { learnedOf, metricsOf, windowGateways, type Learned } from './window-gateway-list.js';
import { radioOnly, UPLINKS_SQL, windowDevices, type DeviceUplinks, type WindowSql } from './window-lists.js';

/** Integration failures kept per window (the newest). */
const MAX_RAW = 200;
/** Integration failures, in SQL (`isIntegrationFailure`). */
const INTEGRATION_SQL = `match(name, '^as\\\\.(webhook|pubsub|mqtt|packages)\\\\..*fail$|^as\\\\.(webhook|pubsub)\\\\.fail$')`;
/** A device's key (`application/device`), in SQL. */
const DEVICE_KEY = "concat(application, '/', entity)";
/** DevAddrs or DevEUIs a panel names literally; past this many, a subquery says which. */
const MAX_LITERALS = 5000;

export interface WindowLists {
  devices: DeviceHealth[];
  gateways: GatewayHealth[];
  integrations: IntegrationFailureGroup[];
  gaps: number;
  /** Said when the lists hold more than the window's filter keeps. */
  partial?: string;
}

export class WindowHealth {
  gaps: GapWindow[] = [];
  readonly lists: Promise<WindowLists>;
  /** The window's rows for the lists' queries: its time, and its filter as far as SQL says it. */
  #sql: WindowSql | undefined;
  #filter = '1';

  constructor(private readonly w: ClickHouseWindow) {
    this.lists = this.#lists();
  }

  async #lists(): Promise<WindowLists> {
    const w = this.w;
    const filter = (this.#filter = await w.sqlWhere());
    const sql: WindowSql = (this.#sql = {
      db: w.db,
      json: (q) => w.json(q),
      inWindow: () => `${w.inWindow()} AND (${filter})`,
    });
    for (const { entry, stream } of await this.w.statusEntries()) {
      const from = Date.parse(entry.from ?? '');
      const to = Date.parse(entry.to ?? '');
      if (entry.kind === 'gap' && Number.isFinite(from) && Number.isFinite(to))
        this.gaps.push({ fromMs: from, toMs: to, streamId: stream });
    }
    const uplinks = new Map<string, DeviceUplinks>();
    // Simulated uplinks are events, but not radio traffic: each list leaves them out of what it counts.
    const radio = await radioOnly(sql);
    const devices = await windowDevices(sql, this.gaps, radio, uplinks);
    const gateways = await windowGateways(sql, uplinks, radio);
    const failures = await w.json<{ raw: string }>(
      `SELECT key, time, nanos, any(raw) AS raw FROM ${w.db}.events
       WHERE ${sql.inWindow()} AND ${INTEGRATION_SQL} GROUP BY key, time, nanos
       ORDER BY time DESC, nanos DESC, key DESC LIMIT ${MAX_RAW}`,
    );
    const integrations = groupIntegrationFailures(failures.reverse().map((f) => parse(f.raw)));
    const out: WindowLists = { devices, gateways, integrations, gaps: this.gaps.length };
    // As the overview strip: a filter with terms SQL cannot say is aggregated for the part it can.
    if (!w.exact)
      out.partial =
        "Aggregated by ClickHouse for the part of this window's filter SQL can say: events its other terms drop are included.";
    return out;
  }

  /** One device's panel, or undefined when the window holds no event of it. */
  async device(key: string): Promise<ReturnType<HealthBuilder['device']>> {
    await this.lists;
    const slash = key.indexOf('/');
    const own = `entity_kind = 'device' AND application = ${sqlString(key.slice(0, slash))} AND entity = ${sqlString(key.slice(slash + 1))}`;
    const addrs = await this.#values('upper(dev_addr)', `${own} AND dev_addr != ''`);
    const euis = await this.#values('upper(dev_eui)', `${own} AND dev_eui != ''`);
    const names = `(upper(dev_addr) IN ${addrs} OR upper(dev_eui) IN ${euis})`;
    const b = await this.#build(
      { deviceKey: key },
      `(${own}) OR (entity_kind = 'device' AND ${names}) OR (entity_kind = 'gateway' AND name = 'gs.up.receive' AND ${names})`,
    );
    return b.device(key);
  }

  /** One gateway's panel, or undefined when the window holds no event of it and no uplink names it. */
  async gateway(id: string): Promise<ReturnType<HealthBuilder['gateway']>> {
    const listed = (await this.lists).gateways.find((g) => g.gatewayId === id);
    const own = `entity_kind = 'gateway' AND entity = ${sqlString(id)}`;
    const rx = `${own} AND name = 'gs.up.receive'`;
    const addrs = await this.#values('upper(dev_addr)', `${rx} AND dev_addr != ''`);
    const euis = await this.#values('upper(dev_eui)', `${rx} AND dev_eui != ''`);
    // Its receptions resolve through what the devices' events teach (aggregated, not read row by row); a
    // gateway without receptions of its own counts the uplinks that name it, so those devices' uplinks are
    // read (the name they are counted from is chosen from all of them).
    const learned = await learnedOf(this.#sql!, `upper(dev_addr) IN ${addrs} OR upper(dev_eui) IN ${euis}`);
    const naming =
      listed?.countedFrom === 'device events'
        ? ` OR (entity_kind = 'device' AND ${UPLINKS_SQL} AND ${DEVICE_KEY} IN ${await this.#values(
            DEVICE_KEY,
            `entity_kind = 'device' AND has(gateway_ids, ${sqlString(id)})`,
          )})`
        : '';
    const b = await this.#build({ gatewayId: id }, `(${own})${naming}`, learned);
    return b.gateway(id);
  }

  /** The distinct values of `expr` where `where` holds, as a SQL set (a subquery when there are many). */
  async #values(expr: string, where: string): Promise<string> {
    const from = `FROM ${this.w.db}.events WHERE ${this.#sql!.inWindow()} AND ${where}`;
    const rows = await this.w.json<{ v: string }>(`SELECT DISTINCT ${expr} AS v ${from} LIMIT ${MAX_LITERALS + 1}`);
    if (rows.length > MAX_LITERALS) return `(SELECT ${expr} ${from})`;
    // No value: a set nothing is in (an empty DevAddr or DevEUI is '').
    return `(${rows.length ? rows.map((r) => sqlString(r.v)).join(', ') : "'-'"})`;
  }

  /** A builder fed (oldest first) with the window's events `where` keeps. */
  async #build(
    scope: { deviceKey?: string; gatewayId?: string },
    where: string,
    learned: readonly Learned[] = [],
  ): Promise<HealthBuilder> {
    const builder = new HealthBuilder(scope);
    for (const g of this.gaps) builder.addGap(g);
    for (const s of learned) builder.learn({ ...s, kind: 'event' } as EventSummary);
    const pass = this.w.scoped(`(${this.#filter}) AND (${where})`);
    let cursor: Cursor | undefined;
    do {
      const page = await pass.page(cursor, 5000);
      for (const row of page.rows) {
        const s = row.summary;
        builder.add(s);
        if (s.entityKind === 'gateway' && s.name === 'gs.status.receive') {
          const m = metricsOf(row.raw);
          if (m) builder.addStatusMetrics(s.entity, s.ms, m);
        }
      }
      cursor = page.next;
    } while (cursor);
    return builder;
  }
}

/** A window's health, made once its reader is there (the lists start at once, in ClickHouse). */
async function healthOfWindow(
  w: LiveWindow,
  reader: () => Promise<Result<ClickHouseWindow>>,
): Promise<Result<WindowHealth>> {
  if (w.health) return ok(w.health);
  const r = await reader();
  if (!r.ok) return r;
  w.health = new WindowHealth(r.value);
  // Said when asked (healthList); not an unhandled rejection meanwhile.
  w.health.lists.catch(() => undefined);
  return ok(w.health);
}

/** The `health:list` answer of a window; a failure is said, and the next ask starts over. */
export async function healthList(
  w: LiveWindow,
  reader: () => Promise<Result<ClickHouseWindow>>,
  log?: (m: string) => void,
): Promise<Result<InvokeResult<'health:list'>>> {
  const h = await healthOfWindow(w, reader);
  if (!h.ok) return h;
  try {
    return ok(await h.value.lists);
  } catch (e) {
    w.health = undefined;
    log?.(`The lists of the ClickHouse window ${w.saved.source}: ${(e as Error).message}`);
    return err('io', `ClickHouse ${w.saved.source}: ${(e as Error).message}`);
  }
}

export type Panel<K extends 'device' | 'gateway'> = NonNullable<Awaited<ReturnType<WindowHealth[K]>>>;

/** A device's or gateway's panel of a window. */
export async function healthOf<K extends 'device' | 'gateway'>(
  w: LiveWindow,
  reader: () => Promise<Result<ClickHouseWindow>>,
  kind: K,
  id: string,
): Promise<Result<Panel<K>>> {
  const h = await healthOfWindow(w, reader);
  if (!h.ok) return h;
  try {
    const got = kind === 'device' ? await h.value.device(id) : await h.value.gateway(id);
    return got ? ok(got as Panel<K>) : err('not-found', `No events of ${kind} ${id} in this ClickHouse window.`);
  } catch (e) {
    return err('io', `ClickHouse ${w.saved.source}: ${(e as Error).message}`);
  }
}

function parse(raw: string): TtsEvent {
  try {
    return JSON.parse(raw) as TtsEvent;
  } catch {
    return {} as TtsEvent;
  }
}
