/**
 * Correlation chains: which events belong to one uplink, join or downlink, and what is missing.
 *
 * Events link through shared correlation IDs. Whether an ID may link is decided per ID, by these rules
 * (in order; `linkDecision` applies them, and a chain reports every ID it left out and why). An ID does
 * not link when…
 *
 * - class: its prefix is a connection or subscription class (`gs:conn:`, `gs:up:host:`, `as:conn:`,
 *   `as:subscriber:`, `as:packages:`, `pba:conn:`) or a streaming call (`rpc:/…/LinkGateway`, `LinkApplication`,
 *   `Events/Stream`, `AppAs/Subscribe`, `StreamEvents`, `PullConfiguration`). Why: they live as long as the
 *   connection and sit on every message it carries (pre-3.28 servers put them on every event).
 * - too many: more than `MAX_MEMBERS` captured events carry it. Why: no single message has that many events;
 *   a long-lived ID the list above does not know yet.
 * - devices: its events name two different end devices. Why: one LoRaWAN message belongs to one device.
 * - frame counters: its uplink events carry two different FCnts of one device. Why: two frames are two
 *   messages (a retransmission keeps its FCnt; downlinks are not compared: their events carry the
 *   application's and the network's counters).
 * - lifetime: its events span more than `MAX_MESSAGE_SPAN_MS`, unless it is a downlink-class ID. Why: a message
 *   crosses the stack in seconds (a join-accept in ~5 s); a queued downlink (`as:downlink:`, `ns:downlink:`,
 *   `pba:downlink:`) may wait for the next uplink.
 *
 * Every other ID links: the message classes (`gs:uplink:`, `pba:uplink:`, `ns:uplink:`, `as:up:`, `as:downlink:`,
 * `ns:transmission:`, `gs:tx_ack:`, `gs:status:`, …) and per-call `rpc:` IDs. An event never links to itself
 * (some list an ID twice). `js.join.accept` shares no ID with the NS join events, so it is linked by device and
 * time. IDs inside `data.correlation_ids` count as the event's own (some versions put them only there).
 *
 * Pure: main answers `ChainSource` from its capture index, tests from a map.
 */
import type { EventSummary } from '../domain/summary.js';
import { sameFrameCounter } from '../domain/message.js';
import { findingsOf, kindOf, type ChainFinding, type ChainKind } from './chain-findings.js';

/** Prefixes of IDs that span a connection or subscription, never one message. */
const CONNECTION_CLASSES = ['gs:conn:', 'gs:up:host:', 'as:conn:', 'as:subscriber:', 'as:packages:', 'pba:conn:'];
/** Streaming gRPC calls: their `rpc:` ID is on everything the stream carries. */
const STREAMING_CALL =
  /^rpc:\/ttn\.lorawan\.v3\.[A-Za-z]+\/(LinkGateway|LinkApplication|Stream|Subscribe|StreamEvents|PullConfiguration|GetStoredApplicationUp):/;
const DOWNLINK_CLASSES = ['as:downlink:', 'ns:downlink:', 'pba:downlink:'];

/** More captured events than this on one ID: it is not one message. */
export const MAX_MEMBERS = 200;
/** A message (uplink, join with its accept, downlink with its TX ack) crosses the stack well within this. */
export const MAX_MESSAGE_SPAN_MS = 60_000;

/** Nanoseconds within the millisecond, from the RFC 3339 time (events in one chain are often in the same ms). */
export function subMillisNanos(time: string): number {
  const m = /\.(\d+)/.exec(time);
  if (!m) return 0;
  return Number(m[1]!.padEnd(9, '0').slice(3, 9));
}

/** Event-time order with nanosecond precision, then capture order. */
export const byEventTime = (a: EventSummary, b: EventSummary): number =>
  a.ms - b.ms || subMillisNanos(a.time) - subMillisNanos(b.time) || a.id - b.id;

/** Whether an ID may link by its class alone (the first rule); the others need its events. */
export function isLinkingId(id: string): boolean {
  if (!id.includes(':')) return false;
  return !CONNECTION_CLASSES.some((p) => id.startsWith(p)) && !STREAMING_CALL.test(id);
}

export interface LinkDecision {
  links: boolean;
  /** Why it does not link, in words a person reads in the chain view. */
  reason?: string;
}

