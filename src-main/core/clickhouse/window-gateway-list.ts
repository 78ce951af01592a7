/**
 * The Gateways list of a ClickHouse window, aggregated by ClickHouse over the whole window (GROUP BY
 * gateway), with the capture's meaning (`gateway-acc.ts`, `gateway-health.ts`): uplinks are a gateway's own
 * receptions (`gs.up.receive`), else the device uplinks that name it (an application stream); the devices it
 * heard are its reception groups (by DevEUI and DevAddr) resolved to devices the capture's way, through a
 * `DevAddrResolver` that learns each device's DevAddr bindings from one aggregated row per binding.
 */
import { DevAddrResolver } from '../../shared/health/devaddr.js';
import { cmp } from '../../shared/health/device-acc.js';
import type { GatewayHealth } from '../../shared/health/health-types.js';
import { ValueCounts } from '../../shared/health/stats.js';
import { sqlString } from './target.js';
import { PACKET_BROKER_GATEWAY, RELAY_GATEWAY } from '../../shared/domain/reception.js';
import { GATEWAY_SEEN_NAMES, GATEWAY_SEEN_PREFIXES } from '../../shared/health/names.js';
import {
  AT,
  DEVICE_EVENT,
  distinct,
  MS,
  TN,
  timeText,
  UPLINKS_SQL,
  valueCounts,
  type DeviceUplinks,
  type WindowSql,
} from './window-lists.js';

const GW = "entity_kind = 'gateway'";
const RECEIVE = `${GW} AND name = 'gs.up.receive'`;
/** `showsGateway` (names.ts): the events a gateway's last seen reads. */
const SEEN = `(${GATEWAY_SEEN_PREFIXES.map((p) => `startsWith(name, ${sqlString(p)})`).join(' OR ')}
  OR name IN (${GATEWAY_SEEN_NAMES.map(sqlString).join(', ')}))`;
/** Status metrics kept of a gateway's newest status message (as the capture's lists keep them). */
const MAX_METRICS = 50;

interface GatewayRow {
  gw: string;
  lo: string;
  seen: string;
  ls: number;
  ln: number;
  up: string;
  con: string;
  dis: string;
  stat: string;
  sent: string;
  txok: string;
  txf: string;
  sf: string;
  stms: string;
  stkey: string;
}

/** Uplinks of devices naming one gateway (for a gateway without receptions of its own). */
interface Named {
  n: number;
  rssi: ValueCounts;
  snr: ValueCounts;
  first: number;
  last: number;
  devices: Set<string>;
}

