/**
 * LoRaWAN frame cryptography on node:crypto (AES-128 ECB and AES-CMAC, RFC 4493): MICs, FRMPayload and
 * FOpts encryption, join-accept encryption and session-key derivation for LoRaWAN 1.0.x and 1.1.
 *
 * Byte order: every argument is in the order it has on the air (little-endian DevAddr, FCnt, nonces,
 * EUIs), as the specification's blocks use them. Hex helpers elsewhere turn the display form
 * (`260B0001`, big-endian) into wire order.
 *
 * Why not lora-packet: it computes AES with crypto-js (pure JavaScript; the built-in stack signs and
 * encrypts every uplink it generates, and `mic:` queries run over whole captures), it applies the 1.1
 * uplink ConfFCnt to every FPort 0 frame (LoRaWAN 1.1 §4.4 uses it only when ACK is set), and it throws
 * on ordinary frames with missing optional fields. The blocks below are short and follow the
 * specification section by section; they are tested against The Things Stack's own vectors.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';

type Cipheriv = ReturnType<typeof createCipheriv>;

export type Key = Buffer;

/**
 * One AES-128-ECB cipher per key, reused: ECB keeps no state between blocks, and with padding off
 * `update` returns every whole block at once, so a cached cipher is a pure block function. Creating a
 * cipher costs far more than encrypting a block, and the built-in stack encrypts and signs every uplink.
 */
const ecbByBuffer = new WeakMap<Buffer, Cipheriv>();
const ecbByHex = new Map<string, Cipheriv>();

function ecb(key: Key): Cipheriv {
  let c = ecbByBuffer.get(key);
  if (c) return c;
  const id = key.toString('hex');
  c = ecbByHex.get(id);
  if (!c) {
    c = createCipheriv('aes-128-ecb', key, null);
    c.setAutoPadding(false);
    if (ecbByHex.size > 4096) ecbByHex.clear();
    ecbByHex.set(id, c);
  }
  ecbByBuffer.set(key, c);
  return c;
}

/** AES-128-ECB over whole blocks (no padding): the block cipher of every LoRaWAN operation. */
export function aesEncrypt(key: Key, blocks: Buffer): Buffer {
  return ecb(key).update(blocks);
}

/** AES-128-ECB decryption: the device side of a join-accept (the server *decrypts* to encrypt it). */
export function aesDecrypt(key: Key, blocks: Buffer): Buffer {
  // A join-accept is encrypted with aes128_decrypt (LoRaWAN 1.0.x §6.2.5), so reading it takes encrypt
  // and writing it takes decrypt.
  const c = createDecipheriv('aes-128-ecb', key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(blocks), c.final()]);
}

/** Subkeys K1, K2 of RFC 4493 §2.3, per key: the stack signs many frames with few keys. */
const subkeyCache = new Map<string, [Buffer, Buffer]>();

function shiftLeft(b: Buffer): Buffer {
  const out = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) out[i] = ((b[i]! << 1) | (i < 15 ? b[i + 1]! >> 7 : 0)) & 0xff;
  if (b[0]! & 0x80) out[15]! ^= 0x87;
  return out;
}

const subkeysByBuffer = new WeakMap<Buffer, [Buffer, Buffer]>();

function subkeys(key: Key): [Buffer, Buffer] {
  let s = subkeysByBuffer.get(key);
  if (s) return s;
  const id = key.toString('hex');
  s = subkeyCache.get(id);
  if (!s) {
    const l = aesEncrypt(key, Buffer.alloc(16));
    const k1 = shiftLeft(l);
    s = [k1, shiftLeft(k1)];
    if (subkeyCache.size > 4096) subkeyCache.clear();
    subkeyCache.set(id, s);
  }
  subkeysByBuffer.set(key, s);
  return s;
}

/**
 * One AES-128-CBC cipher per key for CMAC's chain, reused. A CBC cipher carries its last output block into
 * the next call, so each MAC's first block is XORed with that block first: the chain then starts from zero,
 * as RFC 4493 wants, and a MAC is one `update` instead of one per block (the stack signs every frame).
 */
interface Chain {
  cipher: Cipheriv;
  last: Buffer;
}
const chainByBuffer = new WeakMap<Buffer, Chain>();
const chainByHex = new Map<string, Chain>();

function chain(key: Key): Chain {
  let c = chainByBuffer.get(key);
  if (c) return c;
  const id = key.toString('hex');
  c = chainByHex.get(id);
  if (!c) {
    const cipher = createCipheriv('aes-128-cbc', key, Buffer.alloc(16));
    cipher.setAutoPadding(false);
    c = { cipher, last: Buffer.alloc(16) };
    if (chainByHex.size > 4096) chainByHex.clear();
    chainByHex.set(id, c);
  }
  chainByBuffer.set(key, c);
  return c;
}

