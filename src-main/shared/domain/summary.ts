import { entityRef, type TtsEvent } from '../tts/types.js';
import { eventTimeMs } from '../tts/event-time.js';
import type { Interner } from './intern.js';
import { jsonPreview } from '../json/bounded.js';
import { packFrameBits } from './frame-bits.js';
import { eventError } from './event-errors.js';
import { allCorrelationIds, isBase64, messageFacts, type Direction } from './message.js';
import { bestSignal, gatewayCount, isPseudoGateway, MAX_RECEPTIONS, receivingGateways } from './reception.js';

/**
 * What the live list needs about one captured entry, small enough to send in batches.
 *
 * Full event JSON stays in main and is fetched on demand by `id`.
 */
export interface EventSummary {
  /** Capture-local sequence number, unique across the app session. */
  id: number;
  streamId: string;
  /** `event` for server events; `status` for entries the app itself records (start, reconnect, gap). */
  kind: 'event' | 'status';
  /** Epoch milliseconds of the event's `time`. */
  ms: number;
  /** The server's RFC 3339 time string, kept for sub-millisecond display and export. */
  time: string;
  name: string;
  /** Display form of the first identifier, e.g. `dev1` or `gtw1`. */
  entity: string;
  entityKind: string;
  application?: string;
  devEui?: string;
  devAddr?: string;
  /**
   * Gateways named by the event (its identifiers or its uplink's rx metadata): every one its receptions name
   * (as many as `MAX_RECEPTIONS` are read), then the pseudo-gateway aliases (`packetbroker`, `relay`).
   */
  gatewayIds?: string[];
  /** Uplink, downlink or join, for events that carry a LoRaWAN message. */
  direction?: Direction;
  /**
   * The frame header's cheap bits, packed (see frame-bits.ts): message type, FCtrl ADR and ACK. Read from
   * what the header parse already gives; the frame itself is decoded only when opened or queried (#18).
   */
  frame?: number;
  /** FPort and FCnt, 0 where the message type implies them and proto3 JSON left the zero out. */
  fPort?: number;
  fCnt?: number;
  /** The strongest RSSI of any receiving gateway (dBm). */
  rssi?: number;
  /** The best SNR of any receiving gateway (dB): not necessarily the same gateway as `rssi`. */
  snr?: number;
  gateways?: number;
  dataRate?: string;
  /** Error name for `*.drop` / `*.fail` events. */
  errorName?: string;
  /**
   * The Application Server's `simulated` flag (ApplicationUp, v3.9+): the Console's "Simulate uplink" or the
   * API's, not radio traffic (gateway `test`, RSSI +42, no FCnt). Health leaves it out of frames and gateways.
   */
  simulated?: true;
  /** Short hex payload or a one-line status text. */
  preview: string;
  correlationIds: string[];
  /** Fetched afterwards from the server's `events/related` (not streamed into the capture). */
  backfilled?: boolean;
  /**
   * Every stream of the workspace that delivered this event (same `unique_id`), when more than one did:
   * the entry is one row for all of them. Absent when only `streamId` did.
   */
  streamIds?: string[];
  /**
   * For a row read from a team's recording (ClickHouse): the base URL of the server that delivered it. Its
   * `streamId` is the window's own, which says where the row was read, not who sent it.
   */
  server?: string;
}

/**
 * A summary with every field in one order, the optional ones `undefined` (which JSON leaves out): all
 * summaries then share one object shape, so the index, the feed and `JSON.stringify` read them through
 * one inline cache instead of one per combination of fields present. Adding the optional fields one by
 * one as found gave dozens of shapes, and building and reading them was ~5 % of ingest (#14).
 */
