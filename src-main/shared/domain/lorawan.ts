/**
 * The LoRaWAN facts of one event, for the detail pane's summary: identifiers, counters, payload in
 * three forms, per-gateway reception, radio settings. Pure; tolerant of every data type that carries
 * an uplink or downlink (ApplicationUp, UplinkMessage, GatewayUplinkMessage, DownlinkMessage, …).
 */
import { base64ToHex, otherDataRateText } from './summary.js';
import { isBase64, messageFacts } from './message.js';
import type { Reception } from './reception.js';
import type { TtsEvent } from '../tts/types.js';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
const num = (v: unknown): number | undefined =>
  typeof v === 'number'
    ? v
    : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))
      ? Number(v)
      : undefined;

/** A reception as the detail pane lists it: its location as text, a relay's networks in words. */
export interface RxRow extends Omit<Reception, 'location' | 'packetBroker'> {
  location?: string;
  /** `Packet Broker` for receptions relayed from another network. */
  via?: string;
  /** The forwarding network's own gateway ID (Packet Broker relays). */
  forwarderGatewayId?: string;
  networks?: string;
}

export interface LorawanSummary {
  direction?: 'uplink' | 'downlink' | 'join';
  identifiers: [label: string, value: string][];
  counters: [label: string, value: string][];
  /** `text` is set when the payload is not base64 (a redaction marker): show it as is. */
  payload?: { base64: string; hex: string; bytes: number; text?: string };
  decoded?: unknown;
  rx: RxRow[];
  settings: [label: string, value: string][];
}

/** A payload is shown in full up to this many bytes (hostile events can carry megabytes). */
const MAX_PAYLOAD_BYTES = 512;

function dataRate(dr: Json | undefined): string | undefined {
  const lora = obj(dr?.lora);
  if (lora) return `SF${str(lora.spreading_factor) ?? '?'} BW${(num(lora.bandwidth) ?? 0) / 1000} kHz`;
  return otherDataRateText(dr);
}

const mhz = (f: unknown) => {
  const v = num(f);
  return v === undefined ? undefined : `${(v / 1e6).toFixed(3)} MHz`;
};

function radio(settings: Json | undefined): [string, string][] {
  if (!settings) return [];
  const out: [string, string][] = [];
  const rate = dataRate(obj(settings.data_rate));
  if (rate) out.push(['Data rate', rate]);
  const dr = obj(settings.data_rate);
  // LR-FHSS's data rate carries its own coding rate (v3.15.0+); older servers put one in the settings.
  const cr = str(obj(dr?.lora)?.coding_rate) ?? str(obj(dr?.lrfhss)?.coding_rate) ?? str(settings.coding_rate);
  if (cr) out.push(['Coding rate', cr]);
  const f = mhz(settings.frequency);
  if (f) out.push(['Frequency', f]);
  if (settings.data_rate_index !== undefined) out.push(['DR index', String(settings.data_rate_index)]);
  const down = obj(settings.downlink);
  const power = num(down?.tx_power) ?? num(settings.tx_power);
  if (power !== undefined) out.push(['TX power', `${power} dBm`]);
  return out;
}

/** What the network server asked for a downlink: its RX windows, as the event names them. */
function downlinkRequest(request: Json | undefined): [string, string][] {
  if (!request) return [];
  const out: [string, string][] = [];
  const window = (n: 1 | 2) => {
    const parts = [
      dataRate(obj(request[`rx${n}_data_rate`])) ??
        (request[`rx${n}_data_rate_index`] !== undefined
          ? `DR${String(request[`rx${n}_data_rate_index`])}`
          : // Up to v3.15 a window had only its index, which proto3 leaves out when it is DR0.
            request[`rx${n}_frequency`] !== undefined && request[`rx${n}_data_rate`] === undefined
            ? 'DR0'
            : undefined),
      mhz(request[`rx${n}_frequency`]),
    ].filter(Boolean);
    if (parts.length) out.push([`RX${n}`, parts.join(' · ')]);
  };
  window(1);
  window(2);
  const delay = num(request.rx1_delay);
  if (delay !== undefined) out.push(['RX1 delay', `${delay} s`]);
  if (typeof request.frequency_plan_id === 'string') out.push(['Frequency plan', request.frequency_plan_id]);
  return out;
}

const DIRECTION_WORD = { up: 'uplink', down: 'downlink', join: 'join' } as const;

