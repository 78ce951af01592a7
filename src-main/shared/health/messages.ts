/**
 * Messages: one row per LoRaWAN message (a data uplink, a join, a downlink) instead of the 6–11 events
 * each one causes. Events are grouped by the same rules as correlation chains (`linkDecision`: only
 * message-class IDs link, never across two devices or two frame counters of one device, never across
 * more than a minute), in one pass over a time-ordered list; each group is then laid out by
 * `analyzeChain`, which gives its kind, steps and findings.
 */
import type { EventSummary } from '../domain/summary.js';
import {
  analyzeChain,
  deviceKey,
  isLinkingId,
  MAX_MESSAGE_SPAN_MS,
  type ChainFinding,
  type Component,
} from '../correlation/chain.js';
import { stepsOf } from '../correlation/steps.js';

export type MessageOutcome =
  'forwarded' | 'delivered' | 'sent' | 'accepted' | 'deduplicated' | 'dropped' | 'failed' | 'pending';

export interface PathStep {
  component: Component | 'pb';
  label: string;
  /** Milliseconds from the message's first event to this component's first event. */
  atMs: number;
  /** Milliseconds since the previous component on the path. */
  deltaMs: number;
  events: number;
}

export interface MessageRow {
  /** The id of the message's first event (stable while its events stay in view). */
  id: number;
  kind: 'uplink' | 'join' | 'downlink';
  ms: number;
  /** Time of the message's last event. */
  lastMs: number;
  time: string;
  device?: string;
  application?: string;
  devEui?: string;
  devAddr?: string;
  direction: 'up' | 'down' | 'join';
  fCnt?: number;
  fPort?: number;
  preview: string;
  gateways: number;
  gatewayIds: string[];
  rssi?: number;
  snr?: number;
  dataRate?: string;
  path: PathStep[];
  outcome: MessageOutcome;
  /** Why: the error of a drop or failure, or the finding that explains a pending message. */
  reason?: string;
  /** Member event ids, oldest first. */
  eventIds: number[];
  findings: ChainFinding[];
  /** Travelled through Packet Broker (a `pba:` ID or a forwarder on the way). */
  packetBroker: boolean;
}

const PATH_LABEL: Record<PathStep['component'], string> = {
  gs: 'GS',
  ns: 'NS',
  as: 'AS',
  js: 'JS',
  is: 'IS',
  other: 'other',
  pb: 'PB',
};

interface Group {
  events: EventSummary[];
  device?: string;
  upFCnt?: number;
  firstMs: number;
  /** Set when merged into another group. */
  into?: Group;
}

const root = (g: Group): Group => {
  let r = g;
  while (r.into) r = r.into;
  return r;
};

/** Whether an event is part of a message (a frame, or a step a message takes). */
function isMessageEvent(s: EventSummary): boolean {
  if (s.kind !== 'event') return false;
  if (s.direction) return true;
  return /^(gs\.(up|down|txack)|ns\.(up|down)|as\.(up|down)|js\.join|pba\.)/.test(s.name);
}

function compatible(a: Group, b: Group): boolean {
  if (a.device && b.device && a.device !== b.device) return false;
  if (a.upFCnt !== undefined && b.upFCnt !== undefined && a.upFCnt !== b.upFCnt) return false;
  const lastA = a.events.at(-1)!.ms;
  const lastB = b.events.at(-1)!.ms;
  return Math.max(lastA, lastB) - Math.min(a.firstMs, b.firstMs) <= MAX_MESSAGE_SPAN_MS;
}

function mergeInto(target: Group, other: Group): void {
  other.into = target;
  target.events.push(...other.events);
  target.device ??= other.device;
  target.upFCnt ??= other.upFCnt;
  target.firstMs = Math.min(target.firstMs, other.firstMs);
}

/**
 * Group a time-ordered list of entries into messages, newest last. At most `limit` of the newest
 * messages are laid out (the view shows the newest first; older ones are there when scrolled to).
 */