/** Every gateway of the window, as the capture's `HealthBuilder.gateways(true)` lists it (most uplinks first). */
export async function windowGateways(
  w: WindowSql,
  uplinks: ReadonlyMap<string, DeviceUplinks>,
  radio: string,
): Promise<GatewayHealth[]> {
  const count = (name: string) => `countIf(name = ${sqlString(name)})`;
  const base = await w.json<GatewayRow>(
    `SELECT entity AS gw, min(${MS}) AS lo, countIf(${SEEN}) AS seen,
       argMaxIf(toUInt32(time), ${AT}, ${SEEN}) AS ls, argMaxIf(nanos, ${AT}, ${SEEN}) AS ln,
       ${count('gs.up.receive')} AS up, ${count('gs.gateway.connect')} AS con, ${count('gs.gateway.disconnect')} AS dis,
       ${count('gs.status.receive')} AS stat, ${count('gs.down.send')} AS sent, ${count('gs.down.tx.success')} AS txok,
       ${count('gs.down.tx.fail')} AS txf, ${count('gs.down.schedule.fail')} AS sf,
       maxIf(${MS}, name = 'gs.status.receive') AS stms, argMaxIf(key, ${AT}, name = 'gs.status.receive') AS stkey
     FROM ${distinct(w, ['time', 'nanos', 'name', 'entity'], GW)} GROUP BY gw`,
  );
  const errors = await w.json<{ gw: string; err: string; n: string }>(
    `SELECT entity AS gw, if(error_name != '', error_name, name) AS err, count() AS n, min(${TN}) AS f0
     FROM ${distinct(w, ['time', 'nanos', 'name', 'entity', 'error_name'], `${GW} AND name IN ('gs.down.tx.fail', 'gs.down.schedule.fail')`)}
     GROUP BY gw, err ORDER BY f0`,
  );
  const rxRows = `FROM ${distinct(w, ['time', 'nanos', 'name', 'entity'], RECEIVE, ['any(rssi) AS rs', 'any(snr) AS sn'])}`;
  const spreadOf = (col: 'rs' | 'sn') =>
    valueCounts(
      w,
      `SELECT entity AS gw, assumeNotNull(${col}) AS x, count() AS n ${rxRows} WHERE isNotNull(${col}) GROUP BY gw, x`,
      (r) => String(r.gw),
    );
  const [rssi, snr] = [await spreadOf('rs'), await spreadOf('sn')];
  const heard = await devicesHeard(w);
  const named = await namedBy(w, uplinks, radio);
  const metrics = await statusMetrics(
    w,
    base.map((b) => b.stkey).filter((k) => k !== ''),
  );

  const out: GatewayHealth[] = [];
  const ids = new Set([...base.map((b) => b.gw), ...named.keys()]);
  const byId = new Map(base.map((b) => [b.gw, b]));
  for (const id of ids) {
    const g = byId.get(id);
    const ups = Number(g?.up ?? 0);
    const nm = ups > 0 ? undefined : named.get(id);
    // Last seen by its own traffic, status and connects, else by the uplinks naming it (gateway-health.ts).
    const seen = g !== undefined && Number(g.seen) > 0;
    const lastMs = seen ? g.ls * 1000 + Math.floor(g.ln / 1e6) : (nm?.last ?? -Infinity);
    const health: GatewayHealth = {
      gatewayId: id,
      uplinks: ups > 0 ? ups : (nm?.n ?? 0),
      countedFrom: ups > 0 ? 'gs.up.receive' : nm ? 'device events' : 'none',
      devices: ups > 0 ? (heard.get(id)?.size ?? 0) : (nm?.devices.size ?? 0),
      heard: [],
      connects: Number(g?.con ?? 0),
      disconnects: Number(g?.dis ?? 0),
      statusMessages: Number(g?.stat ?? 0),
      downlinks: {
        sent: Number(g?.sent ?? 0),
        txSuccess: Number(g?.txok ?? 0),
        txFailed: Number(g?.txf ?? 0),
        scheduleFailed: Number(g?.sf ?? 0),
        errors: errors.filter((e) => e.gw === id).map((e) => ({ name: e.err, count: Number(e.n) })),
      },
      firstMs: g ? Number(g.lo) : (nm?.first ?? Infinity),
      lastMs,
      lastSeen: seen ? timeText(g.ls, g.ln) : nm ? new Date(lastMs).toISOString() : '',
    };
    const rs = (nm ? nm.rssi : rssi.get(id))?.spread();
    const ns = (nm ? nm.snr : snr.get(id))?.spread();
    if (rs) health.rssi = rs;
    if (ns) health.snr = ns;
    if (g && Number(g.stat) > 0) {
      const m = metrics.get(g.stkey);
      health.lastStatus = { ms: Number(g.stms), ...(m ? { metrics: m } : {}) };
    }
    out.push(health);
  }
  return out.sort((a, b) => b.uplinks - a.uplinks || cmp(a.gatewayId, b.gatewayId));
}

/** What a builder learns from device events (`HealthBuilder.learn`), one entry per binding or DevEUI. */
export interface Learned {
  entityKind: 'device';
  entity: string;
  application: string;
  ms: number;
  name: string;
  devAddr?: string;
  devEui?: string;
}

/**
 * The DevAddr bindings of the window's devices (each device with each DevAddr: when first seen, by which
 * event) and the first device seen with each DevEUI, oldest first: learning these teaches a resolver what
 * learning every device event would (`devaddr.ts` keeps the earliest of each binding; the first device of a
 * DevEUI wins). `where` narrows the devices' events (a panel's DevAddrs and DevEUIs).
 */