/** Apply the rules to one ID and the captured events that carry it (at most `MAX_MEMBERS` + 1 of them). */
export function linkDecision(id: string, members: readonly EventSummary[]): LinkDecision {
  if (!isLinkingId(id))
    return { links: false, reason: 'a connection-wide ID (its class spans a whole connection or subscription)' };
  if (members.length > MAX_MEMBERS)
    return { links: false, reason: `on more than ${MAX_MEMBERS} events: longer-lived than one message` };
  const devices = new Set<string>();
  const counters = new Map<string, number>();
  let first = Infinity;
  let last = -Infinity;
  for (const e of members) {
    const dev = deviceKey(e);
    if (dev) devices.add(dev);
    if (devices.size > 1) return { links: false, reason: 'its events name two different devices' };
    // Uplinks only: a downlink's events carry the application's and the network's counters, which differ.
    if (dev && e.fCnt !== undefined && e.direction === 'up') {
      const k = dev;
      const seen = counters.get(k);
      if (seen !== undefined && !sameFrameCounter(seen, e.fCnt))
        return {
          links: false,
          reason: `its events carry frame counters ${Math.min(seen, e.fCnt)} and ${Math.max(seen, e.fCnt)} of one device: more than one message`,
        };
      counters.set(k, e.fCnt);
    }
    if (e.ms < first) first = e.ms;
    if (e.ms > last) last = e.ms;
  }
  if (last - first > MAX_MESSAGE_SPAN_MS && !DOWNLINK_CLASSES.some((p) => id.startsWith(p))) {
    return {
      links: false,
      reason: `its events span ${Math.round((last - first) / 1000)} s, far longer than one message`,
    };
  }
  return { links: true };
}

export type Component = 'gs' | 'ns' | 'as' | 'js' | 'is' | 'other';

export const COMPONENT_LABEL: Record<Component, string> = {
  gs: 'Gateway Server',
  ns: 'Network Server',
  as: 'Application Server',
  js: 'Join Server',
  is: 'Identity Server',
  other: 'Other',
};

export function componentOf(name: string): Component {
  const head = name.split('.')[0]!;
  if (head === 'gs' || head === 'gcs') return 'gs';
  if (head === 'ns' || head === 'as' || head === 'js') return head;
  if (['application', 'end_device', 'gateway', 'organization', 'user', 'client', 'oauth', 'account'].includes(head))
    return 'is';
  return 'other';
}

/**
 * Where chains find their members: main answers from its capture index (postings by correlation ID),
 * tests from a map.
 */
export interface ChainSource {
  get(id: number): EventSummary | undefined;
  /** Entries carrying this correlation ID, at most `limit` of them (the linker treats a longer list as connection-wide). */
  withCorrelationId(corrId: string, limit: number): readonly EventSummary[];
  /** Join events (ns.up.join.*, js.join.*) of one device (`application/device`) between two times. */
  joinEvents(deviceKey: string, fromMs: number, toMs: number): Iterable<EventSummary>;
}

export const deviceKey = (s: Pick<EventSummary, 'application' | 'entity' | 'entityKind'>): string | undefined =>
  s.entityKind === 'device' ? `${s.application ?? ''}/${s.entity}` : undefined;

const JOIN_WINDOW_MS = 15_000;

/** An ID the chain did not follow, and why. */
export interface UnlinkedId {
  id: string;
  reason: string;
}

