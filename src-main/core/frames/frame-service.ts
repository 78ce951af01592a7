/**
 * Device keys in the OS keychain and frame decoding with them, in main only.
 *
 * A device's keys are one keychain item (service `event-desk`, account `device:<app>/<device>`, JSON of
 * hex keys): they are written one at a time from the window, never read back to it, and never written
 * to a file, a log or an export. Decoding happens only when asked (a frame opened, a `mic:` query).
 */
import {
  DEVICE_KEY_NAMES,
  type DecodedFrame,
  type DeviceKeyName,
  type DeviceKeys,
  type DeviceKeyState,
  type FrameView,
} from '../../shared/domain/frame.js';
import { messageFacts, type MessageFacts } from '../../shared/domain/message.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { DeviceIds, TtsEvent } from '../../shared/tts/types.js';
import type { SecretStore } from '../secrets/secret-store.js';
import { decodeFrame, type DecodeOptions } from './decode.js';
import { sessionKeysFromJoin } from './join-frames.js';
import { FCntHistory } from './fcnt-history.js';
import { AckCandidates } from './ack-candidates.js';
import type { JoinFrames } from './join-lookup.js';
import { serverDisagreements } from './server-view.js';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;

/** The keychain account of a device's keys: a namespace apart from the profiles' API keys. */
export const deviceAccount = (applicationId: string, deviceId: string) => `device:${applicationId}/${deviceId}`;

const KEY_HEX = /^[0-9a-fA-F]{32}$/;

/** Parse a device's stored keys, keeping only well-formed ones (a hand-edited keychain item must not throw). */
export function parseDeviceKeys(text: string | undefined): DeviceKeys {
  if (!text) return {};
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    const out: DeviceKeys = {};
    for (const k of DEVICE_KEY_NAMES)
      if (typeof v[k] === 'string' && KEY_HEX.test(v[k] as string)) out[k] = (v[k] as string).toUpperCase();
    return out;
  } catch {
    return {};
  }
}

type Device = { applicationId: string; deviceId: string };

export interface FrameServiceOptions {
  /** The join-request a join-accept answers (its 1.1 MIC covers JoinEUI and DevNonce): the capture index knows. */
  findJoinRequest?: (eventId: number, device: Device) => Promise<Buffer | undefined>;
  /** The devices' frame counters, saved with the captures (default: in memory only). */
  counters?: FCntHistory;
}

export class FrameService {
  /** Devices seen in events, by DevAddr: a gateway's frame names no device, only its DevAddr. */
  readonly #byDevAddr = new Map<string, Device>();
  /** The counters frames proved per device and direction, to recover the upper 16 bits. */
  readonly counters: FCntHistory;
  /** The uplinks a 1.1 downlink with ACK may answer (its MIC signs that uplink's counter). */
  readonly #acks = new AckCandidates();
  readonly #keysChanged = new Set<() => void>();
  /** Keys read once for a batch of decodes (a `mic:` query over many frames), dropped when it ends. */
  #batchKeys: Map<string, Promise<Result<DeviceKeys>>> | undefined;

  constructor(
    private readonly secrets: SecretStore,
    private readonly getEvent: (id: number) => Promise<Result<TtsEvent>> | Result<TtsEvent>,
    /** The join a data frame's session came from (the capture index knows); none = root keys are not used for data frames. */
    private readonly findJoin?: (eventId: number, device: Device) => Promise<JoinFrames | undefined>,
    private readonly options: FrameServiceOptions = {},
  ) {
    this.counters = options.counters ?? new FCntHistory();
  }

  async keys(applicationId: string, deviceId: string): Promise<Result<DeviceKeys>> {
    const account = deviceAccount(applicationId, deviceId);
    const cached = this.#batchKeys?.get(account);
    if (cached) return cached;
    const read = this.secrets.get(account).then((r) => (r.ok ? ok(parseDeviceKeys(r.value)) : r));
    this.#batchKeys?.set(account, read);
    return read;
  }

  /** Run many decodes with each device's keys read from the keychain once; the counters are saved after. */
  async batch<T>(run: () => Promise<T>): Promise<T> {
    const outer = this.#batchKeys;
    this.#batchKeys ??= new Map();
    try {
      return await run();
    } finally {
      if (!outer) this.#batchKeys = undefined;
      await this.counters.save();
    }
  }

  /** Called when a device's keys are set or cleared (cached verdicts are then stale). */
  onKeysChanged(listener: () => void): () => void {
    this.#keysChanged.add(listener);
    return () => this.#keysChanged.delete(listener);
  }

