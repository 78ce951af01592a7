/**
 * Where the LoRaWAN message of one event lives, across every data type and TTS version: the one place
 * that knows that `as.up.data.forward` nests its frame in `uplink_message`, that `gs.down.send` of some
 * versions has only `raw_payload`, that Packet Broker relays name the real gateway elsewhere, and that
 * proto3 JSON leaves zero values out (the first uplink after a join has no `f_cnt` key at all).
 *
 * Pure and bounded: it reads at most a fixed number of gateways and never walks unknown depth, so a
 * hostile event cannot make it slow or throw. The list summary and the detail pane both build on it.
 */
import type { TtsEvent } from '../tts/types.js';
import { num, obj, str, type Json } from '../json/fields.js';
import { receptionsOf, type Reception, type ReceptionDetail } from './reception.js';

export type Direction = 'up' | 'down' | 'join';

export interface MessageFacts {
  direction: Direction;
  /** LoRaWAN message type (`UNCONFIRMED_UP`, `JOIN_ACCEPT`, …) when the event says or the frame shows it. */
  mType?: string;
  /** FCtrl ADR and ACK of a data frame, from the server's parsed header or the raw frame's (free with it). */
  adr?: boolean;
  ack?: boolean;
  fPort?: number;
  fCnt?: number;
  /** The 32-bit counter where the server gives it and it differs from the 16 bits on the air. */
  fullFCnt?: number;
  devAddr?: string;
  devEui?: string;
  /** FRMPayload as the event carries it (base64, or a redaction marker). */
  frmPayload?: string;
  decoded?: unknown;
  confirmed?: boolean;
  receptions: Reception[];
  /** Uplink radio settings, or the settings a downlink was scheduled with. */
  settings?: Json;
  /** What the network server asked for (RX1/RX2 windows, priority, class) on downlinks. */
  request?: Json;
  priority?: string;
  downlinkClass?: string;
  consumedAirtime?: string;
  rawPayload?: string;
  /**
   * Where a `*.schedule.success` put the downlink (ScheduleDownlinkResponse, v3.13.0+): the gateway of its
   * fixed downlink path and the window it used. Older servers give only the delay.
   */
  scheduled?: { gatewayId?: string; window?: 'RX1' | 'RX2' };
}

const DATA_MTYPES = new Set(['UNCONFIRMED_UP', 'CONFIRMED_UP', 'UNCONFIRMED_DOWN', 'CONFIRMED_DOWN']);
const MTYPE_BY_CODE = [
  'JOIN_REQUEST',
  'JOIN_ACCEPT',
  'UNCONFIRMED_UP',
  'UNCONFIRMED_DOWN',
  'CONFIRMED_UP',
  'CONFIRMED_DOWN',
  'REJOIN_REQUEST',
  'PROPRIETARY',
];

/** Each base64 character's six bits (-1: not base64, and `=`), by char code. */
const B64_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++)
  B64_VALUE['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(i)] = i;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Whether text reads as base64 (its first 4 KB: a hostile payload is not scanned whole). */
export function isBase64(b64: string): boolean {
  return BASE64.test(b64.length > 4096 ? b64.slice(0, 4096) : b64);
}

/**
 * Decode up to `into.length` bytes of base64 into `into`; the count, or -1 when the text is not base64.
 * By table, not `indexOf` in the alphabet: this runs on every captured frame header.
 */
function decodeBase64(b64: string, into: Uint8Array): number {
  if (!isBase64(b64)) return -1;
  let n = 0;
  let bits = 0;
  let value = 0;
  for (let i = 0; i < b64.length && n < into.length; i++) {
    const code = b64.charCodeAt(i);
    const v = code < 128 ? B64_VALUE[code]! : -1;
    if (v < 0) break;
    value = ((value << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      into[n++] = (value >> bits) & 0xff;
    }
  }
  return n;
}

/** The frame header's bytes, decoded into one buffer reused for every event (none is kept). */
const HEADER = new Uint8Array(24);

/** Each byte's upper-case hex. */
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).toUpperCase().padStart(2, '0'));

