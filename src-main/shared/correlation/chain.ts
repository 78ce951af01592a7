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

/** Where main finds chain members; an index over the retained capture. */
export interface ChainSource {
  get(id: number): EventSummary | undefined;
  byCorrelationId(correlationId: string): readonly EventSummary[];
  /** Events of one device (by `application/device`) between two times, for the join link. */
  byDevice(deviceKey: string, fromMs: number, toMs: number): readonly EventSummary[];
}

export const deviceKey = (s: Pick<EventSummary, 'application' | 'entity' | 'entityKind'>): string | undefined => (s.entityKind === 'device' ? `${s.application ?? ''}/${s.entity}` : undefined);

const JOIN_WINDOW_MS = 15_000;

/** Every event linked to `startId`, oldest first; at most `limit` (a runaway chain is cut, not hung on). */
export function collectChain(startId: number, source: ChainSource, limit = 500): { events: EventSummary[]; truncated: boolean } {
  const start = source.get(startId);
  if (!start) return { events: [], truncated: false };
  const seen = new Map<number, EventSummary>([[start.id, start]]);
  const seenIds = new Set<string>();
  const queue: EventSummary[] = [start];
  let truncated = false;
  const add = (e: EventSummary) => {
    if (seen.has(e.id)) return;
    if (seen.size >= limit) {
      truncated = true;
      return;
    }
    seen.set(e.id, e);
    queue.push(e);
  };
  while (queue.length) {
    const e = queue.shift()!;
    for (const id of e.correlationIds) {
      if (!isLinkingId(id) || seenIds.has(id)) continue;
      seenIds.add(id);
      for (const other of source.byCorrelationId(id)) add(other);
    }
    // The Join Server does not inherit the NS IDs: pair join events of the same device close in time.
    const key = deviceKey(e);
    const isNsJoin = e.name.startsWith('ns.up.join.');
    const isJs = e.name.startsWith('js.join.');
    if (key && (isNsJoin || isJs)) {
      for (const other of source.byDevice(key, e.ms - JOIN_WINDOW_MS, e.ms + JOIN_WINDOW_MS)) {
        if ((isNsJoin && other.name.startsWith('js.join.')) || (isJs && other.name.startsWith('ns.up.join.'))) add(other);
      }
    }
  }
  // Several streams may capture the same event: keep one copy.
  const unique = new Map<string, EventSummary>();
  for (const e of seen.values()) {
    const k = `${e.name}|${e.time}|${e.entity}|${e.correlationIds[0] ?? ''}`;
    if (!unique.has(k) || e.id === startId) unique.set(k, e);
  }
  const events = [...unique.values()].sort((a, b) => a.ms - b.ms || a.id - b.id);
  return { events, truncated };
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
  const t0 = events[0]?.ms ?? 0;
  let prev = t0;
  for (const e of events) {
    const lane = laneOf(e);
    if (!lanes.has(lane.id)) lanes.set(lane.id, lane);
    steps.push({ event: e, lane: lane.id, deltaMs: e.ms - prev, sinceStartMs: e.ms - t0 });
    prev = e.ms;
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
  return { kind, steps, lanes: orderedLanes, edges, findings: findingsOf(kind, events), truncated };
}

/** An index of summaries for `ChainSource`, fed as events arrive (a chain grows with them). */
export class ChainIndex implements ChainSource {
  readonly #byId = new Map<number, EventSummary>();
  readonly #byCorr = new Map<string, EventSummary[]>();
  readonly #byDevice = new Map<string, EventSummary[]>();

  add(s: EventSummary): void {
    if (s.kind !== 'event') return;
    this.#byId.set(s.id, s);
    for (const id of s.correlationIds) {
      if (!isLinkingId(id)) continue;
      const list = this.#byCorr.get(id);
      if (list) {
        // One ID is shared by a handful of events; a huge list means a connection-wide ID we do not know.
        if (list.length < 1000) list.push(s);
      } else this.#byCorr.set(id, [s]);
    }
    if (s.name.startsWith('js.join.') || s.name.startsWith('ns.up.join.')) {
      const key = deviceKey(s);
      if (key) (this.#byDevice.get(key) ?? this.#byDevice.set(key, []).get(key)!).push(s);
    }
  }

  get(id: number): EventSummary | undefined {
    return this.#byId.get(id);
  }

  byCorrelationId(id: string): readonly EventSummary[] {
    return this.#byCorr.get(id) ?? [];
  }

  byDevice(key: string, fromMs: number, toMs: number): readonly EventSummary[] {
    return (this.#byDevice.get(key) ?? []).filter((e) => e.ms >= fromMs && e.ms <= toMs);
  }
}