export function newSummary(
  id: number,
  streamId: string,
  kind: EventSummary['kind'],
  ms: number,
  time: string,
  name: string,
  entity: string,
  entityKind: string,
  preview: string,
  correlationIds: string[],
): EventSummary {
  return {
    id,
    streamId,
    kind,
    ms,
    time,
    name,
    entity,
    entityKind,
    application: undefined,
    devEui: undefined,
    devAddr: undefined,
    gatewayIds: undefined,
    direction: undefined,
    frame: undefined,
    fPort: undefined,
    fCnt: undefined,
    rssi: undefined,
    snr: undefined,
    gateways: undefined,
    dataRate: undefined,
    errorName: undefined,
    simulated: undefined,
    preview,
    correlationIds,
    backfilled: undefined,
    streamIds: undefined,
    server: undefined,
  };
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (typeof v === 'object' && v !== null ? (v as Json) : undefined);

/** Base64 to upper-case hex, capped so a hostile 1 MB payload never becomes a 2 MB preview. */
export function base64ToHex(b64: string, maxBytes = 32): string {
  let bits = 0;
  let value = 0;
  let out = '';
  let count = 0;
  for (let c = 0; c < b64.length; c++) {
    const code = b64.charCodeAt(c);
    const i = code < 128 ? B64[code]! : -1;
    if (i < 0) continue;
    // Only the bits not yet output matter (the low 14 at most): keeps `value` a small integer.
    value = ((value << 6) | i) & 0x3fff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += HEX[(value >> bits) & 0xff]!;
      if (++count >= maxBytes) return out + '…';
    }
  }
  return out;
}

/** Base64 digit values by character code (-1 for others), and each byte's upper-case hex. */
const B64 = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(i)] = i;
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).toUpperCase().padStart(2, '0'));

/** A string shared through the interner when there is one (the capture index passes none). */
const shared = (intern: Interner | undefined, v: string): string => (intern ? intern.str(v) : v);

/** Gateways of the event's identifiers, each once, in order (an array: there are one or two). */
function identifierGateways(event: TtsEvent): string[] {
  const out: string[] = [];
  for (const ids of event.identifiers ?? []) {
    const g = ids.gateway_ids?.gateway_id;
    if (g && !out.includes(g)) out.push(g);
  }
  return out;
}

function dataRateText(settings: Json | undefined): string | undefined {
  const dr = obj(settings?.data_rate);
  const lora = obj(dr?.lora);
  if (lora) return `SF${String(lora.spreading_factor)}BW${Number(lora.bandwidth) / 1000}`;
  return otherDataRateText(dr);
}

/**
 * An FSK or LR-FHSS data rate (`data_rate.fsk`, `data_rate.lrfhss`, v3.14.0+) as the list and the detail pane
 * show it: `FSK 50 kbit/s`, `LR-FHSS OCW 137 kHz`. They have no compact name like LoRa's `SF7BW125`, so the
 * text names the modulation and its unit. proto3 leaves zeros out: a rate without its number shows the name.
 */
export function otherDataRateText(dr: Json | undefined): string | undefined {
  const fsk = obj(dr?.fsk);
  if (fsk) {
    const bits = Number(fsk.bit_rate);
    return Number.isFinite(bits) && bits > 0 ? `FSK ${bits / 1000} kbit/s` : 'FSK';
  }
  const lrfhss = obj(dr?.lrfhss);
  if (lrfhss) {
    const ocw = Number(lrfhss.operating_channel_width);
    return Number.isFinite(ocw) && ocw > 0 ? `LR-FHSS OCW ${ocw / 1000} kHz` : 'LR-FHSS';
  }
  return undefined;
}

/**
 * Build the list summary of one event. Pure: the same event always gives the same summary. With an
 * interner (the capture index passes one), repeated strings are shared instead of copied per event.
 */