/** The clear-text header of a PHYPayload (`raw_payload`): enough for FPort, FCnt and DevAddr of a data frame. */
export function phyHeader(
  rawBase64: string,
): { mType: string; devAddr?: string; fCnt?: number; fPort?: number; fCtrl?: number } | undefined {
  const length = decodeBase64(rawBase64, HEADER);
  if (length < 1) return undefined;
  const b = HEADER;
  const mType = MTYPE_BY_CODE[b[0]! >> 5]!;
  if (!DATA_MTYPES.has(mType)) return { mType };
  // MHDR(1) DevAddr(4, little-endian) FCtrl(1) FCnt(2) FOpts(0–15) [FPort(1) FRMPayload] MIC(4).
  if (length < 12) return { mType };
  const devAddr = HEX[b[4]!]! + HEX[b[3]!]! + HEX[b[2]!]! + HEX[b[1]!]!;
  const fOptsLen = b[5]! & 0x0f;
  const fCnt = b[6]! | (b[7]! << 8);
  let chars = rawBase64.length;
  while (chars > 0 && rawBase64.charCodeAt(chars - 1) === 0x3d) chars--;
  const total = Math.floor((chars * 3) / 4);
  const portAt = 8 + fOptsLen;
  // No FPort when nothing follows FOpts but the MIC; port 0 carries MAC commands.
  const fPort = total > portAt + 4 ? b[portAt] : undefined;
  return { mType, devAddr, fCnt, fPort: fPort ?? 0, fCtrl: b[5]! };
}

/** Direction from the event name when the data does not tell (e.g. `gs.down.tx.success` has no data). */
/**
 * The names that say a direction, tried in this order (a join's downlink is a join): as RE2 reads them too, so
 * ClickHouse's `dir:` (query-sql.ts) asks the same of an event without data.
 */
export const DIRECTION_NAMES = {
  join: /(^|\.)(join|rejoin)(\.|$)/,
  down: /\.down(\.|$)|^gs\.txack|^ns\.txack|\.tx\./,
  up: /\.up(\.|$)/,
} as const;

/** The words `dir:` takes for each direction (in the capture's filter and in ClickHouse's SQL alike). */
const DIRECTION_WORDS: Record<string, Direction> = {
  up: 'up',
  uplink: 'up',
  down: 'down',
  downlink: 'down',
  join: 'join',
};

/** The direction a `dir:` word names, or `undefined` for any other word. */
export const directionWord = (word: string): Direction | undefined =>
  Object.hasOwn(DIRECTION_WORDS, word.toLowerCase()) ? DIRECTION_WORDS[word.toLowerCase()] : undefined;

export function directionOfName(name: string): Direction | undefined {
  // Three regular expressions per event added up: event names are few, so each is answered once.
  const known = directionByName.get(name);
  if (known !== undefined || directionByName.has(name)) return known;
  const d = DIRECTION_NAMES.join.test(name)
    ? 'join'
    : DIRECTION_NAMES.down.test(name)
      ? 'down'
      : DIRECTION_NAMES.up.test(name)
        ? 'up'
        : undefined;
  if (directionByName.size >= 4096) directionByName.clear();
  directionByName.set(name, d);
  return d;
}

const directionByName = new Map<string, Direction | undefined>();

/** Facts with every field declared, absent ones `undefined`: one object shape for all (as `newSummary`). */
function newFacts(direction: Direction, receptions: Reception[]): MessageFacts {
  return {
    direction,
    mType: undefined,
    adr: undefined,
    ack: undefined,
    fPort: undefined,
    fCnt: undefined,
    fullFCnt: undefined,
    devAddr: undefined,
    devEui: undefined,
    frmPayload: undefined,
    decoded: undefined,
    confirmed: undefined,
    receptions,
    settings: undefined,
    request: undefined,
    priority: undefined,
    downlinkClass: undefined,
    consumedAirtime: undefined,
    rawPayload: undefined,
    scheduled: undefined,
  };
}

