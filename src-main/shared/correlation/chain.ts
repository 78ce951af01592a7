/**
 * Correlation chains: which events belong to one uplink, join or downlink, and what is missing.
 *
 * Events link through shared correlation IDs of the per-message classes (PROTOCOL.md 7.2: `gs:uplink:`,
 * `as:downlink:`, `ns:transmission:`, `gs:tx_ack:`, per-call `rpc:` IDs, and the pre-3.28 `gs:up:host:`,
 * `ns:uplink:`, `as:up:`). IDs that span a whole connection or subscription (`gs:conn:`, the
 * `LinkGateway` and `Events/Stream` calls) would tie unrelated messages together and are ignored.
 * `js.join.accept` shares no ID with the NS join events, so it is linked by device and time.
 *
 * Pure: main uses it over its index, tests over sample events, the renderer only draws the result.
 */
import type { EventSummary } from '../domain/summary.js';

const CONNECTION_WIDE = [
  // Legacy (pre-3.28): `gs:up:host:` names the upstream host connection, shared by every uplink it carries.
  'gs:conn:', 'gs:up:host:', 'as:subscriber:', 'as:packages:',
  'rpc:/ttn.lorawan.v3.Events/Stream:', 'rpc:/ttn.lorawan.v3.GtwGs/LinkGateway:', 'rpc:/ttn.lorawan.v3.AppAs/Subscribe:',
];

/** Nanoseconds within the millisecond, from the RFC 3339 time (events in one chain are often in the same ms). */
export function subMillisNanos(time: string): number {
  const m = /\.(\d+)/.exec(time);
  if (!m) return 0;
  return Number(m[1]!.padEnd(9, '0').slice(3, 9));
}

/** Event-time order with nanosecond precision, then capture order. */
export const byEventTime = (a: EventSummary, b: EventSummary): number => a.ms - b.ms || subMillisNanos(a.time) - subMillisNanos(b.time) || a.id - b.id;

/** Whether an ID links the events of one message (and not of a whole connection). */
export function isLinkingId(id: string): boolean {
  if (!id.includes(':')) return false;
  return !CONNECTION_WIDE.some((p) => id.startsWith(p));
}

export type Component = 'gs' | 'ns' | 'as' | 'js' | 'is' | 'other';

export const COMPONENT_LABEL: Record<Component, string> = { gs: 'Gateway Server', ns: 'Network Server', as: 'Application Server', js: 'Join Server', is: 'Identity Server', other: 'Other' };

export function componentOf(name: string): Component {
  const head = name.split('.')[0]!;
  if (head === 'gs' || head === 'gcs') return 'gs';
  if (head === 'ns' || head === 'as' || head === 'js') return head;
  if (['application', 'end_device', 'gateway', 'organization', 'user', 'client', 'oauth', 'account'].includes(head)) return 'is';
  return 'other';
}

/** A request for join events of one device close in time (the JS/NS join link). */
export interface JoinProbe {
  deviceKey: string;
  fromMs: number;
  toMs: number;
  /** Which side to look for: Join Server events for an NS join event, and the reverse. */
  want: 'js' | 'ns';
}

/**
 * Where chains find their members. `find` is called once per hop with every new ID, so a source can
 * answer with one pass over what it holds (main scans its capture index instead of keeping a map).
 */
export interface ChainSource {
  get(id: number): EventSummary | undefined;
  find(ids: ReadonlySet<string>, joins: readonly JoinProbe[]): Iterable<EventSummary>;
}

export const deviceKey = (s: Pick<EventSummary, 'application' | 'entity' | 'entityKind'>): string | undefined => (s.entityKind === 'device' ? `${s.application ?? ''}/${s.entity}` : undefined);

const JOIN_WINDOW_MS = 15_000;

/** Whether `s` answers one of the probes. */
export function matchesJoinProbe(s: EventSummary, joins: readonly JoinProbe[]): boolean {
  if (joins.length === 0 || s.entityKind !== 'device') return false;
  const isJs = s.name.startsWith('js.join.');
  const isNs = s.name.startsWith('ns.up.join.');
  if (!isJs && !isNs) return false;
  const key = deviceKey(s);
  return joins.some((p) => p.deviceKey === key && s.ms >= p.fromMs && s.ms <= p.toMs && (p.want === 'js' ? isJs : isNs));
}