export function lorawanSummary(event: TtsEvent): LorawanSummary {
  const out: LorawanSummary = { identifiers: [], counters: [], rx: [], settings: [] };
  const ids = event.identifiers?.[0];
  const dev = ids?.device_ids;
  const facts = messageFacts(event);
  if (dev) {
    out.identifiers.push(['Device ID', dev.device_id]);
    if (dev.application_ids?.application_id)
      out.identifiers.push(['Application ID', dev.application_ids.application_id]);
    const eui = dev.dev_eui ?? facts?.devEui;
    if (eui) out.identifiers.push(['DevEUI', eui]);
    if (dev.join_eui) out.identifiers.push(['JoinEUI', dev.join_eui]);
    const addr = dev.dev_addr ?? facts?.devAddr;
    if (addr) out.identifiers.push(['DevAddr', addr]);
  } else if (ids?.gateway_ids) {
    out.identifiers.push(['Gateway ID', ids.gateway_ids.gateway_id]);
    if (ids.gateway_ids.eui) out.identifiers.push(['Gateway EUI', ids.gateway_ids.eui]);
    if (facts?.devEui) out.identifiers.push(['DevEUI', facts.devEui]);
    if (facts?.devAddr) out.identifiers.push(['DevAddr', facts.devAddr]);
  } else if (ids?.application_ids) out.identifiers.push(['Application ID', ids.application_ids.application_id]);

  if (!facts) return out;
  out.direction = DIRECTION_WORD[facts.direction];
  out.counters.push(['Direction', out.direction]);
  // The Console's or the API's "Simulate uplink" (ApplicationUp `simulated`): the reception below is made up.
  if (obj(event.data)?.simulated === true) out.counters.push(['Simulated', 'yes: not radio traffic']);
  if (facts.fPort !== undefined)
    out.counters.push(['FPort', facts.fPort === 0 ? '0 (MAC commands only)' : String(facts.fPort)]);
  if (facts.fCnt !== undefined) out.counters.push(['FCnt', String(facts.fCnt)]);
  if (facts.fullFCnt !== undefined) out.counters.push(['Full FCnt', String(facts.fullFCnt)]);
  if (facts.mType) out.counters.push(['MType', facts.mType]);
  if (facts.confirmed) out.counters.push(['Confirmed', 'yes']);
  const frm = facts.frmPayload;
  if (frm !== undefined) {
    const valid = isBase64(frm);
    const bytes = valid ? Math.floor((frm.replace(/=+$/, '').length * 3) / 4) : 0;
    const shown = frm.length > MAX_PAYLOAD_BYTES * 2 ? frm.slice(0, MAX_PAYLOAD_BYTES * 2) + '…' : frm;
    // A redacted export carries a marker, not base64: show it as the text it is, not as decoded bytes.
    out.payload = valid
      ? { base64: shown, hex: base64ToHex(frm, MAX_PAYLOAD_BYTES), bytes }
      : { base64: shown, hex: shown, bytes, text: shown };
  }
  if (facts.decoded !== undefined) out.decoded = facts.decoded;
  for (const r of facts.receptions) {
    const row: RxRow = { gatewayId: r.gatewayId };
    if (r.eui) row.eui = r.eui;
    if (r.rssi !== undefined) row.rssi = r.rssi;
    if (r.channelRssi !== undefined) row.channelRssi = r.channelRssi;
    if (r.snr !== undefined) row.snr = r.snr;
    if (r.time) row.time = r.time;
    if (r.channel !== undefined) row.channel = r.channel;
    if (r.location) row.location = `${r.location.latitude.toFixed(5)}, ${r.location.longitude.toFixed(5)}`;
    const pb = r.packetBroker;
    if (pb) {
      row.via = 'Packet Broker';
      if (pb.forwarderGatewayId) row.forwarderGatewayId = pb.forwarderGatewayId;
      if (pb.forwarderGatewayEui) row.eui = pb.forwarderGatewayEui;
      const net = [
        pb.forwarderNetId &&
          `forwarder NetID ${pb.forwarderNetId}${pb.forwarderTenantId ? ` (${pb.forwarderTenantId})` : ''}`,
        pb.homeNetworkNetId &&
          `home NetID ${pb.homeNetworkNetId}${pb.homeNetworkTenantId ? ` (${pb.homeNetworkTenantId})` : ''}`,
      ]
        .filter(Boolean)
        .join(', ');
      if (net) row.networks = net;
    }
    // A LoRaWAN relay: the `relay` pseudo-gateway stands for the relay end device that forwarded the uplink.
    if (r.relay) row.via = r.relay.deviceId ? `relay ${r.relay.deviceId}` : 'relay';
    out.rx.push(row);
  }
  if (facts.direction === 'down' || (facts.direction === 'join' && facts.request)) {
    out.settings = [
      ...radio(facts.settings).map(([k, v]) => [`Scheduled ${k.toLowerCase()}`, v] as [string, string]),
      ...downlinkRequest(facts.request),
    ];
    if (facts.priority) out.settings.push(['Priority', facts.priority]);
    if (facts.downlinkClass) out.settings.push(['Class', facts.downlinkClass]);
  } else out.settings = radio(facts.settings);
  // A join-accept's schedule.success is a join event without a request: its gateway and window show all the same.
  if (facts.scheduled?.gatewayId) out.settings.push(['Gateway', facts.scheduled.gatewayId]);
  if (facts.scheduled?.window) out.settings.push(['Window', facts.scheduled.window]);
  if (facts.consumedAirtime) out.settings.push(['Airtime', durationText(facts.consumedAirtime)]);
  return out;
}

/**
 * A protobuf JSON duration as people read it: `"0.051456s"` (the server's airtime) is "51.456 ms", `"1.5s"` is
 * "1.5 s". Anything else is shown as the server sent it.
 */
export function durationText(d: string): string {
  const m = /^(\d+)(?:\.(\d{1,9}))?s$/.exec(d);
  if (!m) return d;
  const nanos = Number(m[1]) * 1e9 + Number((m[2] ?? '').padEnd(9, '0'));
  const trim = (x: number) => String(Number(x.toFixed(3)));
  return nanos < 1e9 ? `${trim(nanos / 1e6)} ms` : `${trim(nanos / 1e9)} s`;
}