/** The LoRaWAN message an event carries, or undefined when it carries none. */
export function messageFacts(event: TtsEvent, receptions: ReceptionDetail = 'full'): MessageFacts | undefined {
  const data = obj(event.data);
  const nameDir = directionOfName(event.name);
  if (!data) return nameDir ? newFacts(nameDir, []) : undefined;
  const type = str(data['@type']) ?? '';
  if (type.endsWith('ErrorDetails')) return nameDir ? newFacts(nameDir, []) : undefined;

  // Find the frame: ApplicationUp nests it, GatewayUplinkMessage wraps it, the rest carry it directly.
  const appDown =
    obj(data.downlink_queued) ??
    obj(data.downlink_sent) ??
    obj(data.downlink_ack) ??
    obj(data.downlink_nack) ??
    obj(obj(data.downlink_failed)?.downlink) ??
    obj(data.downlink_failed);
  // A gateway's transmission acknowledgment carries the downlink it acknowledges (v3.21.2+).
  const acknowledged = obj(data.downlink_message);
  const uplink =
    obj(data.uplink_message) ??
    obj(data.uplink_normalized) ??
    obj(data.message) ??
    (data.rx_metadata !== undefined ||
    // A MAC command's `raw_payload` (`ns.mac.command.unknown`) is the command's bytes, not a frame.
    (data.raw_payload !== undefined && !data.request && !data.scheduled && !type.includes('MACCommand'))
      ? data
      : undefined);
  const joinAccept = obj(data.join_accept);
  const isDownType =
    /ApplicationDownlink$|DownlinkMessage$|ScheduleDownlinkResponse$|TxAcknowledgment$/.test(type) ||
    appDown !== undefined ||
    data.request !== undefined ||
    data.scheduled !== undefined;
  let msg: Json | undefined;
  let direction: Direction | undefined;
  if (appDown) [msg, direction] = [appDown, 'down'];
  else if (acknowledged) [msg, direction] = [acknowledged, 'down'];
  else if (isDownType) [msg, direction] = [data, 'down'];
  else if (uplink) [msg, direction] = [uplink, 'up'];
  else if (joinAccept) [msg, direction] = [joinAccept, 'join'];
  else if (/JoinRequest$|JoinResponse$/.test(type)) [msg, direction] = [data, 'join'];
  if (!msg || !direction) return nameDir ? newFacts(nameDir, []) : undefined;

  const payload = obj(msg.payload);
  const mac = obj(payload?.mac_payload);
  const fHdr = obj(mac?.f_hdr);
  const raw = str(msg.raw_payload);
  const header = raw ? phyHeader(raw) : undefined;
  let mType = str(obj(payload?.m_hdr)?.m_type) ?? header?.mType;
  // proto3 omits enum 0, which is JOIN_REQUEST: a payload with a join-request body and no m_type is one.
  if (!mType && obj(payload?.join_request_payload)) mType = 'JOIN_REQUEST';
  if (
    mType === 'JOIN_REQUEST' ||
    mType === 'JOIN_ACCEPT' ||
    mType === 'REJOIN_REQUEST' ||
    obj(payload?.join_request_payload) ||
    obj(payload?.join_accept_payload)
  )
    direction = 'join';
  if (nameDir === 'join' && direction !== 'join' && !mac && !msg.f_port && !msg.frm_payload) direction = 'join';
  if (/^ns\.down\.join\./.test(event.name)) direction = 'join';

  const settings = obj(msg.scheduled) ?? obj(msg.settings);
  // Whether a left-out SNR is a zero depends on the modulation (see receptionsOf).
  const lora = obj(obj(settings?.data_rate)?.lora) !== undefined;
  const facts = newFacts(direction, receptionsOf(msg.rx_metadata, receptions, lora));
  if (mType) facts.mType = mType;
  // A data frame always has a frame counter, and an application message a port: absent means 0.
  const isDataFrame =
    direction !== 'join' &&
    (mac !== undefined ||
      (mType !== undefined && DATA_MTYPES.has(mType)) ||
      msg.frm_payload !== undefined ||
      msg.f_port !== undefined ||
      msg.f_cnt !== undefined ||
      /ApplicationDownlink$/.test(type) ||
      appDown !== undefined ||
      obj(data.uplink_message) !== undefined ||
      obj(data.uplink_normalized) !== undefined);
  // The server's parsed payload is authoritative (a key it left out is a zero); the clear-text header of
  // `raw_payload` is read only when the event carries no parsed payload (e.g. `gs.down.send`).
  const fPort = num(msg.f_port) ?? (mac ? (num(mac.f_port) ?? 0) : header?.fPort);
  const fCnt = num(msg.f_cnt) ?? (mac ? (num(fHdr?.f_cnt) ?? 0) : header?.fCnt);
  // Except a downlink the application just queued: the AS gives it its counter when it forwards it.
  const queued = event.name === 'as.down.data.receive' || obj(data.downlink_queued) !== undefined;
  if (isDataFrame) {
    facts.fPort = fPort ?? 0;
    if (fCnt !== undefined || !queued) facts.fCnt = fCnt ?? 0;
  }
  if (isDataFrame) {
    // proto3 leaves false flags out: a parsed header without `adr` has ADR off.
    const fCtrl = fHdr ? (obj(fHdr.f_ctrl) ?? {}) : undefined;
    const onAir = header?.fCtrl;
    if (fCtrl) {
      facts.adr = fCtrl.adr === true;
      facts.ack = fCtrl.ack === true;
    } else if (onAir !== undefined) {
      facts.adr = (onAir & 0x80) !== 0;
      facts.ack = (onAir & 0x20) !== 0;
    }
  }
  const full = num(mac?.full_f_cnt);
  if (full !== undefined && full !== facts.fCnt) facts.fullFCnt = full;
  const devAddr = str(fHdr?.dev_addr) ?? header?.devAddr;
  if (devAddr) facts.devAddr = devAddr;
  const endDevice = obj(data.end_device_ids) ?? obj(msg.end_device_ids);
  // A gateway's join-request names its device only inside the frame: the join-request's DevEUI.
  const joinRequest = obj(payload?.join_request_payload);
  const devEui =
    str(event.identifiers?.[0]?.device_ids?.dev_eui) ?? str(endDevice?.dev_eui) ?? str(joinRequest?.dev_eui);
  if (devEui) facts.devEui = devEui;
  if (!facts.devAddr) {
    const a = str(event.identifiers?.[0]?.device_ids?.dev_addr) ?? str(endDevice?.dev_addr);
    if (a) facts.devAddr = a;
  }
  const frm = str(msg.frm_payload) ?? str(mac?.frm_payload);
  if (frm !== undefined) facts.frmPayload = frm;
  if (msg.decoded_payload !== undefined) facts.decoded = msg.decoded_payload;
  if (msg.confirmed === true || mType === 'CONFIRMED_UP' || mType === 'CONFIRMED_DOWN') facts.confirmed = true;
  if (settings) facts.settings = settings;
  const request = obj(msg.request);
  if (request) facts.request = request;
  const priority = str(msg.priority) ?? str(request?.priority);
  if (priority) facts.priority = priority;
  const cls = str(request?.class) ?? (obj(msg.class_b_c) ? 'CLASS_B_C' : undefined);
  if (cls) facts.downlinkClass = cls;
  const airtime = str(msg.consumed_airtime);
  if (airtime) facts.consumedAirtime = airtime;
  if (raw) facts.rawPayload = raw;
  if (type.endsWith('ScheduleDownlinkResponse')) {
    const gatewayId = str(obj(obj(obj(data.downlink_path)?.fixed)?.gateway_ids)?.gateway_id);
    const window = data.rx1 === true ? 'RX1' : data.rx2 === true ? 'RX2' : undefined;
    if (gatewayId || window) facts.scheduled = { ...(gatewayId ? { gatewayId } : {}), ...(window ? { window } : {}) };
  }
  return facts;
}

