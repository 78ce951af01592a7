/**
 * Messages: one row per LoRaWAN message (a data uplink, a join, a downlink) instead of the 6–11 events
 * each one causes. Events are grouped by the same rules as correlation chains (`linkDecision`: only
 * message-class IDs link, never across two devices or two frame counters of one device, never across
 * more than a minute; `message-groups.ts`); each group is then laid out by `analyzeChain`, which gives
 * its kind, steps and findings. Main groups a workspace's capture as it grows (`core/health/message-service.ts`)
 * and lays out only the rows a view shows.
 */
import type { EventSummary } from '../domain/summary.js';
import { receivers } from '../domain/reception.js';
import { analyzeChain, type Component } from '../correlation/chain.js';
import { NEVER_FORWARDED, type ChainFinding } from '../correlation/chain-findings.js';
import { stepsOf } from '../correlation/steps.js';
import { MessageGrouper } from './message-groups.js';
import { isDuplicate } from './overview.js';

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
  /** The Console's "Simulate uplink" (the Application Server's `simulated` flag): not radio traffic. */
  simulated?: true;
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

/**
 * Group a time-ordered list of entries into messages, newest last. At most `limit` of the newest
 * messages are laid out (the view shows the newest first; older ones are there when scrolled to).
 */
export function assembleMessages(entries: readonly EventSummary[], limit = 20_000): MessageRow[] {
  const grouper = new MessageGrouper();
  const byId = new Map<number, EventSummary>();
  for (const s of entries) if (grouper.add(s)) byId.set(s.id, s);
  const live = grouper.groups();
  const out: MessageRow[] = [];
  for (const g of live.slice(Math.max(0, live.length - limit))) {
    const row = messageRow(
      g.ids.map((id) => byId.get(id)!),
      g.retransmission,
    );
    if (row) out.push(row);
  }
  return out.sort((a, b) => a.ms - b.ms || a.id - b.id);
}

/**
 * One message's row, from its events; undefined for groups that are not a message (no direction at all).
 * `retransmission`: the device's previous uplink had the same counter (`MessageGroup.retransmission`).
 */
export function messageRow(eventsIn: readonly EventSummary[], retransmission = false): MessageRow | undefined {
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
    for (const g of receivers(e.gatewayIds) ?? []) gatewayIds.add(g);
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
    // `duplicate` in v3.8–3.17 (pkg/networkserver/errors.go), `duplicate_uplink` since v3.22.
    const dup = isDuplicate(errorEvent.errorName) || errorEvent.name === 'ns.up.receive_duplicate';
    outcome = dup ? 'deduplicated' : errorEvent.name.endsWith('.drop') ? 'dropped' : 'failed';
  } else if (names.has('ns.up.receive_duplicate')) outcome = 'deduplicated';
  else if (kind === 'uplink')
    outcome = steps.has('as-handled') ? 'delivered' : steps.has('ns-forwarded') ? 'forwarded' : 'pending';
  else if (kind === 'join')
    outcome = steps.has('join-accept-sent') || names.has('as.up.join.forward') ? 'accepted' : 'pending';
  else outcome = steps.has('down-acked') || steps.has('down-sent') ? 'sent' : 'pending';
  // A frame sent again is processed but not forwarded, by design (grpc_gsns.go: `!matched.IsRetransmission`).
  const repeated = kind === 'uplink' && outcome === 'pending' && retransmission && steps.has('ns-processed');
  if (repeated) outcome = 'deduplicated';
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
    findings: repeated ? chain.findings.filter((f) => !f.text.startsWith(NEVER_FORWARDED)) : chain.findings,
    packetBroker,
  };
  if (events.some((e) => e.simulated)) row.simulated = true;
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
  else if (repeated)
    row.reason =
      `A retransmission of FCnt ${fCntOf ?? '?'}: the device sent the frame again (ADR's NbTrans, or a confirmed ` +
      'uplink not yet acknowledged); the network server processes every copy and forwards the frame once.';
  else if (outcome === 'pending') {
    // A note says why the chain cannot show more (a gateway's stream): the reason when nothing is wrong.
    const w = chain.findings.find((f) => f.severity === 'warning') ?? chain.findings.find((f) => f.severity === 'note');
    if (w) row.reason = w.text;
  }
  return row;
}