export async function learnedOf(w: WindowSql, where = '1'): Promise<Learned[]> {
  const dev = `entity_kind = 'device' AND (${where})`;
  const bindings = await w.json<{ app: string; dev: string; a: string; lo: string; via: string }>(
    `SELECT application AS app, entity AS dev, dev_addr AS a, min(${MS}) AS lo, argMin(name, ${AT}) AS via
     FROM ${distinct(w, ['time', 'nanos', 'name', 'application', 'entity', 'dev_addr'], `${dev} AND dev_addr != ''`)}
     GROUP BY app, dev, a`,
  );
  const euis = await w.json<{ e: string; app: string; dev: string; lo: string; via: string }>(
    `SELECT upper(dev_eui) AS e, argMin(application, ${AT}) AS app, argMin(entity, ${AT}) AS dev, min(${MS}) AS lo,
       argMin(name, ${AT}) AS via
     FROM ${distinct(w, ['time', 'nanos', 'name', 'application', 'entity', 'dev_eui'], `${dev} AND dev_eui != ''`)}
     GROUP BY e`,
  );
  const at = (r: { app: string; dev: string; lo: string; via: string }) => ({
    entityKind: 'device' as const,
    entity: r.dev,
    application: r.app,
    ms: Number(r.lo),
    name: r.via,
  });
  return [...bindings.map((b) => ({ ...at(b), devAddr: b.a })), ...euis.map((e) => ({ ...at(e), devEui: e.e }))].sort(
    (x, y) => x.ms - y.ms,
  );
}

/**
 * Per gateway, the devices its receptions name, resolved as the capture resolves them: a DevEUI by the
 * first device seen with it, else a DevAddr by the binding current at the reception's time (by its
 * group's first reception, or reception by reception where several devices had the DevAddr); what does
 * not resolve counts as its DevAddr (else its DevEUI).
 */
async function devicesHeard(w: WindowSql): Promise<Map<string, Set<string>>> {
  const resolver = new DevAddrResolver();
  const byEui = new Map<string, string>();
  for (const s of await learnedOf(w))
    if (s.devAddr) resolver.learn(s);
    else if (s.devEui && !byEui.has(s.devEui.toUpperCase()))
      byEui.set(s.devEui.toUpperCase(), `${s.application}/${s.entity}`);
  const groups = await w.json<{ gw: string; e: string; a: string; lo: string }>(
    `SELECT entity AS gw, dev_eui AS e, dev_addr AS a, min(${MS}) AS lo
     FROM ${distinct(w, ['time', 'nanos', 'name', 'entity', 'dev_eui', 'dev_addr'], RECEIVE)} GROUP BY gw, e, a`,
  );
  const byEuiOf = (e: string) => (e ? byEui.get(e.toUpperCase()) : undefined);
  const mixed = groups.filter((g) => !byEuiOf(g.e) && g.a && resolver.bindingsOf(g.a) > 1);
  // Receptions of a DevAddr several devices had: one by one, by their times.
  const times = new Map<string, number[]>();
  if (mixed.length) {
    const addrs = [...new Set(mixed.map((g) => g.a))];
    for (const r of await w.json<{ gw: string; e: string; a: string; ms: string[] }>(
      `SELECT entity AS gw, dev_eui AS e, dev_addr AS a, groupArray(${MS}) AS ms
       FROM ${distinct(w, ['time', 'nanos', 'name', 'entity', 'dev_eui', 'dev_addr'], `${RECEIVE} AND dev_addr IN (${addrs.map(sqlString).join(', ')})`)}
       GROUP BY gw, e, a`,
    ))
      times.set(`${r.gw}|${r.e}|${r.a}`, r.ms.map(Number));
  }
  const out = new Map<string, Set<string>>();
  for (const g of groups) {
    const set = out.get(g.gw) ?? out.set(g.gw, new Set()).get(g.gw)!;
    const fallback = g.a ? `A${g.a}` : `E${g.e || '?'}`;
    const eui = byEuiOf(g.e);
    if (eui) set.add(eui);
    else if (!g.a) set.add(fallback);
    else
      for (const ms of times.get(`${g.gw}|${g.e}|${g.a}`) ?? [Number(g.lo)])
        set.add(resolver.resolve(g.a, ms)?.deviceKey ?? fallback);
  }
  return out;
}

/**
 * `receivers` (reception.ts) of a row's `gateway_ids`: without the trailing pseudo-gateways (`packetbroker`,
 * `relay`) that are only aliases of the forwarders and relays before them; a row naming nothing else keeps them.
 */