  #changed(): void {
    this.#batchKeys?.clear();
    for (const l of this.#keysChanged) l();
  }

  async keyState(applicationId: string, deviceId: string): Promise<Result<DeviceKeyState>> {
    const r = await this.keys(applicationId, deviceId);
    return r.ok ? ok({ applicationId, deviceId, set: Object.keys(r.value) as DeviceKeyName[] }) : r;
  }

  /** Set one key (32 hex digits); the others stay. */
  async setKey(
    applicationId: string,
    deviceId: string,
    name: DeviceKeyName,
    hex: string,
  ): Promise<Result<DeviceKeyState>> {
    const value = hex.replace(/[\s:-]/g, '');
    if (!KEY_HEX.test(value))
      return err('invalid-input', 'A key is 16 bytes: 32 hexadecimal digits (spaces, colons and dashes are ignored).');
    const current = await this.keys(applicationId, deviceId);
    if (!current.ok) return current;
    const next = { ...current.value, [name]: value.toUpperCase() };
    const saved = await this.secrets.set(deviceAccount(applicationId, deviceId), JSON.stringify(next));
    this.#changed();
    return saved.ok ? ok({ applicationId, deviceId, set: Object.keys(next) as DeviceKeyName[] }) : saved;
  }

  async clearKeys(applicationId: string, deviceId: string): Promise<Result<DeviceKeyState>> {
    const r = await this.secrets.delete(deviceAccount(applicationId, deviceId));
    this.#changed();
    return r.ok ? ok({ applicationId, deviceId, set: [] }) : r;
  }

  /** The device an event is about: its identifiers, or the device last seen with the frame's DevAddr. */
  deviceOf(event: TtsEvent, devAddr?: string): Device | undefined {
    const ids =
      event.identifiers?.find((i) => i.device_ids)?.device_ids ??
      (obj(obj(event.data)?.end_device_ids) as unknown as DeviceIds | undefined);
    const applicationId = ids?.application_ids?.application_id;
    const deviceId = ids?.device_id;
    if (applicationId && deviceId) {
      const device = { applicationId, deviceId };
      if (devAddr) this.#byDevAddr.set(devAddr, device);
      return device;
    }
    return devAddr ? this.#byDevAddr.get(devAddr) : undefined;
  }

  /** Decode an event's frame with its device's keys. */
  async decodeEvent(id: number): Promise<Result<FrameView>> {
    const ev = await this.getEvent(id);
    if (!ev.ok) return ev;
    const view = await this.decode(ev.value, id);
    await this.counters.save();
    return view;
  }

  async decode(event: TtsEvent, eventId?: number): Promise<Result<FrameView>> {
    const facts = messageFacts(event);
    const raw = facts?.rawPayload;
    const device = this.deviceOf(event, facts?.devAddr);
    if (!raw)
      return ok({
        keys: [],
        ...(device ? { device } : {}),
        note: 'This event carries no raw frame (raw_payload): only gateway and network server events do.',
      });
    const phy = Buffer.from(raw, 'base64');
    let keys: DeviceKeys = {};
    if (device) {
      const k = await this.keys(device.applicationId, device.deviceId);
      if (!k.ok) return k;
      keys = k.value;
    }
    const stored = Object.keys(keys) as DeviceKeyName[];
    // Only a root key: the session keys come from the join before this frame (derived here, never stored).
    let derivedNote: string | undefined;
    let unprovenJoin = false;
    const isData = phy.length > 0 && [2, 3, 4, 5].includes(phy[0]! >> 5);
    const hasSession = !!(keys.nwk_s_key ?? keys.f_nwk_s_int_key ?? keys.s_nwk_s_int_key);
    if (isData && !hasSession && (keys.app_key ?? keys.nwk_key) && device && eventId !== undefined && this.findJoin) {
      const join = await this.findJoin(eventId, device);
      const session = join && sessionKeysFromJoin(join.accept, join.request, keys);
      if (session && 'keys' in session) {
        keys = { ...keys, ...session.keys };
        derivedNote = `Session keys derived from the root key and the join-accept of ${join.time}.`;
      } else if (session) {
        derivedNote = `No session keys from the join-accept of ${join.time}: ${session.reason}`;
        unprovenJoin = true;
      } else
        derivedNote =
          'Only a root key is set and no join of this device precedes this frame in the capture: the session keys cannot be derived.';
    }
    const options: DecodeOptions = { keys };
    if (phy.length > 0 && phy[0]! >> 5 === 1 && device && eventId !== undefined && this.options.findJoinRequest) {
      // A 1.1 join-accept's MIC covers the join-request it answers: JoinReqType, JoinEUI and DevNonce.
      const request = await this.options.findJoinRequest(eventId, device);
      const r = request ? decodeFrame(request).join_request : undefined;
      if (r) options.joinRequest = { joinEui: r.join_eui, devEui: r.dev_eui, devNonce: r.dev_nonce, joinReqType: 0xff };
    }
    const frame = this.#decodeCounted(phy, options, device, facts, Date.parse(event.time));
    // Without proven session keys the frame was not checked at all: say so rather than "no NwkSKey".
    if (unprovenJoin && frame.mic === 'unchecked')
      frame.mic_reason = 'Not checked: session keys are derived only from a join-accept whose MIC the root key proves.';
    const disagreements = serverDisagreements(frame, payloadOf(event), phy);
    if (disagreements.length) frame.disagreements = disagreements;
    const view: FrameView = { frame, keys: stored, bytesHex: phy.subarray(0, 512).toString('hex').toUpperCase() };
    if (derivedNote) view.note = derivedNote;
    if (device) view.device = device;
    else
      view.note =
        'No device is known for this DevAddr yet: open an event of the device (e.g. ns.up.data.receive) to set or use its keys.';
    return ok(view);
  }