/** AES-CMAC (RFC 4493), all 16 bytes; LoRaWAN MICs are its first four. */
export function cmac(key: Key, message: Buffer): Buffer {
  const [k1, k2] = subkeys(key);
  const n = Math.max(1, Math.ceil(message.length / 16));
  const complete = message.length > 0 && message.length % 16 === 0;
  const padded = Buffer.alloc(n * 16);
  message.copy(padded);
  if (!complete) padded[message.length] = 0x80;
  const last = complete ? k1 : k2;
  for (let i = 0; i < 16; i++) padded[(n - 1) * 16 + i]! ^= last[i]!;
  // CBC-MAC: x = AES(x XOR block) over the blocks, the last x is the MAC.
  const c = chain(key);
  for (let i = 0; i < 16; i++) padded[i]! ^= c.last[i]!;
  const out = c.cipher.update(padded);
  const mac = out.subarray(out.length - 16);
  c.last = Buffer.from(mac);
  return mac;
}

/**
 * FRMPayload / FOpts encryption and decryption (the same XOR): blocks A_i = 0x01 | 4 × 0x00 (or the 1.1
 * FOpts constant) | Dir | DevAddr | FCnt (32 bits) | 0x00 | i (LoRaWAN 1.0.x §4.3.3, 1.1 §4.3.1.6).
 */
export function cipherPayload(
  key: Key,
  uplink: boolean,
  devAddr: Buffer,
  fCnt: number,
  data: Buffer,
  opts: { fOpts?: boolean; aFCntDown?: boolean } = {},
): Buffer {
  if (data.length === 0) return Buffer.alloc(0);
  const n = Math.ceil(data.length / 16);
  const blocks = Buffer.alloc(n * 16);
  for (let i = 0; i < n; i++) {
    const o = i * 16;
    blocks[o] = 0x01;
    // LoRaWAN 1.1 §4.3.1.6: FOpts use A with byte 4 = 0x01 (uplink and NFCntDown) or 0x02 (AFCntDown).
    if (opts.fOpts) blocks[o + 4] = opts.aFCntDown ? 0x02 : 0x01;
    blocks[o + 5] = uplink ? 0 : 1;
    devAddr.copy(blocks, o + 6);
    blocks.writeUInt32LE(fCnt >>> 0, o + 10);
    // Blocks count from 1, FOpts included: The Things Stack's vectors (data_messages_test.go) say so,
    // where the 1.1 text shows 0x00 there; we follow what servers and devices interoperate with.
    blocks[o + 15] = i + 1;
  }
  const s = aesEncrypt(key, blocks);
  const out = Buffer.alloc(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i]! ^ s[i]!;
  return out;
}

/** B0 of a data frame: 0x49 | ConfFCnt,TxDr,TxCh (1.1) or zeros | Dir | DevAddr | FCnt32 | 0x00 | len. */
function b0(prefix: Buffer, uplink: boolean, devAddr: Buffer, fCnt: number, len: number): Buffer {
  const b = Buffer.alloc(16);
  b[0] = 0x49;
  prefix.copy(b, 1, 0, 4);
  b[5] = uplink ? 0 : 1;
  devAddr.copy(b, 6);
  b.writeUInt32LE(fCnt >>> 0, 10);
  b[15] = len;
  return b;
}

/** LoRaWAN 1.0.x MIC of a data frame (§4.4): cmac(NwkSKey, B0 | msg)[0..3], msg = MHDR … FRMPayload. */
export function dataMic10(nwkSKey: Key, uplink: boolean, devAddr: Buffer, fCnt: number, msg: Buffer): Buffer {
  return cmac(nwkSKey, Buffer.concat([b0(Buffer.alloc(4), uplink, devAddr, fCnt, msg.length), msg])).subarray(0, 4);
}

/**
 * LoRaWAN 1.1 uplink MIC (§4.4): cmacS(SNwkSIntKey, B1 | msg)[0..1] | cmacF(FNwkSIntKey, B0 | msg)[0..1],
 * where B1 carries ConfFCnt (the acknowledged downlink's counter when ACK is set, else 0), TxDr and TxCh.
 */
export function uplinkMic11(
  fNwkSIntKey: Key,
  sNwkSIntKey: Key,
  confFCnt: number,
  txDr: number,
  txCh: number,
  devAddr: Buffer,
  fCnt: number,
  msg: Buffer,
): Buffer {
  const f = cmac(fNwkSIntKey, Buffer.concat([b0(Buffer.alloc(4), true, devAddr, fCnt, msg.length), msg]));
  const b1prefix = Buffer.from([confFCnt & 0xff, (confFCnt >> 8) & 0xff, txDr, txCh]);
  const s = cmac(sNwkSIntKey, Buffer.concat([b0(b1prefix, true, devAddr, fCnt, msg.length), msg]));
  return Buffer.from([s[0]!, s[1]!, f[0]!, f[1]!]);
}