/**
 * Whether two uplink counters of one device can be the same frame: equal, or equal in the 16 bits on the air
 * when one of them is only those (a server event without `full_f_cnt` past 65,535 frames).
 */
export function sameFrameCounter(a: number, b: number): boolean {
  return a === b || ((a < 0x10000 || b < 0x10000) && (a & 0xffff) === (b & 0xffff));
}

/** Correlation IDs from the envelope and from `data.correlation_ids` (some versions put them only there), once each. */
export function allCorrelationIds(event: TtsEvent): string[] {
  const out: string[] = [];
  const seen = addIds(event.correlation_ids, out, undefined);
  addIds(obj(event.data)?.correlation_ids, out, seen);
  return out;
}

/** Append the first 256 strings of `list` not in `out`; a set (returned) only for long lists, not the usual handful. */
function addIds(list: unknown, out: string[], seen: Set<string> | undefined): Set<string> | undefined {
  if (!Array.isArray(list)) return seen;
  for (let i = 0; i < list.length && i < 256; i++) {
    const c: unknown = list[i];
    if (typeof c !== 'string' || (seen ? seen.has(c) : out.includes(c))) continue;
    out.push(c);
    seen?.add(c);
    if (!seen && out.length > 16) seen = new Set(out);
  }
  return seen;
}