const PSEUDO = `(${[PACKET_BROKER_GATEWAY, RELAY_GATEWAY].map(sqlString).join(', ')})`;
const RECEIVERS_SQL = `if(arrayExists(g -> g NOT IN ${PSEUDO}, any(gateway_ids)),
  arraySlice(any(gateway_ids), 1,
    length(any(gateway_ids)) + 1 - arrayFirstIndex(g -> g NOT IN ${PSEUDO}, arrayReverse(any(gateway_ids)))),
  any(gateway_ids))`;

/**
 * Per gateway, the uplinks of each device's chosen uplink name that name it (the readings of those one
 * gateway alone heard): what a gateway without receptions of its own is counted from.
 */
async function namedBy(
  w: WindowSql,
  uplinks: ReadonlyMap<string, DeviceUplinks>,
  radio: string,
): Promise<Map<string, Named>> {
  const rows = await w.json<{
    app: string;
    dev: string;
    name: string;
    gw: string;
    hr: number;
    r1: number;
    hs: number;
    s1: number;
    n: string;
    lo: string;
    hi: string;
  }>(
    `SELECT application AS app, entity AS dev, name, gw,
       length(gws) = 1 AND isNotNull(rs) AS hr, if(hr, assumeNotNull(rs), 0) AS r1,
       length(gws) = 1 AND isNotNull(sn) AS hs, if(hs, assumeNotNull(sn), 0) AS s1,
       count() AS n, min(${MS}) AS lo, max(${MS}) AS hi
     FROM ${distinct(
       w,
       DEVICE_EVENT,
       `entity_kind = 'device' AND ${UPLINKS_SQL} AND ${radio} AND notEmpty(gateway_ids)`,
       [`${RECEIVERS_SQL} AS gws`, 'any(rssi) AS rs', 'any(snr) AS sn'],
     )}
     ARRAY JOIN gws AS gw
     GROUP BY app, dev, name, gw, hr, r1, hs, s1`,
  );
  const out = new Map<string, Named>();
  for (const r of rows) {
    const key = `${r.app}/${r.dev}`;
    if (uplinks.get(key)?.countedFrom !== r.name) continue;
    const s =
      out.get(r.gw) ??
      out
        .set(r.gw, {
          n: 0,
          rssi: new ValueCounts(),
          snr: new ValueCounts(),
          first: Infinity,
          last: -Infinity,
          devices: new Set(),
        })
        .get(r.gw)!;
    const n = Number(r.n);
    s.n += n;
    if (Number(r.hr)) s.rssi.add(r.r1, n);
    if (Number(r.hs)) s.snr.add(r.s1, n);
    s.first = Math.min(s.first, Number(r.lo));
    s.last = Math.max(s.last, Number(r.hi));
    s.devices.add(key);
  }
  return out;
}

/** The numeric metrics of these status messages (their raw JSON, by key), the first `MAX_METRICS` of each. */
export async function statusMetrics(w: WindowSql, keys: string[]): Promise<Map<string, Record<string, number>>> {
  const out = new Map<string, Record<string, number>>();
  for (let i = 0; i < keys.length; i += 1000) {
    const rows = await w.json<{ key: string; raw: string }>(
      `SELECT key, any(raw) AS raw FROM ${w.db}.events PREWHERE key IN (${keys
        .slice(i, i + 1000)
        .map(sqlString)
        .join(', ')}) WHERE ${w.inWindow()} GROUP BY key`,
    );
    for (const r of rows) {
      const m = metricsOf(r.raw);
      if (m) out.set(r.key, m);
    }
  }
  return out;
}

/** `data.metrics` of a status message, numbers only. */
export function metricsOf(raw: string): Record<string, number> | undefined {
  let m: unknown;
  try {
    m = (JSON.parse(raw) as { data?: { metrics?: unknown } }).data?.metrics;
  } catch {
    return undefined;
  }
  if (!m || typeof m !== 'object') return undefined;
  const metrics: Record<string, number> = {};
  for (const [k, v] of Object.entries(m).slice(0, MAX_METRICS))
    if (typeof v === 'number' && Number.isFinite(v)) metrics[k] = v;
  return metrics;
}