export function summarizeEvent(event: TtsEvent, id: number, streamId: string, intern?: Interner): EventSummary {
  const ms = eventTimeMs(event.time);
  const ref = event.identifiers?.[0] ? entityRef(event.identifiers[0]) : undefined;
  const devIds = event.identifiers?.[0]?.device_ids;
  const summary = newSummary(
    id,
    streamId,
    'event',
    Number.isNaN(ms) ? 0 : ms,
    event.time,
    intern ? intern.str(event.name) : event.name,
    (intern ? intern.str(ref?.id) : ref?.id) ?? '',
    ref?.kind ?? '',
    '',
    intern ? (intern.list(allCorrelationIds(event)) as string[]) : allCorrelationIds(event),
  );
  if (ref?.application) summary.application = shared(intern, ref.application);
  if (devIds?.dev_eui) summary.devEui = shared(intern, devIds.dev_eui);
  if (devIds?.dev_addr) summary.devAddr = shared(intern, devIds.dev_addr);
  const gatewayIds = identifierGateways(event);
  const data = obj(event.data);
  if (!data) {
    if (gatewayIds.length) summary.gatewayIds = intern ? (intern.list(gatewayIds, true) as string[]) : gatewayIds;
    return summary;
  }

  if (data.simulated === true) summary.simulated = true;
  const error = eventError(event.name, data);
  if (error) {
    summary.errorName = shared(intern, error.name);
    summary.preview = error.text;
  }
  const facts = messageFacts(event, 'signal');
  if (facts) {
    summary.direction = facts.direction;
    if (facts.fPort !== undefined) summary.fPort = facts.fPort;
    const frame = packFrameBits(facts.mType, facts.adr, facts.ack);
    if (frame) summary.frame = frame;
    // The Network Server's events carry the 16 bits sent on the air in f_hdr.f_cnt and the 32-bit counter in
    // full_f_cnt, the application's only the 32-bit one: past 65,535 frames only that one is the same on both.
    if (facts.fCnt !== undefined) summary.fCnt = facts.fullFCnt ?? facts.fCnt;
    if (!summary.devEui && facts.devEui) summary.devEui = shared(intern, facts.devEui);
    if (!summary.devAddr && facts.devAddr) summary.devAddr = shared(intern, facts.devAddr);
    if (facts.receptions.length > 0) {
      summary.gateways = gatewayCount(facts.receptions);
      const best = bestSignal(facts.receptions);
      if (best.rssi !== undefined) summary.rssi = best.rssi;
      if (best.snr !== undefined) summary.snr = best.snr;
      const received = receivingGateways(facts.receptions);
      // A relay that hides whom it stands for counts under its pseudo-gateway (`packetbroker`, `relay`):
      // first of all, where `receivers` sees it.
      let front = 0;
      while (front < received.length && isPseudoGateway(received[front]!)) front++;
      for (let i = front - 1; i >= 0; i--) if (!gatewayIds.includes(received[i]!)) gatewayIds.unshift(received[i]!);
      // Every gateway that heard it (as many as receptions are read), and the pseudo-gateway aliases after them.
      for (const g of received)
        if ((gatewayIds.length < MAX_RECEPTIONS || isPseudoGateway(g)) && !gatewayIds.includes(g)) gatewayIds.push(g);
    }
    // The gateway a downlink was scheduled on: `gateway:` finds its schedule.success.
    const scheduledOn = facts.scheduled?.gatewayId;
    if (scheduledOn && !gatewayIds.includes(scheduledOn)) gatewayIds.push(scheduledOn);
    const dr = dataRateText(facts.settings);
    if (dr) summary.dataRate = shared(intern, dr);
    if (!summary.preview) {
      if (obj(facts.decoded)) summary.preview = jsonPreview(facts.decoded, 120);
      else if (typeof facts.frmPayload === 'string')
        summary.preview = isBase64(facts.frmPayload) ? base64ToHex(facts.frmPayload) : facts.frmPayload.slice(0, 40);
      else if (facts.direction === 'join' && facts.mType === 'JOIN_REQUEST') summary.preview = 'join-request';
      else if (facts.direction === 'join' && facts.mType === 'JOIN_ACCEPT') summary.preview = 'join-accept';
    }
  }
  if (gatewayIds.length) summary.gatewayIds = intern ? (intern.list(gatewayIds, true) as string[]) : gatewayIds;
  if (!summary.preview && event.name === 'events.stream.start' && Array.isArray(data.value)) {
    summary.preview = `filter: ${(data.value as string[]).join(', ')}`.slice(0, 200);
  }
  return summary;
}