/** Every event linked to `startId`, oldest first; at most `limit` (a runaway chain is cut, not hung on). */
export function collectChain(startId: number, source: ChainSource, limit = 500): { events: EventSummary[]; truncated: boolean } {
  const start = source.get(startId);
  if (!start) return { events: [], truncated: false };
  const seen = new Map<number, EventSummary>([[start.id, start]]);
  const seenIds = new Set<string>();
  const probed = new Set<number>();
  let frontier: EventSummary[] = [start];
  let truncated = false;
  for (let hop = 0; hop < 20 && frontier.length > 0; hop++) {
    const ids = new Set<string>();
    const joins: JoinProbe[] = [];
    for (const e of frontier) {
      for (const id of e.correlationIds) {
        if (!isLinkingId(id) || seenIds.has(id)) continue;
        seenIds.add(id);
        ids.add(id);
      }
      // The Join Server does not inherit the NS IDs: pair join events of the same device close in time.
      const key = deviceKey(e);
      if (key && !probed.has(e.id) && (e.name.startsWith('ns.up.join.') || e.name.startsWith('js.join.'))) {
        probed.add(e.id);
        joins.push({ deviceKey: key, fromMs: e.ms - JOIN_WINDOW_MS, toMs: e.ms + JOIN_WINDOW_MS, want: e.name.startsWith('js.') ? 'ns' : 'js' });
      }
    }
    if (ids.size === 0 && joins.length === 0) break;
    const next: EventSummary[] = [];
    for (const other of source.find(ids, joins)) {
      if (seen.has(other.id)) continue;
      if (seen.size >= limit) {
        truncated = true;
        break;
      }
      seen.set(other.id, other);
      next.push(other);
    }
    frontier = next;
  }
  // Several streams may capture the same event: keep one copy.
  const unique = new Map<string, EventSummary>();
  for (const e of seen.values()) {
    const k = `${e.name}|${e.time}|${e.entity}|${e.correlationIds[0] ?? ''}`;
    const prev = unique.get(k);
    // Prefer the start event, then what was captured over what was backfilled.
    if (!prev || e.id === startId || (prev.backfilled && !e.backfilled && prev.id !== startId)) unique.set(k, e);
  }
  const events = [...unique.values()].sort(byEventTime);
  return { events, truncated };
}

/** A chain source over lists of summaries, answering each hop with one pass (no extra index in memory). */
export function scanSource(lists: () => Iterable<readonly EventSummary[]>, get: (id: number) => EventSummary | undefined): ChainSource {
  return {
    get,
    *find(ids, joins) {
      for (const list of lists()) {
        for (const s of list) {
          if (s.kind !== 'event') continue;
          if (s.correlationIds.some((c) => ids.has(c)) || matchesJoinProbe(s, joins)) yield s;
        }
      }
    },
  };
}

export interface Lane {
  id: string;
  label: string;
  component: Component;
}

export interface ChainStep {
  event: EventSummary;
  lane: string;
  /** Milliseconds since the previous step (0 for the first). */
  deltaMs: number;
  sinceStartMs: number;
}

export interface ChainEdge {
  from: number;
  to: number;
  /** The shared correlation ID, or `device+time` for the join link. */
  via: string;
}

export interface ChainFinding {
  severity: 'error' | 'warning';
  text: string;
  eventId?: number;
}

export type ChainKind = 'uplink' | 'join' | 'downlink' | 'gateway-status' | 'registry' | 'other';

export interface Chain {
  kind: ChainKind;
  steps: ChainStep[];
  lanes: Lane[];
  edges: ChainEdge[];
  findings: ChainFinding[];
  truncated: boolean;
  /** How many of the events came from `events/related` rather than the streams. */
  backfilled: number;
}

function laneOf(e: EventSummary): Lane {
  const component = componentOf(e.name);
  if (component === 'gs') {
    const gw = e.entityKind === 'gateway' ? e.entity : e.gatewayIds?.[0];
    if (gw) return { id: `gs:${gw}`, label: `Gateway Server · ${gw}`, component };
  }
  return { id: component, label: COMPONENT_LABEL[component], component };
}

const LANE_ORDER: Component[] = ['gs', 'ns', 'as', 'js', 'is', 'other'];

function kindOf(names: Set<string>): ChainKind {
  const any = (re: RegExp) => [...names].some((n) => re.test(n));
  if (any(/^(ns\.up\.join|js\.join|ns\.down\.join|as\.up\.join)/)) return 'join';
  if (any(/^(gs\.up|ns\.up\.data|as\.up\.data|ns\.up\.)/)) return names.has('as.down.data.receive') || any(/^as\.down/) ? 'downlink' : 'uplink';
  if (any(/^(as\.down|ns\.down|gs\.down)/)) return 'downlink';
  if (any(/^gs\.status/)) return 'gateway-status';
  if (any(/^(application|end_device|gateway|organization|user|client)\.|end_device\./)) return 'registry';
  return 'other';
}

