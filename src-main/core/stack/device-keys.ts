/**
 * Keys of the built-in stack's devices and the real frames they send (LoRaWAN 1.0.x): a root AppKey per
 * device, fixed by the seed and the DevEUI, and session keys derived from it at each join as a join
 * server does. DevNonce and JoinNonce count joins (1.0.4 and 1.1 make both counters), so the session
 * of a device's n-th join is known without running the stack: tests and the E2E read it here.
 */
import { createHash } from 'node:crypto';
import type { DeviceKeys } from '../../shared/domain/frame.js';
import {
  cipherPayload,
  dataMic10,
  deriveSessionKeys10,
  encryptJoinAccept,
  joinAcceptMic,
  joinRequestMic,
} from '../frames/crypto.js';

/** The stack's network (`net_id` in its join events). */
export const STACK_NET_ID = '000000';

/** Session keys of one join, as buffers (the stack signs every uplink with them). */
export interface StackSession {
  nwkSKey: Buffer;
  appSKey: Buffer;
}

/** Little-endian bytes of a counter, `width` bytes wide. */
const le = (n: number, width: number) => {
  const b = Buffer.alloc(width);
  b.writeUIntLE(n, 0, width);
  return b;
};

/** Wire (little-endian) bytes of a display-form hex value such as a DevAddr or EUI. */
const wire = (displayHex: string) => Buffer.from(displayHex, 'hex').reverse();

/** A device's root key: deterministic under the seed, different per device, independent of the scenario's random stream. */
export function stackAppKey(seed: number, devEui: string): Buffer {
  return createHash('sha256').update(`event-desk-stack/${seed}/${devEui.toUpperCase()}`).digest().subarray(0, 16);
}

/** The session of a device's `join`-th join (1 = the first). */
export function stackSession(seed: number, devEui: string, join = 1): StackSession {
  const k = deriveSessionKeys10(stackAppKey(seed, devEui), le(join, 3), wire(STACK_NET_ID), le(join, 2));
  return { nwkSKey: k.nwkSKey, appSKey: k.appSKey };
}

/** A device's keys as the app stores them (hex): AppKey and the session of its `join`-th join. */
export function stackDeviceKeys(seed: number, devEui: string, join = 1): DeviceKeys {
  const s = stackSession(seed, devEui, join);
  return {
    app_key: stackAppKey(seed, devEui).toString('hex').toUpperCase(),
    nwk_s_key: s.nwkSKey.toString('hex').toUpperCase(),
    app_s_key: s.appSKey.toString('hex').toUpperCase(),
  };
}

/**
 * A data frame (PHYPayload) as a LoRaWAN 1.0.x device sends it: FRMPayload encrypted with AppSKey, MIC
 * over the whole frame with NwkSKey (FCnt is the 32-bit counter; its low 16 bits go on the air).
 */
export function encodeDataFrame(
  mhdr: number,
  devAddr: string,
  fCnt: number,
  fPort: number,
  plain: Buffer,
  session: StackSession,
  fCtrl = 0x80,
): { phy: Buffer; frm: Buffer; mic: Buffer } {
  const addr = wire(devAddr.padStart(8, '0').slice(-8));
  const uplink = (mhdr >> 5) % 2 === 0;
  const frm = cipherPayload(fPort === 0 ? session.nwkSKey : session.appSKey, uplink, addr, fCnt, plain);
  const msg = Buffer.concat([
    Buffer.from([mhdr]),
    addr,
    Buffer.from([fCtrl, fCnt & 0xff, (fCnt >> 8) & 0xff, fPort]),
    frm,
  ]);
  const mic = dataMic10(session.nwkSKey, uplink, addr, fCnt, msg);
  return { phy: Buffer.concat([msg, mic]), frm, mic };
}

/** A join-request signed with AppKey. */
export function encodeJoinRequest(appKey: Buffer, joinEui: string, devEui: string, devNonce: number): Buffer {
  const msg = Buffer.concat([Buffer.from([0x00]), wire(joinEui), wire(devEui), le(devNonce, 2)]);
  return Buffer.concat([msg, joinRequestMic(appKey, msg)]);
}

/**
 * A 1.0.x join-accept encrypted with AppKey: JoinNonce, NetID, DevAddr, DLSettings (RX2 DR), RxDelay and
 * a CFList of frequencies (Hz), as the stack's join events describe it.
 */
export function encodeJoinAccept(
  appKey: Buffer,
  joinNonce: number,
  netId: string,
  devAddr: string,
  rx2Dr: number,
  rxDelay: number,
  cfListHz: readonly number[],
): Buffer {
  const cf = Buffer.alloc(cfListHz.length ? 16 : 0);
  cfListHz.slice(0, 5).forEach((hz, i) => cf.writeUIntLE(Math.round(hz / 100), i * 3, 3));
  const body = Buffer.concat([
    Buffer.from([0x20]),
    le(joinNonce, 3),
    wire(netId),
    wire(devAddr),
    Buffer.from([rx2Dr & 0x0f, rxDelay]),
    cf,
  ]);
  const mic = joinAcceptMic(appKey, body);
  return Buffer.concat([body.subarray(0, 1), encryptJoinAccept(appKey, Buffer.concat([body.subarray(1), mic]))]);
}
