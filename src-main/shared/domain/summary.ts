import { entityRef, type TtsEvent } from '../tts/types.js';
import type { Interner } from './intern.js';
import { jsonPreview } from '../json/bounded.js';

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
  /** Gateways named by the event (its identifiers or its uplink's rx metadata), at most eight. */
  gatewayIds?: string[];
  fPort?: number;
  fCnt?: number;
  rssi?: number;
  snr?: number;
  gateways?: number;
  dataRate?: string;
  /** Error name for `*.drop` / `*.fail` events. */
  errorName?: string;
  /** Short hex payload or a one-line status text. */
  preview: string;
  correlationIds: string[];
  /** Fetched afterwards from the server's `events/related` (not streamed into the capture). */
  backfilled?: boolean;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (typeof v === 'object' && v !== null ? (v as Json) : undefined);

/** Base64 to upper-case hex, capped so a hostile 1 MB payload never becomes a 2 MB preview. */
export function base64ToHex(b64: string, maxBytes = 32): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let bits = 0;
  let value = 0;
  let out = '';
  let count = 0;
  for (const ch of b64) {
    const i = alphabet.indexOf(ch);
    if (i < 0) continue;
    value = (value << 6) | i;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += ((value >> bits) & 0xff).toString(16).toUpperCase().padStart(2, '0');
      if (++count >= maxBytes) return out + '…';
    }
  }
  return out;
}

/** Find the uplink message inside the different data types that carry one. */
function uplinkOf(data: Json): Json | undefined {
  return obj(data.uplink_message) ?? obj(data.message) ?? (data.rx_metadata || data.raw_payload ? data : undefined);
}

function dataRateText(settings: Json | undefined): string | undefined {
  const lora = obj(obj(settings?.data_rate)?.lora);
  if (lora) return `SF${String(lora.spreading_factor)}BW${Number(lora.bandwidth) / 1000}`;
  return undefined;
}

/**
 * Build the list summary of one event. Pure: the same event always gives the same summary. With an
 * interner (the capture index passes one), repeated strings are shared instead of copied per event.
 */
export function summarizeEvent(event: TtsEvent, id: number, streamId: string, intern?: Interner): EventSummary {
  const ms = Date.parse(event.time);
  const ref = event.identifiers?.[0] ? entityRef(event.identifiers[0]) : undefined;
  const devIds = event.identifiers?.[0]?.device_ids;
  const summary: EventSummary = {
    id,
    streamId,
    kind: 'event',
    ms: Number.isNaN(ms) ? 0 : ms,
    time: event.time,
    name: intern ? intern.str(event.name) : event.name,
    entity: (intern ? intern.str(ref?.id) : ref?.id) ?? '',
    entityKind: ref?.kind ?? '',
    preview: '',
    correlationIds: intern ? (intern.list(event.correlation_ids ?? []) as string[]) : (event.correlation_ids ?? []),
  };
  const str = (v: string) => (intern ? intern.str(v) : v);
  if (ref?.application) summary.application = str(ref.application);
  if (devIds?.dev_eui) summary.devEui = str(devIds.dev_eui);
  if (devIds?.dev_addr) summary.devAddr = str(devIds.dev_addr);
  const gatewayIds = new Set<string>();
  for (const ids of event.identifiers ?? []) if (ids.gateway_ids?.gateway_id) gatewayIds.add(ids.gateway_ids.gateway_id);
  const data = obj(event.data);
  if (!data) {
    if (gatewayIds.size) summary.gatewayIds = intern ? (intern.list([...gatewayIds], true) as string[]) : [...gatewayIds];
    return summary;
  }

  if (event.name.endsWith('.drop') || event.name.endsWith('.fail') || data['@type']?.toString().endsWith('ErrorDetails')) {
    if (typeof data.name === 'string') {
      summary.errorName = str(data.name);
      summary.preview = String(data.message_format ?? data.name).replace(/\{(\w+)\}/g, (_m, k: string) => String(obj(data.attributes)?.[k] ?? k));
    }
  }
  const up = uplinkOf(data);
  if (up) {
    const macPayload = obj(obj(up.payload)?.mac_payload);
    const fPort = up.f_port ?? macPayload?.f_port;
    const fCnt = up.f_cnt ?? obj(macPayload?.f_hdr)?.f_cnt;
    if (typeof fPort === 'number') summary.fPort = fPort;
    if (typeof fCnt === 'number') summary.fCnt = fCnt;
    const rx = Array.isArray(up.rx_metadata) ? (up.rx_metadata as Json[]) : [];
    if (rx.length > 0) {
      summary.gateways = rx.length;
      let best: Json | undefined;
      for (const m of rx) {
        if (!best || Number(m.rssi) > Number(best.rssi)) best = m;
        const g = obj(m.gateway_ids)?.gateway_id;
        if (typeof g === 'string' && gatewayIds.size < 8) gatewayIds.add(g);
      }
      if (typeof best?.rssi === 'number') summary.rssi = best.rssi;
      if (typeof best?.snr === 'number') summary.snr = best.snr;
    }
    const dr = dataRateText(obj(up.settings));
    if (dr) summary.dataRate = str(dr);
    const frm = up.frm_payload ?? macPayload?.frm_payload;
    if (!summary.preview) {
      if (obj(up.decoded_payload)) summary.preview = jsonPreview(up.decoded_payload, 120);
      else if (typeof frm === 'string') summary.preview = base64ToHex(frm);
      else if (obj(obj(up.payload)?.join_request_payload)) summary.preview = 'join-request';
    }
  }
  if (gatewayIds.size) summary.gatewayIds = intern ? (intern.list([...gatewayIds], true) as string[]) : [...gatewayIds];
  if (!summary.preview && event.name === 'events.stream.start' && Array.isArray(data.value)) {
    summary.preview = `filter: ${(data.value as string[]).join(', ')}`.slice(0, 200);
  }
  return summary;
}