  /**
   * Decode with the 32-bit counter recovered: from the event's `full_f_cnt` when the server gave one, else
   * from the device's last counter before this frame (in time, so frames opened in any order agree). A
   * counter the MIC proves is remembered; a MIC that fails past 16 bits is tried once more on the 16 bits
   * alone (a new session after a join counts from 0 again).
   */
  #decodeCounted(
    phy: Buffer,
    options: DecodeOptions,
    device: Device | undefined,
    facts: MessageFacts | undefined,
    ms: number,
  ): DecodedFrame {
    const name = phy.length >= 12 ? counterName(phy, options.keys ?? {}) : undefined;
    if (!name || !device) return decodeFrame(phy, options);
    const key = `${device.applicationId}/${device.deviceId}/${name}`;
    const at = Number.isFinite(ms) ? ms : Number.MAX_SAFE_INTEGER;
    const last = facts?.fullFCnt ?? this.counters.before(key, at);
    const dev = `${device.applicationId}/${device.deviceId}`;
    if (name !== 'up' && name !== 'down' && (phy[5]! & 0x20) !== 0) {
      // A 1.1 downlink that acknowledges an uplink signs that uplink's counter (ConfFCnt), which only the
      // uplinks decoded before it suggest: candidates, so a miss says "not checked", never "invalid".
      const tried = this.#acks.before(dev, at);
      const up = this.counters.before(`${dev}/up`, at);
      if (up !== undefined && !tried.includes(up & 0xffff)) tried.push(up & 0xffff);
      if (tried.length) options.confFCntCandidates = tried;
    }
    let frame = decodeFrame(phy, last !== undefined ? { ...options, lastFCnt: last } : options);
    if (frame.mic === 'invalid' && (frame.full_f_cnt ?? 0) > 0xffff && facts?.fullFCnt === undefined) {
      const fresh = decodeFrame(phy, { ...options, fCntMsb: 0 });
      if (fresh.mic === 'valid') frame = fresh;
    }
    if (frame.mic === 'valid' && frame.full_f_cnt !== undefined) {
      this.counters.record(key, at, frame.full_f_cnt);
      this.#acks.record(dev, at, name === 'up', frame.full_f_cnt);
    }
    return frame;
  }
}

/**
 * Which counter a data frame uses: FCntUp, or FCntDown (1.0.x); 1.1 counts network downlinks (FPort 0 or
 * none) apart from application downlinks (NFCntDown, AFCntDown).
 */
function counterName(phy: Buffer, keys: DeviceKeys): string | undefined {
  const mtype = phy[0]! >> 5;
  if (mtype === 2 || mtype === 4) return 'up';
  if (mtype !== 3 && mtype !== 5) return undefined;
  if (!(keys.f_nwk_s_int_key ?? keys.s_nwk_s_int_key ?? keys.nwk_s_enc_key)) return 'down';
  const portAt = 8 + (phy[5]! & 0x0f);
  return phy.length > portAt + 4 && phy[portAt]! > 0 ? 'down-a' : 'down-n';
}

/** The server's parsed payload next to the raw frame, wherever the data type nests it. */
function payloadOf(event: TtsEvent): unknown {
  const d = obj(event.data);
  if (!d) return undefined;
  const m = obj(d.message) ?? obj(d.uplink_message) ?? d;
  return m.raw_payload !== undefined ? m.payload : undefined;
}