/** Every event linked to `startId`, oldest first; at most `limit` (a runaway chain is cut, not hung on). */
export function collectChain(
  startId: number,
  source: ChainSource,
  limit = 500,
): { events: EventSummary[]; truncated: boolean; unlinked: UnlinkedId[] } {
  const start = source.get(startId);
  if (!start) return { events: [], truncated: false, unlinked: [] };
  const seen = new Map<number, EventSummary>([[start.id, start]]);
  const decided = new Set<string>();
  const unlinked: UnlinkedId[] = [];
  const probed = new Set<number>();
  let frontier: EventSummary[] = [start];
  let truncated = false;
  const add = (other: EventSummary, next: EventSummary[]): boolean => {
    if (seen.has(other.id)) return true;
    if (seen.size >= limit) {
      truncated = true;
      return false;
    }
    seen.set(other.id, other);
    next.push(other);
    return true;
  };
  for (let hop = 0; hop < 20 && frontier.length > 0 && !truncated; hop++) {
    const next: EventSummary[] = [];
    for (const e of frontier) {
      for (const id of e.correlationIds) {
        if (decided.has(id)) continue;
        decided.add(id);
        if (!isLinkingId(id)) {
          unlinked.push({ id, reason: linkDecision(id, []).reason! });
          continue;
        }
        const members = source.withCorrelationId(id, MAX_MEMBERS + 1);
        const decision = linkDecision(id, members);
        if (!decision.links) {
          unlinked.push({ id, reason: decision.reason! });
          continue;
        }
        for (const m of members) if (!add(m, next)) break;
      }
      // The Join Server does not inherit the NS IDs: pair join events of the same device close in time.
      const key = deviceKey(e);
      if (key && !probed.has(e.id) && (e.name.startsWith('ns.up.join.') || e.name.startsWith('js.join.'))) {
        probed.add(e.id);
        const want = e.name.startsWith('js.') ? 'ns.up.join.' : 'js.join.';
        for (const m of source.joinEvents(key, e.ms - JOIN_WINDOW_MS, e.ms + JOIN_WINDOW_MS))
          if (m.name.startsWith(want) && !add(m, next)) break;
      }
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
  return { events, truncated, unlinked };
}

/** Whether `s` is a join event of `deviceKey` between two times (for sources that answer `joinEvents` by scanning). */
export function isJoinEventOf(s: EventSummary, key: string, fromMs: number, toMs: number): boolean {
  return (
    s.kind === 'event' &&
    (s.name.startsWith('js.join.') || s.name.startsWith('ns.up.join.')) &&
    deviceKey(s) === key &&
    s.ms >= fromMs &&
    s.ms <= toMs
  );
}

/** A chain source over lists of summaries that scans them for each question (no extra index in memory). */
export function scanSource(
  lists: () => Iterable<readonly EventSummary[]>,
  get: (id: number) => EventSummary | undefined,
): ChainSource {
  return {
    get,
    withCorrelationId(corrId, limit) {
      const out: EventSummary[] = [];
      for (const list of lists()) {
        for (const s of list) {
          if (s.kind === 'event' && s.correlationIds.includes(corrId)) out.push(s);
          if (out.length >= limit) return out;
        }
      }
      return out;
    },
    *joinEvents(key, fromMs, toMs) {
      for (const list of lists()) for (const s of list) if (isJoinEventOf(s, key, fromMs, toMs)) yield s;
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

export interface Chain {
  kind: ChainKind;
  steps: ChainStep[];
  lanes: Lane[];
  edges: ChainEdge[];
  findings: ChainFinding[];
  truncated: boolean;
  /** How many of the events came from `events/related` rather than the streams. */
  backfilled: number;
  /** IDs on these events that were not followed, and why (connection-wide, several messages, …). */
  unlinked: UnlinkedId[];
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

/** Lay a chain out: lanes (one per gateway on the gateway server), steps with time deltas, edges, findings. */
export function analyzeChain(
  events: readonly EventSummary[],
  truncated = false,
  unlinkedIds: readonly UnlinkedId[] = [],
): Chain {
  const unlinked = new Set(unlinkedIds.map((u) => u.id));
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
  const orderedLanes = [...lanes.values()].sort(
    (a, b) => LANE_ORDER.indexOf(a.component) - LANE_ORDER.indexOf(b.component) || a.id.localeCompare(b.id),
  );
  // Edges: consecutive members of each shared ID (not every pair, which would draw a hairball).
  const edges: ChainEdge[] = [];
  const edgeKeys = new Set<string>();
  const members = new Map<string, EventSummary[]>();
  // Each event once per ID (some events list an ID twice): no edge goes from an event to itself.
  for (const e of events)
    for (const id of new Set(e.correlationIds))
      if (isLinkingId(id) && !unlinked.has(id)) (members.get(id) ?? members.set(id, []).get(id)!).push(e);
  for (const [id, list] of members) {
    for (let i = 1; i < list.length; i++) {
      if (list[i - 1]!.id === list[i]!.id) continue;
      const key = `${list[i - 1]!.id}>${list[i]!.id}`;
      if (edgeKeys.has(key)) continue;
      edgeKeys.add(key);
      edges.push({ from: list[i - 1]!.id, to: list[i]!.id, via: id });
    }
  }
  for (const js of events.filter((e) => e.name.startsWith('js.join.'))) {
    if (edges.some((x) => x.from === js.id || x.to === js.id)) continue;
    const ns =
      events.filter((e) => e.name.startsWith('ns.up.join.') && e.ms <= js.ms).pop() ??
      events.find((e) => e.name.startsWith('ns.up.join.'));
    if (ns) edges.push({ from: ns.id, to: js.id, via: 'device+time' });
  }
  const kind = kindOf(new Set(events.map((e) => e.name)));
  return {
    kind,
    steps,
    lanes: orderedLanes,
    edges,
    findings: findingsOf(kind, events),
    truncated,
    backfilled: events.filter((e) => e.backfilled).length,
    unlinked: [...unlinkedIds],
  };
}