export function assembleMessages(entries: readonly EventSummary[], limit = 20_000): MessageRow[] {
  const byId = new Map<string, Group>();
  const groups: Group[] = [];
  for (const s of entries) {
    if (!isMessageEvent(s)) continue;
    const dev = deviceKey(s);
    const fc = s.direction === 'up' && dev && s.fCnt !== undefined ? s.fCnt : undefined;
    let home: Group | undefined;
    const ids = s.correlationIds.filter((id) => isLinkingId(id) && !id.startsWith('rpc:'));
    let probe: Group | undefined;
    for (const id of ids) {
      const g = byId.get(id);
      if (!g) continue;
      const r = root(g);
      probe ??= {
        events: [s],
        firstMs: s.ms,
        ...(dev ? { device: dev } : {}),
        ...(fc !== undefined ? { upFCnt: fc } : {}),
      };
      if (!compatible(r, probe)) continue;
      if (!home) home = r;
      else if (home !== r && compatible(home, r)) mergeInto(home, r);
    }
    if (!home) {
      home = { events: [], firstMs: s.ms };
      groups.push(home);
    }
    home.events.push(s);
    if (dev) home.device ??= dev;
    if (fc !== undefined) home.upFCnt ??= fc;
    for (const id of ids) {
      const g = byId.get(id);
      // An ID seen again long after (a long-lived ID the class rules do not know) starts over.
      if (!g || root(g) !== home) byId.set(id, home);
    }
  }
  const live = groups.filter((g) => !g.into);
  const out: MessageRow[] = [];
  for (const g of live.slice(Math.max(0, live.length - limit))) {
    const row = messageRow(g.events);
    if (row) out.push(row);
  }
  return out.sort((a, b) => a.ms - b.ms || a.id - b.id);
}

/** One message's row, from its events; undefined for groups that are not a message (no direction at all). */
export function messageRow(eventsIn: readonly EventSummary[]): MessageRow | undefined {
  const events = [...eventsIn].sort((a, b) => a.ms - b.ms || a.id - b.id);
  const chain = analyzeChain(events);
  const carrier = events.find((e) => e.direction);
  if (!carrier) return undefined;
  const kind =
    chain.kind === 'join' || carrier.direction === 'join'
      ? 'join'
      : chain.kind === 'downlink' || (chain.kind !== 'uplink' && carrier.direction === 'down')
        ? 'downlink'
        : 'uplink';
  const first = events[0]!;
  const device = events.find((e) => e.entityKind === 'device');
  const names = new Set(events.map((e) => e.name));
  const steps = stepsOf(names);
  // Radio facts: the event with the most gateways (the NS's merged view), else any.
  let radio: EventSummary | undefined;
  for (const e of events) if (e.gateways !== undefined && (!radio || e.gateways > (radio.gateways ?? 0))) radio = e;
  const gatewayIds = new Set<string>();
  for (const e of events) {
    if (e.direction !== 'up' && e.direction !== 'join') continue;
    for (const g of e.gatewayIds ?? []) gatewayIds.add(g);
    if (e.entityKind === 'gateway' && e.name.startsWith('gs.up')) gatewayIds.add(e.entity);
  }
  const fCntOf =
    events.find(
      (e) => e.fCnt !== undefined && (kind !== 'downlink' || e.name.startsWith('ns.') || e.name.startsWith('gs.')),
    )?.fCnt ?? events.find((e) => e.fCnt !== undefined)?.fCnt;
  const fPortOf = events.find((e) => e.fPort !== undefined)?.fPort;
  const preview = events.find((e) => e.preview && e.direction && !e.errorName)?.preview ?? carrier.preview;
  // The path: each component's first event, in the order they came.
  const path: PathStep[] = [];
  const seen = new Map<string, PathStep>();
  const t0 = chain.steps[0]?.sinceStartMs ?? 0;
  let prevAt = 0;
  const packetBroker = events.some(
    (e) => e.name.startsWith('pba.') || e.correlationIds.some((c) => c.startsWith('pba:')),
  );
  for (const st of chain.steps) {
    const lane = chain.lanes.find((l) => l.id === st.lane);
    const c = (st.event.name.startsWith('pba.') ? 'pb' : (lane?.component ?? 'other')) as PathStep['component'];
    const hit = seen.get(c);
    if (hit) {
      hit.events++;
      continue;
    }
    const at = st.sinceStartMs - t0;
    const step: PathStep = { component: c, label: PATH_LABEL[c], atMs: at, deltaMs: at - prevAt, events: 1 };
    prevAt = at;
    seen.set(c, step);
    path.push(step);
  }
  const errorEvent = events.find((e) => /\.(drop|fail|reject)$/.test(e.name));
  let outcome: MessageOutcome;
  if (errorEvent) {
    const dup = errorEvent.errorName === 'duplicate_uplink' || errorEvent.name === 'ns.up.receive_duplicate';
    outcome = dup ? 'deduplicated' : errorEvent.name.endsWith('.drop') ? 'dropped' : 'failed';
  } else if (names.has('ns.up.receive_duplicate')) outcome = 'deduplicated';
  else if (kind === 'uplink')
    outcome = steps.has('as-handled') ? 'delivered' : steps.has('ns-forwarded') ? 'forwarded' : 'pending';
  else if (kind === 'join')
    outcome = steps.has('join-accept-sent') || names.has('as.up.join.forward') ? 'accepted' : 'pending';
  else outcome = steps.has('down-acked') || steps.has('down-sent') ? 'sent' : 'pending';
  const row: MessageRow = {
    id: first.id,
    kind,
    ms: first.ms,
    lastMs: events[events.length - 1]!.ms,
    time: first.time,
    direction: kind === 'join' ? 'join' : kind === 'downlink' ? 'down' : 'up',
    preview,
    gateways: Math.max(radio?.gateways ?? 0, gatewayIds.size),
    gatewayIds: [...gatewayIds],
    path,
    outcome,
    eventIds: events.map((e) => e.id),
    findings: chain.findings,
    packetBroker,
  };
  if (device) {
    row.device = device.entity;
    if (device.application) row.application = device.application;
  }
  const eui = events.find((e) => e.devEui)?.devEui;
  const addr = events.find((e) => e.devAddr)?.devAddr;
  if (eui) row.devEui = eui;
  if (addr) row.devAddr = addr;
  if (fCntOf !== undefined) row.fCnt = fCntOf;
  if (fPortOf !== undefined) row.fPort = fPortOf;
  const rssi = events.reduce<number | undefined>(
    (a, e) => (e.rssi !== undefined && (a === undefined || e.rssi > a) ? e.rssi : a),
    undefined,
  );
  const snr = events.reduce<number | undefined>(
    (a, e) => (e.snr !== undefined && (a === undefined || e.snr > a) ? e.snr : a),
    undefined,
  );
  if (rssi !== undefined) row.rssi = rssi;
  if (snr !== undefined) row.snr = snr;
  const dr = events.find((e) => e.dataRate)?.dataRate;
  if (dr) row.dataRate = dr;
  if (errorEvent) row.reason = `${errorEvent.name}${errorEvent.errorName ? `: ${errorEvent.errorName}` : ''}`;
  else if (outcome === 'pending') {
    const w = chain.findings.find((f) => f.severity === 'warning');
    if (w) row.reason = w.text;
  }
  return row;
}

