/**
 * Keys of the built-in stack's devices and the real frames they send: a root AppKey per device (and for
 * LoRaWAN 1.1 devices a NwkKey), fixed by the seed and the DevEUI, and session keys derived from them at
 * each join as a join server does (1.0.x: NwkSKey and AppSKey; 1.1: FNwkSIntKey, SNwkSIntKey, NwkSEncKey
 * and AppSKey). DevNonce and JoinNonce count joins (1.0.4 and 1.1 make both counters), so the session of
 * a device's n-th join is known without running the stack: tests and the E2E read it here.
 */
import { createHash } from 'node:crypto';
import type { DeviceKeys } from '../../shared/domain/frame.js';
import {
  cipherPayload,
  dataMic10,
  deriveJsKeys,
  deriveSessionKeys10,
  deriveSessionKeys11,
  downlinkMic11,
  encryptJoinAccept,
  joinAcceptMic,
  joinRequestMic,
  uplinkMic11,
} from '../frames/crypto.js';

/** The stack's network (`net_id` in its join events). */
export const STACK_NET_ID = '000000';

/** The stack's devices' JoinEUI (`join_eui` in its events). */
export const STACK_JOIN_EUI = '0000000000000000';

/** Session keys of one join, as buffers (the stack signs every uplink with them). */
export interface StackSession {
  /** 1.0.x: the one network key. 1.1: FNwkSIntKey (the key a 1.0 server would use). */
  nwkSKey: Buffer;
  appSKey: Buffer;
  /** LoRaWAN 1.1: the three network session keys. */
  v11?: { fNwkSIntKey: Buffer; sNwkSIntKey: Buffer; nwkSEncKey: Buffer };
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

/** A LoRaWAN 1.1 device's network root key: deterministic like its AppKey, and different from it. */
export function stackNwkKey(seed: number, devEui: string): Buffer {
  return createHash('sha256').update(`event-desk-stack/nwk/${seed}/${devEui.toUpperCase()}`).digest().subarray(0, 16);
}

/**
 * The session of a device's `join`-th join (1 = the first). 1.1 (OptNeg): network keys from NwkKey,
 * AppSKey from AppKey, over JoinNonce | JoinEUI | DevNonce.
 */
export function stackSession(seed: number, devEui: string, join = 1, v11 = false): StackSession {
  if (v11) {
    const k = deriveSessionKeys11(
      stackNwkKey(seed, devEui),
      stackAppKey(seed, devEui),
      le(join, 3),
      wire(STACK_JOIN_EUI),
      le(join, 2),
    );
    return {
      nwkSKey: k.fNwkSIntKey,
      appSKey: k.appSKey,
      v11: { fNwkSIntKey: k.fNwkSIntKey, sNwkSIntKey: k.sNwkSIntKey, nwkSEncKey: k.nwkSEncKey },
    };
  }
  const k = deriveSessionKeys10(stackAppKey(seed, devEui), le(join, 3), wire(STACK_NET_ID), le(join, 2));
  return { nwkSKey: k.nwkSKey, appSKey: k.appSKey };
}

const hexOf = (b: Buffer) => b.toString('hex').toUpperCase();

/**
 * A device's keys as the app stores them (hex): the root key(s) and the session of its `join`-th join
 * (1.0.x: AppKey, NwkSKey, AppSKey; 1.1: AppKey, NwkKey and the four session keys).
 */
export function stackDeviceKeys(seed: number, devEui: string, join = 1, v11 = false): DeviceKeys {
  const s = stackSession(seed, devEui, join, v11);
  if (s.v11)
    return {
      app_key: hexOf(stackAppKey(seed, devEui)),
      nwk_key: hexOf(stackNwkKey(seed, devEui)),
      f_nwk_s_int_key: hexOf(s.v11.fNwkSIntKey),
      s_nwk_s_int_key: hexOf(s.v11.sNwkSIntKey),
      nwk_s_enc_key: hexOf(s.v11.nwkSEncKey),
      app_s_key: hexOf(s.appSKey),
    };
  return {
    app_key: hexOf(stackAppKey(seed, devEui)),
    nwk_s_key: hexOf(s.nwkSKey),
    app_s_key: hexOf(s.appSKey),
  };
}

/** What a data frame carries besides its payload, and the 1.1 MIC's inputs. */
export interface FrameExtras {
  /** MAC commands in FOpts (clear; encrypted here with NwkSEncKey for a 1.1 session). */
  fOpts?: Buffer;
  /** 1.1: the counter of the frame this one acknowledges (ACK set), in its MIC. */
  confFCnt?: number;
  /** 1.1 uplink MIC: the data rate and channel index it was sent on. */
  txDr?: number;
  txCh?: number;
}

/**
 * A data frame (PHYPayload) as a device or network server sends it. 1.0.x: FRMPayload encrypted with
 * AppSKey (NwkSKey on FPort 0), MIC over the whole frame with NwkSKey. 1.1 (§4.3.1.6, §4.4): FOpts
 * encrypted with NwkSEncKey, FPort 0 with NwkSEncKey, the uplink MIC in two halves (SNwkSIntKey with
 * ConfFCnt, TxDr, TxCh; FNwkSIntKey), the downlink MIC with SNwkSIntKey and ConfFCnt. `fCnt` is the
 * 32-bit counter (its low 16 bits go on the air); no `fPort` = no FPort and no payload.
 */
export function encodeDataFrame(
  mhdr: number,
  devAddr: string,
  fCnt: number,
  fPort: number | undefined,
  plain: Buffer,
  session: StackSession,
  fCtrl = 0x80,
  extras: FrameExtras = {},
): { phy: Buffer; frm: Buffer; mic: Buffer } {
  const addr = wire(devAddr.padStart(8, '0').slice(-8));
  const uplink = (mhdr >> 5) % 2 === 0;
  const v11 = session.v11;
  let fOpts = extras.fOpts ?? Buffer.alloc(0);
  if (fOpts.length > 15) throw new Error('FOpts hold at most 15 bytes');
  if (v11 && fOpts.length)
    fOpts = cipherPayload(v11.nwkSEncKey, uplink, addr, fCnt, fOpts, {
      fOpts: true,
      aFCntDown: !uplink && fPort !== undefined && fPort > 0,
    });
  const portKey = fPort === 0 ? (v11?.nwkSEncKey ?? session.nwkSKey) : session.appSKey;
  const frm = fPort === undefined ? Buffer.alloc(0) : cipherPayload(portKey, uplink, addr, fCnt, plain);
  const msg = Buffer.concat([
    Buffer.from([mhdr]),
    addr,
    Buffer.from([(fCtrl & 0xf0) | fOpts.length, fCnt & 0xff, (fCnt >> 8) & 0xff]),
    fOpts,
    fPort === undefined ? Buffer.alloc(0) : Buffer.from([fPort]),
    frm,
  ]);
  const confFCnt = fCtrl & 0x20 ? (extras.confFCnt ?? 0) : 0;
  const mic = !v11
    ? dataMic10(session.nwkSKey, uplink, addr, fCnt, msg)
    : uplink
      ? uplinkMic11(v11.fNwkSIntKey, v11.sNwkSIntKey, confFCnt, extras.txDr ?? 0, extras.txCh ?? 0, addr, fCnt, msg)
      : downlinkMic11(v11.sNwkSIntKey, confFCnt, addr, fCnt, msg);
  return { phy: Buffer.concat([msg, mic]), frm, mic };
}

/** A join-request signed with the root key (AppKey in 1.0.x, NwkKey in 1.1). */
export function encodeJoinRequest(appKey: Buffer, joinEui: string, devEui: string, devNonce: number): Buffer {
  const msg = Buffer.concat([Buffer.from([0x00]), wire(joinEui), wire(devEui), le(devNonce, 2)]);
  return Buffer.concat([msg, joinRequestMic(appKey, msg)]);
}

/**
 * A join-accept encrypted with the root key: JoinNonce, NetID, DevAddr, DLSettings (RX2 DR), RxDelay and
 * a CFList of frequencies (Hz), as the stack's join events describe it. 1.0.x: the MIC with AppKey. 1.1
 * (`optNeg`: the answered join-request): DLSettings' OptNeg bit set, the MIC with JSIntKey over
 * JoinReqType | JoinEUI | DevNonce | MHDR | body (§6.2.3), encrypted with NwkKey.
 */
export function encodeJoinAccept(
  appKey: Buffer,
  joinNonce: number,
  netId: string,
  devAddr: string,
  rx2Dr: number,
  rxDelay: number,
  cfListHz: readonly number[],
  optNeg?: { joinEui: string; devEui: string; devNonce: number },
): Buffer {
  const cf = Buffer.alloc(cfListHz.length ? 16 : 0);
  cfListHz.slice(0, 5).forEach((hz, i) => cf.writeUIntLE(Math.round(hz / 100), i * 3, 3));
  const body = Buffer.concat([
    Buffer.from([0x20]),
    le(joinNonce, 3),
    wire(netId),
    wire(devAddr),
    Buffer.from([(optNeg ? 0x80 : 0) | (rx2Dr & 0x0f), rxDelay]),
    cf,
  ]);
  const mic = optNeg
    ? joinAcceptMic(deriveJsKeys(appKey, wire(optNeg.devEui)).jsIntKey, body, {
        joinReqType: 0xff,
        joinEui: wire(optNeg.joinEui),
        devNonce: le(optNeg.devNonce, 2),
      })
    : joinAcceptMic(appKey, body);
  return Buffer.concat([body.subarray(0, 1), encryptJoinAccept(appKey, Buffer.concat([body.subarray(1), mic]))]);
}
