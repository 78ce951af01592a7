/**
 * The Devices list of a ClickHouse window, aggregated by ClickHouse over the whole window (GROUP BY device,
 * and by event name where the app's health counts one name per message), so no row of it is read into the
 * app and no window is too big for it. What each column means is the capture's (`device-acc.ts`): the same
 * uplink name is chosen (`UPLINK_RANK`), joins and downlinks are counted from the same names, spreads come
 * from the same value counts. Only the frame counter cannot be said in SQL that 18.16 runs (its sessions,
 * rollovers and resets are sequential rules): ClickHouse hands each device's (time, FCnt) pairs of its chosen
 * name over, grouped, and the app's own `countFrames` counts them.
 *
 * Every query reads the window's distinct events (`distinct`): equal keys waiting for a merge count once.
 */
import { countFrames, type GapWindow } from '../../shared/health/frames.js';
import type { DeviceHealth } from '../../shared/health/health-types.js';
import { cmp } from '../../shared/health/device-acc.js';
import {
  chosen,
  DOWN_ACKED,
  DOWN_FAILED,
  DOWN_NACKED,
  DOWN_QUEUED,
  DOWN_SENT,
  DUPLICATE_JOIN_DROP,
  JOIN_ACCEPT_RANK,
  JOIN_RECEIVE,
  JOIN_REQUEST_RANK,
  RANKED,
  UPLINK_RANK,
} from '../../shared/health/names.js';
import { DUPLICATE_ERRORS } from '../../shared/health/overview.js';
import { ValueCounts } from '../../shared/health/stats.js';
import { summarizeEvent } from '../../shared/domain/summary.js';
import type { TtsEvent } from '../../shared/tts/types.js';
import { sqlString } from './target.js';
import type { ClickHouseWindow } from './window.js';
import { ERROR_SQL } from './window-overview.js';

/** An event's epoch milliseconds (as `Date.parse` of its time: the fraction cut, not rounded). */
export const MS = '(toUInt64(toUInt32(time)) * 1000 + intDiv(nanos, 1000000))';
/** Its place in time to the nanosecond. */
export const TN = '(toUInt64(toUInt32(time)) * 1000000000 + nanos)';
/**
 * Its place in the table's order (time, then key), for "the newest" and "the first" (argMax, argMin): events
 * of one nanosecond are told apart by key, as every page of a window orders them.
 */
export const AT = `(${TN}, key)`;

/**
 * What the lists' queries need of a window: its database, a query, and its rows as SQL (its time to the
 * millisecond, and the part of its filter SQL can say).
 */
export type WindowSql = Pick<ClickHouseWindow, 'db' | 'json' | 'inWindow'>;

export const sqlList = (names: readonly string[]): string => `(${names.map(sqlString).join(', ')})`;
export const UPLINKS_SQL = `direction = 'up' AND name IN ${sqlList(UPLINK_RANK)}`;

/** Simulated events a window names by key at most; past this many, SQL alone says which (`radioOnly`). */
const MAX_SIMULATED = 5000;
/** The raw JSON's `"simulated":true`: ApplicationUp's flag, or (rarely) a key of a payload formatter's output. */
const SIMULATED_SQL = `position(raw, '"simulated":true') > 0`;

/**
 * The window's ranked device events that are not simulated (`EventSummary.simulated`: the Console's "Simulate
 * uplink"), as SQL over `key`: health counts none of them as radio traffic or as a join. No column says it, so
 * ClickHouse finds the rows whose raw JSON has `"simulated":true` (few: only their JSON comes to the app)
 * and the app's own summary of each decides, as in a capture. Past `MAX_SIMULATED` of them, the raw text decides.
 */
export async function radioOnly(w: WindowSql): Promise<string> {
  const where = `${w.inWindow()} AND entity_kind = 'device' AND name IN ${sqlList([...RANKED])} AND ${SIMULATED_SQL}`;
  // (Not `AS raw`: an alias equal to a column would replace it in the WHERE.)
  const rows = await w.json<{ key: string; json: string }>(
    `SELECT key, any(raw) AS json FROM ${w.db}.events WHERE ${where} GROUP BY key LIMIT ${MAX_SIMULATED + 1}`,
  );
  if (rows.length > MAX_SIMULATED) return `key NOT IN (SELECT key FROM ${w.db}.events WHERE ${where})`;
  const keys = rows.filter((r) => isSimulated(r.json)).map((r) => sqlString(r.key));
  return keys.length ? `key NOT IN (${keys.join(', ')})` : '1';
}