/** LoRaWAN 1.1 downlink MIC (§4.4): cmac(SNwkSIntKey, B0 with ConfFCnt | msg)[0..3]. */
export function downlinkMic11(sNwkSIntKey: Key, confFCnt: number, devAddr: Buffer, fCnt: number, msg: Buffer): Buffer {
  const prefix = Buffer.from([confFCnt & 0xff, (confFCnt >> 8) & 0xff, 0, 0]);
  return cmac(sNwkSIntKey, Buffer.concat([b0(prefix, false, devAddr, fCnt, msg.length), msg])).subarray(0, 4);
}

/** Join-request and rejoin-request MIC: cmac(key, MHDR | body)[0..3] (NwkKey / AppKey in 1.0.x, SNwkSIntKey or JSIntKey for rejoins). */
export function joinRequestMic(key: Key, msg: Buffer): Buffer {
  return cmac(key, msg).subarray(0, 4);
}

/**
 * Join-accept MIC. 1.0.x (and 1.1 without OptNeg): cmac(AppKey/NwkKey, MHDR | body)[0..3]. 1.1 with
 * OptNeg: cmac(JSIntKey, JoinReqType | JoinEUI | DevNonce | MHDR | body)[0..3] (§6.2.3).
 */
export function joinAcceptMic(
  key: Key,
  msg: Buffer,
  optNeg?: { joinReqType: number; joinEui: Buffer; devNonce: Buffer },
): Buffer {
  const input = optNeg ? Buffer.concat([Buffer.from([optNeg.joinReqType]), optNeg.joinEui, optNeg.devNonce, msg]) : msg;
  return cmac(key, input).subarray(0, 4);
}

/** Decrypt a join-accept's body and MIC (everything after MHDR): aes128_encrypt of the encrypted bytes. */
export function decryptJoinAccept(key: Key, encrypted: Buffer): Buffer {
  return aesEncrypt(key, encrypted);
}

/** Encrypt a join-accept's body and MIC as a join server does (aes128_decrypt). */
export function encryptJoinAccept(key: Key, plain: Buffer): Buffer {
  return aesDecrypt(key, plain);
}

/** One derived key: aes128_encrypt(root, prefix | fields | zero padding). */
function derive(root: Key, prefix: number, ...fields: Buffer[]): Buffer {
  const b = Buffer.alloc(16);
  b[0] = prefix;
  Buffer.concat(fields).copy(b, 1);
  return aesEncrypt(root, b);
}

/** LoRaWAN 1.0.x session keys from AppKey (§6.2.5): 0x01/0x02 | AppNonce | NetID | DevNonce. */
export function deriveSessionKeys10(
  appKey: Key,
  appNonce: Buffer,
  netId: Buffer,
  devNonce: Buffer,
): { nwkSKey: Buffer; appSKey: Buffer } {
  return {
    nwkSKey: derive(appKey, 0x01, appNonce, netId, devNonce),
    appSKey: derive(appKey, 0x02, appNonce, netId, devNonce),
  };
}

/** LoRaWAN 1.1 session keys (§6.2.5, OptNeg set): network keys from NwkKey, AppSKey from AppKey; JoinNonce | JoinEUI | DevNonce. */
export function deriveSessionKeys11(
  nwkKey: Key,
  appKey: Key,
  joinNonce: Buffer,
  joinEui: Buffer,
  devNonce: Buffer,
): { fNwkSIntKey: Buffer; sNwkSIntKey: Buffer; nwkSEncKey: Buffer; appSKey: Buffer } {
  const f = [joinNonce, joinEui, devNonce];
  return {
    fNwkSIntKey: derive(nwkKey, 0x01, ...f),
    sNwkSIntKey: derive(nwkKey, 0x03, ...f),
    nwkSEncKey: derive(nwkKey, 0x04, ...f),
    appSKey: derive(appKey, 0x02, ...f),
  };
}

/** LoRaWAN 1.1 join-server keys (§6.1.1.3): JSIntKey = aes(NwkKey, 0x06 | DevEUI), JSEncKey with 0x05. */
export function deriveJsKeys(nwkKey: Key, devEui: Buffer): { jsIntKey: Buffer; jsEncKey: Buffer } {
  return { jsIntKey: derive(nwkKey, 0x06, devEui), jsEncKey: derive(nwkKey, 0x05, devEui) };
}

/**
 * The 32-bit frame counter from the 16 bits on the air and the session's last counter, as The Things
 * Stack's Network Server recovers it (pkg/networkserver/internal/utils.go `FullFCnt`): the smallest value
 * at or above the last counter's 16-bit window with these low bits; a device without 32-bit counters
 * (or a session that has not counted yet) keeps the 16 bits.
 */
export function fullFCnt(fCnt16: number, lastFCnt: number | undefined, supports32Bit = true): number {
  const low = fCnt16 & 0xffff;
  const last = (lastFCnt ?? 0) >>> 0;
  if (low === 0 && last === 0) return 0;
  if (!supports32Bit) return low;
  if (low >= (last & 0xffff)) return ((last & 0xffff0000) >>> 0) + low;
  if (last < 0xffff0000) return (((last + 0x10000) & 0xffff0000) >>> 0) + low;
  return low;
}
