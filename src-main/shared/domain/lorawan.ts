/**
 * The LoRaWAN facts of one event, for the detail pane's summary: identifiers, counters, payload in
 * three forms, per-gateway reception, radio settings. Pure; tolerant of every data type that carries
 * an uplink or downlink (ApplicationUp, UplinkMessage, GatewayUplinkMessage, DownlinkMessage, …).
 */
import { base64ToHex } from './summary.js';
import type { TtsEvent } from '../tts/types.js';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined);

export interface RxRow {
  gatewayId: string;
  eui?: string;
  rssi?: number;
  channelRssi?: number;
  snr?: number;
  time?: string;
  channel?: number;
  location?: string;
}

export interface LorawanSummary {
  direction?: 'uplink' | 'downlink' | 'join';
  identifiers: [label: string, value: string][];
  counters: [label: string, value: string][];
  payload?: { base64: string; hex: string; bytes: number };
  decoded?: unknown;
  rx: RxRow[];
  settings: [label: string, value: string][];
}

/** A payload is shown in full up to this many bytes (hostile events can carry megabytes). */
const MAX_PAYLOAD_BYTES = 512;

function radio(settings: Json | undefined): [string, string][] {
  if (!settings) return [];
  const out: [string, string][] = [];
  const lora = obj(obj(settings.data_rate)?.lora);
  if (lora) out.push(['Data rate', `SF${str(lora.spreading_factor) ?? '?'} BW${(num(lora.bandwidth) ?? 0) / 1000} kHz`]);
  const fsk = obj(obj(settings.data_rate)?.fsk);
  if (fsk) out.push(['Data rate', `FSK ${str(fsk.bit_rate) ?? '?'} bit/s`]);
  const cr = str(lora?.coding_rate) ?? str(settings.coding_rate);
  if (cr) out.push(['Coding rate', cr]);
  const f = num(settings.frequency);
  if (f !== undefined) out.push(['Frequency', `${(f / 1e6).toFixed(3)} MHz`]);
  if (settings.data_rate_index !== undefined) out.push(['DR index', String(settings.data_rate_index)]);
  return out;
}

export function lorawanSummary(event: TtsEvent): LorawanSummary {
  const out: LorawanSummary = { identifiers: [], counters: [], rx: [], settings: [] };
  const ids = event.identifiers?.[0];
  const dev = ids?.device_ids;
  if (dev) {
    out.identifiers.push(['Device ID', dev.device_id]);
    if (dev.application_ids?.application_id) out.identifiers.push(['Application ID', dev.application_ids.application_id]);
    if (dev.dev_eui) out.identifiers.push(['DevEUI', dev.dev_eui]);
    if (dev.join_eui) out.identifiers.push(['JoinEUI', dev.join_eui]);
    if (dev.dev_addr) out.identifiers.push(['DevAddr', dev.dev_addr]);
  } else if (ids?.gateway_ids) {
    out.identifiers.push(['Gateway ID', ids.gateway_ids.gateway_id]);
    if (ids.gateway_ids.eui) out.identifiers.push(['Gateway EUI', ids.gateway_ids.eui]);
  } else if (ids?.application_ids) out.identifiers.push(['Application ID', ids.application_ids.application_id]);

  const data = obj(event.data);
  if (!data) return out;
  const up = obj(data.uplink_message) ?? obj(data.message) ?? (data.rx_metadata || data.raw_payload || data.payload ? data : undefined);
  const down = obj(data.downlink_message) ?? obj(data.downlink_queued) ?? obj(data.downlink_sent) ?? obj(data.downlink_ack) ?? (obj(data.request) || data.scheduled ? data : undefined);
  const join = obj(data.join_accept);
  const msg = up ?? down ?? join;
  if (!msg) return out;
  out.direction = up ? (obj(obj(up.payload)?.join_request_payload) ? 'join' : 'uplink') : down ? 'downlink' : 'join';
  const mac = obj(obj(msg.payload)?.mac_payload);
  const fPort = num(msg.f_port) ?? num(mac?.f_port);
  const fCnt = num(msg.f_cnt) ?? num(obj(mac?.f_hdr)?.f_cnt);
  const fullFCnt = num(mac?.full_f_cnt);
  if (fPort !== undefined) out.counters.push(['FPort', String(fPort)]);
  if (fCnt !== undefined) out.counters.push(['FCnt', String(fCnt)]);
  if (fullFCnt !== undefined && fullFCnt !== fCnt) out.counters.push(['Full FCnt', String(fullFCnt)]);
  const mtype = str(obj(obj(msg.payload)?.m_hdr)?.m_type);
  if (mtype) out.counters.push(['MType', mtype]);
  if (msg.confirmed === true) out.counters.push(['Confirmed', 'yes']);
  const frm = str(msg.frm_payload) ?? str(mac?.frm_payload);
  if (frm !== undefined) {
    const bytes = Math.floor((frm.replace(/=+$/, '').length * 3) / 4);
    out.payload = { base64: frm.length > MAX_PAYLOAD_BYTES * 2 ? frm.slice(0, MAX_PAYLOAD_BYTES * 2) + '…' : frm, hex: base64ToHex(frm, MAX_PAYLOAD_BYTES), bytes };
  }
  if (msg.decoded_payload !== undefined) out.decoded = msg.decoded_payload;
  const rx = Array.isArray(msg.rx_metadata) ? (msg.rx_metadata as unknown[]) : [];
  for (const r of rx.slice(0, 100)) {
    const m = obj(r);
    if (!m) continue;
    const g = obj(m.gateway_ids);
    const loc = obj(m.location);
    const row: RxRow = { gatewayId: str(g?.gateway_id) ?? '?' };
    const eui = str(g?.eui);
    if (eui) row.eui = eui;
    const rssi = num(m.rssi);
    if (rssi !== undefined) row.rssi = rssi;
    const ch = num(m.channel_rssi);
    if (ch !== undefined) row.channelRssi = ch;
    const snr = num(m.snr);
    if (snr !== undefined) row.snr = snr;
    const time = str(m.time) ?? str(m.received_at);
    if (time) row.time = time;
    const idx = num(m.channel_index);
    if (idx !== undefined) row.channel = idx;
    if (loc && num(loc.latitude) !== undefined) row.location = `${num(loc.latitude)!.toFixed(5)}, ${num(loc.longitude)?.toFixed(5) ?? '?'}`;
    out.rx.push(row);
  }
  out.settings = radio(obj(msg.settings) ?? obj(obj(msg.request)?.rx1_data_rate ? msg.request : undefined));
  const consumed = num(msg.consumed_airtime) ?? str(msg.consumed_airtime);
  if (consumed !== undefined) out.settings.push(['Airtime', String(consumed)]);
  return out;
}