/** How far back from the newest entry a growing list is grouped again (an uplink or join completes within seconds). */
export const LIVE_WINDOW_MS = 10_000;

/**
 * Messages of a growing, time-ordered list, re-assembled only at its live end: messages that ended
 * `LIVE_WINDOW_MS` before the newest entry keep their rows and only the entries after them are grouped
 * again (the window reaches back further while a message still open started earlier). A downlink the
 * application queued long before its transmission may then show as two rows until the list is next
 * assembled whole. A list that changed other than by growing at its end (a filter, an entry inserted in
 * the middle, older entries loaded) is assembled whole.
 */
export class MessageAssembler {
  #source: readonly EventSummary[] = [];
  #rows: MessageRow[] = [];

  update(source: readonly EventSummary[], limit = 20_000): MessageRow[] {
    const prev = this.#source;
    const n = prev.length;
    const grew = n > 0 && source.length >= n && source[0] === prev[0] && source[n - 1] === prev[n - 1];
    this.#source = source;
    if (!grew) return (this.#rows = assembleMessages(source, limit));
    if (source.length === n) return this.#rows;
    // Keep rows that ended before T, where no message still open reaches back past T.
    let t = prev[n - 1]!.ms - LIVE_WINDOW_MS;
    for (;;) {
      let lowest = t;
      for (const r of this.#rows) if (r.lastMs >= t && r.ms < lowest) lowest = r.ms;
      if (lowest >= t) break;
      t = lowest;
    }
    const kept = this.#rows.filter((r) => r.lastMs < t);
    let from = source.length;
    while (from > 0 && source[from - 1]!.ms >= t) from--;
    const tail = assembleMessages(source.slice(from), limit);
    const rows = kept.concat(tail);
    return (this.#rows = rows.length > limit ? rows.slice(rows.length - limit) : rows);
  }
}