function isSimulated(raw: string): boolean {
  try {
    return summarizeEvent(JSON.parse(raw) as TtsEvent, 0, '').simulated === true;
  } catch {
    return false;
  }
}

/**
 * The window's events that pass `where`, each once (duplicates waiting for a merge collapse by key): the
 * `cols` as they are (one event has one value of each), and `extra` aggregates under aliases that name no
 * column (an alias equal to a column would replace it in this WHERE).
 */
/** The columns that tell one device event from another: its time, name, device and direction. */
export const DEVICE_EVENT = ['time', 'nanos', 'name', 'application', 'entity', 'direction'] as const;

export function distinct(w: WindowSql, cols: readonly string[], where: string, extra: string[] = []): string {
  return `(SELECT key, ${[...cols, ...extra].join(', ')} FROM ${w.db}.events WHERE ${w.inWindow()} AND (${where})
    GROUP BY key, ${cols.join(', ')})`;
}

/** An event's time as TTS writes it (protobuf JSON: RFC 3339 with 0, 3, 6 or 9 fraction digits), from its columns. */
export function timeText(seconds: number, nanos: number): string {
  const digits = nanos === 0 ? 0 : nanos % 1_000_000 === 0 ? 3 : nanos % 1000 === 0 ? 6 : 9;
  const fraction = digits ? `.${String(nanos).padStart(9, '0').slice(0, digits)}` : '';
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}${fraction}Z`;
}

/** Value counts per group, from rows of (group…, x, n). */
export async function valueCounts(
  w: WindowSql,
  query: string,
  groupOf: (r: Record<string, string | number>) => string,
): Promise<Map<string, ValueCounts>> {
  const out = new Map<string, ValueCounts>();
  for (const r of await w.json<Record<string, string | number>>(query)) {
    const g = groupOf(r);
    (out.get(g) ?? out.set(g, new ValueCounts()).get(g)!).add(Number(r.x), Number(r.n));
  }
  return out;
}

interface NameRow {
  app: string;
  dev: string;
  name: string;
  up: number;
  n: string;
  /** (time to the nanosecond, key, FCnt) of each uplink that has one. */
  tx: [string | number, string, number][];
  streams: string[];
  joins: string[];
}

/** Per device: the uplink name its frames are counted from, and its streams (only their gaps hide its frames). */
export interface DeviceUplinks {
  countedFrom?: string;
  streams: Set<string>;
}

/**
 * Every device of the window, as the capture's `HealthBuilder.devices(true)` lists it (most recently seen
 * first). `radio` (`radioOnly`) keeps the events that are radio traffic; `uplinks` hears each device's chosen
 * uplink name (the Gateways list counts from it too).
 */
export async function windowDevices(
  w: WindowSql,
  gaps: readonly GapWindow[],
  radio: string,
  uplinks = new Map<string, DeviceUplinks>(),
): Promise<DeviceHealth[]> {
  const dev = "entity_kind = 'device'";
  const base = await w.json<{
    app: string;
    dev: string;
    n: string;
    e: string;
    lo: string;
    ls: number;
    ln: number;
    eui: string;
    addr: string;
    jd: string;
  }>(
    `SELECT application AS app, entity AS dev, count() AS n, countIf(${ERROR_SQL}) AS e, min(${MS}) AS lo,
       countIf(name = ${sqlString(DUPLICATE_JOIN_DROP)} AND error_name IN ${sqlList(DUPLICATE_ERRORS)}) AS jd,
       argMax(toUInt32(time), ${AT}) AS ls, argMax(nanos, ${AT}) AS ln,
       argMaxIf(dev_eui, ${AT}, dev_eui != '') AS eui, argMaxIf(dev_addr, ${AT}, dev_addr != '') AS addr
     FROM ${distinct(w, ['time', 'nanos', 'name', 'application', 'entity', 'dev_eui', 'dev_addr', 'error_name'], dev)}
     GROUP BY app, dev`,
  );
  // Ranked names per device: counts, and for uplinks the frame counter's pairs and the streams.
  const named = await w.json<NameRow>(
    `SELECT application AS app, entity AS dev, name, direction = 'up' AS up, count() AS n,
       groupArrayIf((${TN}, key, assumeNotNull(fc)), isNotNull(fc) AND ${UPLINKS_SQL}) AS tx,
       groupUniqArrayIf(st, ${UPLINKS_SQL}) AS streams,
       groupArrayIf(${MS}, name IN ${sqlList(JOIN_ACCEPT_RANK)}) AS joins
     FROM ${distinct(w, DEVICE_EVENT, `${dev} AND name IN ${sqlList([...RANKED])} AND ${radio}`, ['any(f_cnt) AS fc', 'any(stream) AS st'])}
     GROUP BY app, dev, name, up`,
  );
  const byName = (k: string, n: string) => `${k}\n${n}`;
  const upRows = `FROM ${distinct(w, DEVICE_EVENT, `${dev} AND ${UPLINKS_SQL} AND ${radio}`, ['any(rssi) AS rs', 'any(snr) AS sn'])}`;
  const spreadOf = (col: 'rs' | 'sn') =>
    valueCounts(
      w,
      `SELECT application AS app, entity AS dev, name, assumeNotNull(${col}) AS x, count() AS n ${upRows}
       WHERE isNotNull(${col}) GROUP BY app, dev, name, x`,
      (r) => byName(`${r.app}/${r.dev}`, String(r.name)),
    );
  const [rssi, snr] = [await spreadOf('rs'), await spreadOf('sn')];
  // The data rate is not a column: ClickHouse reads it from the raw JSON of the uplinks, keeping only the text
  // (DATA_RATE_SQL).
  const dr = DATA_RATE_SQL;
  const rates = await w.json<{ app: string; dev: string; name: string; dr: string; n: string; f0: string }>(
    `SELECT application AS app, entity AS dev, name, dr, count() AS n, min(${TN}) AS f0
     FROM ${distinct(w, ['time', 'nanos', 'name', 'application', 'entity'], `${dev} AND ${UPLINKS_SQL} AND ${radio}`, [`any(${dr}) AS dr`])}
     WHERE dr != '' GROUP BY app, dev, name, dr ORDER BY n DESC, f0`,
  );

  const perDevice = new Map<string, Map<string, NameRow>>();
  const times = new Map<string, Map<string, number>>();
  const joins = new Map<string, number[]>();
  for (const r of named) {
    const k = `${r.app}/${r.dev}`;
    if (Number(r.up) && UPLINK_RANK.includes(r.name as (typeof UPLINK_RANK)[number]))
      (perDevice.get(k) ?? perDevice.set(k, new Map()).get(k)!).set(r.name, r);
    else {
      const m = times.get(k) ?? times.set(k, new Map()).get(k)!;
      m.set(r.name, (m.get(r.name) ?? 0) + Number(r.n));
    }
    if (r.joins.length) joins.set(k, [...(joins.get(k) ?? []), ...r.joins.map(Number)]);
  }
  const devices: DeviceHealth[] = [];
  for (const b of base) {
    const key = `${b.app}/${b.dev}`;
    const aggs = perDevice.get(key) ?? new Map<string, NameRow>();
    const [countedFrom, agg] = chosen(aggs, UPLINK_RANK, (a) => Number(a.n) > 0);
    const streams = new Set([...aggs.values()].flatMap((a) => a.streams));
    uplinks.set(key, { ...(countedFrom ? { countedFrom } : {}), streams });
    const mine = gaps.filter((g) => g.streamId === undefined || streams.has(g.streamId));
    const frames = agg
      ? countFrames(
          // In the table's order (time to the nanosecond, then key): frames of one millisecond in the order sent.
          agg.tx
            .map(([tn, key, fCnt]) => ({ tn: BigInt(tn), key, fCnt }))
            .sort((x, y) => (x.tn < y.tn ? -1 : x.tn > y.tn ? 1 : x.key < y.key ? -1 : x.key > y.key ? 1 : 0))
            .map(({ tn, fCnt }) => ({ ms: Number(tn / 1_000_000n), fCnt })),
          joins.get(key) ?? [],
          mine,
        )
      : { frames: 0, retransmissions: 0, lost: 0, unknown: 0, per: 0, sessions: 0, holes: [] };
    const counts = times.get(key) ?? new Map<string, number>();
    const count = (rank: readonly string[]) => chosen(counts, rank, (n) => n > 0)[1] ?? 0;
    // Join-requests less the per-gateway copies old servers dropped as duplicates (`DeviceAcc`).
    const [joinName, receptions] = chosen(counts, JOIN_REQUEST_RANK, (n) => n > 0);
    const attempts = Math.max(0, (receptions ?? 0) - (joinName === JOIN_RECEIVE ? Number(b.jd) : 0));
    const lastMs = b.ls * 1000 + Math.floor(b.ln / 1e6);
    const health: DeviceHealth = {
      deviceKey: key,
      deviceId: b.dev,
      applicationId: b.app,
      frames,
      gateways: [],
      dataRates: countedFrom
        ? rates
            .filter((r) => r.app === b.app && r.dev === b.dev && r.name === countedFrom)
            .map((r) => ({ dataRate: r.dr, count: Number(r.n) }))
        : [],
      joins: { attempts, accepts: count(JOIN_ACCEPT_RANK) },
      downlinks: {
        queued: count(DOWN_QUEUED),
        sent: count(DOWN_SENT),
        acked: count(DOWN_ACKED),
        nacked: count(DOWN_NACKED),
        failed: count(DOWN_FAILED),
      },
      events: Number(b.n),
      errors: Number(b.e),
      firstMs: Number(b.lo),
      lastMs,
      lastSeen: timeText(b.ls, b.ln),
    };
    if (countedFrom) health.countedFrom = countedFrom;
    if (b.eui) health.devEui = b.eui;
    if (b.addr) health.devAddr = b.addr;
    const rs = countedFrom && rssi.get(byName(key, countedFrom))?.spread();
    const ns = countedFrom && snr.get(byName(key, countedFrom))?.spread();
    if (rs) health.rssi = rs;
    if (ns) health.snr = ns;
    devices.push(health);
  }
  return devices.sort((a, b) => b.lastMs - a.lastMs || cmp(a.deviceKey, b.deviceKey));
}

/**
 * An uplink's data rate as the list shows it (summary.ts: `SF7BW125`, `FSK 50 kbit/s`, `LR-FHSS OCW 137 kHz`),
 * read from `settings.data_rate` of its raw JSON. Not from the first `spreading_factor` in the line: TTS writes
 * `decoded_payload` before `settings`, and a payload formatter that outputs `spreading_factor` (some do, to
 * report the device's own radio settings) would otherwise name the rate.
 */
const DR_AT = `position(raw, '"settings":{"data_rate":{')`;
const DR_JSON = `if(${DR_AT} > 0, visitParamExtractRaw(substring(raw, ${DR_AT}), 'data_rate'), '')`;
// The visitParam functions: the JSON* ones are not in the ClickHouse Debian ships (18.16).
const DR_NUMBER = (kind: string, field: string) =>
  `visitParamExtractUInt(visitParamExtractRaw(${DR_JSON}, '${kind}'), '${field}')`;
const DR_PER_1000 = (kind: string, field: string) => `toString(${DR_NUMBER(kind, field)} / 1000)`;
const DATA_RATE_SQL = `multiIf(
    visitParamHas(${DR_JSON}, 'lora'),
    concat('SF', toString(${DR_NUMBER('lora', 'spreading_factor')}), 'BW', ${DR_PER_1000('lora', 'bandwidth')}),
    visitParamHas(${DR_JSON}, 'fsk'),
    if(${DR_NUMBER('fsk', 'bit_rate')} > 0, concat('FSK ', ${DR_PER_1000('fsk', 'bit_rate')}, ' kbit/s'), 'FSK'),
    visitParamHas(${DR_JSON}, 'lrfhss'),
    if(
      ${DR_NUMBER('lrfhss', 'operating_channel_width')} > 0,
      concat('LR-FHSS OCW ', ${DR_PER_1000('lrfhss', 'operating_channel_width')}, ' kHz'),
      'LR-FHSS'
    ),
    ''
  )`;