/** What a normal chain of this kind has that this one does not (yet), and its drops and failures. */
function findingsOf(kind: ChainKind, events: readonly EventSummary[]): ChainFinding[] {
  const names = new Set(events.map((e) => e.name));
  const has = (...n: string[]) => n.some((x) => names.has(x));
  const out: ChainFinding[] = [];
  for (const e of events) {
    if (/\.(drop|fail)$/.test(e.name) || e.name.endsWith('.reject')) out.push({ severity: 'error', text: `${e.name}${e.errorName ? `: ${e.errorName}` : ''}${e.preview ? ` (${e.preview})` : ''}`, eventId: e.id });
  }
  const dropped = out.length > 0;
  if (kind === 'uplink' || kind === 'downlink' || kind === 'join') {
    if (has('gs.up.receive') && !has('ns.up.data.receive', 'ns.up.join.receive', 'ns.up.data.process', 'ns.up.join.process') && !dropped) out.push({ severity: 'warning', text: 'Received by the gateway server, but the network server never handled it (not seen).' });
    if (has('ns.up.data.receive') && !has('ns.up.data.process') && !dropped) out.push({ severity: 'warning', text: 'The network server received the uplink but never processed it (not seen).' });
    if (has('ns.up.data.process', 'ns.up.data.forward') && !has('as.up.data.forward', 'as.up.data.receive') && !dropped) out.push({ severity: 'warning', text: 'Processed by the network server, but never forwarded to the application (as.up.data.forward not seen).' });
  }
  if (kind === 'join') {
    if (has('ns.up.join.process', 'ns.up.join.receive') && !has('js.join.accept', 'js.join.reject')) out.push({ severity: 'warning', text: 'The join request has no answer from the Join Server (js.join.accept not seen).' });
    if (has('js.join.accept') && !has('ns.down.join.schedule.success', 'gs.down.send')) out.push({ severity: 'warning', text: 'The join-accept was never sent to a gateway (gs.down.send not seen).' });
  }
  if (kind === 'downlink' || kind === 'join') {
    const scheduled = has('ns.down.data.schedule.attempt', 'ns.down.join.schedule.attempt', 'gs.down.schedule.attempt');
    if (has('as.down.data.forward', 'as.down.data.receive') && !scheduled && !has('as.down.data.sent.forward')) out.push({ severity: 'warning', text: 'The downlink is queued but was never scheduled (waiting for an uplink, or not seen).' });
    if (scheduled && !has('gs.down.send') && !dropped) out.push({ severity: 'warning', text: 'The downlink was scheduled but never sent by a gateway (gs.down.send not seen).' });
    if (has('gs.down.send') && !has('gs.down.tx.success', 'gs.txack.receive', 'gs.down.tx.fail')) out.push({ severity: 'warning', text: 'The downlink was sent, but no TX acknowledgment came back from the gateway.' });
  }
  return out;
}

/** Lay a chain out: lanes (one per gateway on the gateway server), steps with time deltas, edges, findings. */
export function analyzeChain(events: readonly EventSummary[], truncated = false): Chain {
  const lanes = new Map<string, Lane>();
  const steps: ChainStep[] = [];
  // Deltas keep sub-millisecond precision: a whole uplink can pass through a stack within one ms.
  const base = events[0]?.ms ?? 0;
  const at = (e: EventSummary) => e.ms - base + subMillisNanos(e.time) / 1e6;
  const t0 = events[0] ? at(events[0]) : 0;
  let prev = t0;
  for (const e of events) {
    const lane = laneOf(e);
    if (!lanes.has(lane.id)) lanes.set(lane.id, lane);
    steps.push({ event: e, lane: lane.id, deltaMs: at(e) - prev, sinceStartMs: at(e) - t0 });
    prev = at(e);
  }
  const orderedLanes = [...lanes.values()].sort((a, b) => LANE_ORDER.indexOf(a.component) - LANE_ORDER.indexOf(b.component) || a.id.localeCompare(b.id));
  // Edges: consecutive members of each shared ID (not every pair, which would draw a hairball).
  const edges: ChainEdge[] = [];
  const edgeKeys = new Set<string>();
  const members = new Map<string, EventSummary[]>();
  for (const e of events) for (const id of e.correlationIds) if (isLinkingId(id)) (members.get(id) ?? members.set(id, []).get(id)!).push(e);
  for (const [id, list] of members) {
    for (let i = 1; i < list.length; i++) {
      const key = `${list[i - 1]!.id}>${list[i]!.id}`;
      if (edgeKeys.has(key)) continue;
      edgeKeys.add(key);
      edges.push({ from: list[i - 1]!.id, to: list[i]!.id, via: id });
    }
  }
  for (const js of events.filter((e) => e.name.startsWith('js.join.'))) {
    if (edges.some((x) => x.from === js.id || x.to === js.id)) continue;
    const ns = events.filter((e) => e.name.startsWith('ns.up.join.') && e.ms <= js.ms).pop() ?? events.find((e) => e.name.startsWith('ns.up.join.'));
    if (ns) edges.push({ from: ns.id, to: js.id, via: 'device+time' });
  }
  const kind = kindOf(new Set(events.map((e) => e.name)));
  return { kind, steps, lanes: orderedLanes, edges, findings: findingsOf(kind, events), truncated, backfilled: events.filter((e) => e.backfilled).length };
}
