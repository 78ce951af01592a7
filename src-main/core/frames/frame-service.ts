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
import { messageFacts } from '../../shared/domain/message.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { DeviceIds, TtsEvent } from '../../shared/tts/types.js';
import type { SecretStore } from '../secrets/secret-store.js';
import { decodeFrame, sessionKeysFromJoin } from './decode.js';
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

export class FrameService {
  /** Devices seen in events, by DevAddr: a gateway's frame names no device, only its DevAddr. */
  readonly #byDevAddr = new Map<string, { applicationId: string; deviceId: string }>();
  /** The last 32-bit counter seen per device and direction, to recover the upper 16 bits. */
  readonly #lastFCnt = new Map<string, number>();

  constructor(
    private readonly secrets: SecretStore,
    private readonly getEvent: (id: number) => Promise<Result<TtsEvent>> | Result<TtsEvent>,
    /** The join a data frame's session came from (the capture index knows); none = root keys are not used for data frames. */
    private readonly findJoin?: (
      eventId: number,
      device: { applicationId: string; deviceId: string },
    ) => Promise<JoinFrames | undefined>,
  ) {}

  async keys(applicationId: string, deviceId: string): Promise<Result<DeviceKeys>> {
    const r = await this.secrets.get(deviceAccount(applicationId, deviceId));
    return r.ok ? ok(parseDeviceKeys(r.value)) : r;
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
    return saved.ok ? ok({ applicationId, deviceId, set: Object.keys(next) as DeviceKeyName[] }) : saved;
  }

  async clearKeys(applicationId: string, deviceId: string): Promise<Result<DeviceKeyState>> {
    const r = await this.secrets.delete(deviceAccount(applicationId, deviceId));
    return r.ok ? ok({ applicationId, deviceId, set: [] }) : r;
  }

  /** The device an event is about: its identifiers, or the device last seen with the frame's DevAddr. */
  deviceOf(event: TtsEvent, devAddr?: string): { applicationId: string; deviceId: string } | undefined {
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
    return this.decode(ev.value, id);
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
    const isData = phy.length > 0 && [2, 3, 4, 5].includes(phy[0]! >> 5);
    const hasSession = !!(keys.nwk_s_key ?? keys.f_nwk_s_int_key ?? keys.s_nwk_s_int_key);
    if (isData && !hasSession && (keys.app_key ?? keys.nwk_key) && device && eventId !== undefined && this.findJoin) {
      const join = await this.findJoin(eventId, device);
      const session = join ? sessionKeysFromJoin(join.accept, join.request, keys) : undefined;
      if (session) {
        keys = { ...keys, ...session };
        derivedNote = `Session keys derived from the root key and the join-accept of ${join!.time}.`;
      } else
        derivedNote =
          'Only a root key is set and no join of this device precedes this frame in the capture: the session keys cannot be derived.';
    }
    const counterKey = device ? `${device.applicationId}/${device.deviceId}/${facts?.direction ?? ''}` : undefined;
    const lastFCnt = facts?.fullFCnt ?? (counterKey ? this.#lastFCnt.get(counterKey) : undefined);
    const frame: DecodedFrame = decodeFrame(phy, { keys, ...(lastFCnt !== undefined ? { lastFCnt } : {}) });
    if (counterKey && frame.full_f_cnt !== undefined && frame.mic === 'valid')
      this.#lastFCnt.set(counterKey, frame.full_f_cnt);
    const disagreements = serverDisagreements(frame, payloadOf(event));
    if (disagreements.length) frame.disagreements = disagreements;
    const view: FrameView = { frame, keys: stored, bytesHex: phy.subarray(0, 512).toString('hex').toUpperCase() };
    if (derivedNote) view.note = derivedNote;
    if (device) view.device = device;
    else
      view.note =
        'No device is known for this DevAddr yet: open an event of the device (e.g. ns.up.data.receive) to set or use its keys.';
    return ok(view);
  }
}

/** The server's parsed payload next to the raw frame, wherever the data type nests it. */
function payloadOf(event: TtsEvent): unknown {
  const d = obj(event.data);
  if (!d) return undefined;
  const m = obj(d.message) ?? obj(d.uplink_message) ?? d;
  return m.raw_payload !== undefined ? m.payload : undefined;
}
