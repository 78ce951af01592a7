/**
 * LoRaWAN cryptography against vectors from sources independent of our code and of lora-packet:
 * RFC 4493 §4 (AES-CMAC), and The Things Stack's own Go tests at TheThingsNetwork/lorawan-stack
 * (pkg/crypto/data_messages_test.go, join_messages_test.go, key_derivation_test.go). TTS writes DevAddr,
 * EUIs and nonces most significant byte first (types.DevAddr{1,2,3,4} is 01020304); on the air, and so in
 * the blocks, they are little-endian, hence `wire()`.
 */
import { describe, expect, it } from 'vitest';
import {
  cipherPayload,
  cmac,
  dataMic10,
  decryptJoinAccept,
  deriveJsKeys,
  deriveSessionKeys10,
  deriveSessionKeys11,
  downlinkMic11,
  encryptJoinAccept,
  fullFCnt,
  joinAcceptMic,
  joinRequestMic,
  uplinkMic11,
} from '../../../../../src-main/core/frames/crypto.js';
import { wire } from '../../../../../src-main/core/frames/frame-bytes.js';

const h = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');
const ONES = Buffer.alloc(16, 1);
const ADDR = wire('01020304');

describe('AES-CMAC (RFC 4493 §4 examples)', () => {
  const k = h('2b7e1516 28aed2a6 abf71588 09cf4f3c');
  const m = h(
    '6bc1bee2 2e409f96 e93d7e11 7393172a ae2d8a57 1e03ac9c 9eb76fac 45af8e51 30c81c46 a35ce411 e5fbc119 1a0a52ef f69f2445 df4f9b17 ad2b417b e66c3710',
  );
  it.each([
    [0, 'bb1d6929 e9593728 7fa37d12 9b756746'],
    [16, '070a16b4 6b4d4144 f79bdd9d d04a287c'],
    [40, 'dfa66747 de9ae630 30ca3261 1497c827'],
    [64, '51f0bebf 7e3b9d92 fc497417 79363cfe'],
  ])('a %i-byte message', (len, tag) => {
    expect(cmac(k, m.subarray(0, len)).toString('hex')).toBe(h(tag).toString('hex'));
  });
});

describe('FRMPayload and FOpts encryption (TTS TestUplinkDownlinkEncryption)', () => {
  it('encrypts an uplink and a downlink FRMPayload, and decrypts them back', () => {
    expect(cipherPayload(ONES, true, ADDR, 1, h('01020304')).toString('hex')).toBe('cff30b4e');
    expect(cipherPayload(ONES, true, ADDR, 1, h('cff30b4e')).toString('hex')).toBe('01020304');
    expect(cipherPayload(ONES, false, ADDR, 1, h('01020304')).toString('hex')).toBe('4e75f440');
  });
  it('encrypts 1.1 FOpts with their own block constant', () => {
    expect(cipherPayload(ONES, true, ADDR, 1, h('01020304'), { fOpts: true }).toString('hex')).toBe('23615f18');
    expect(cipherPayload(ONES, false, ADDR, 1, h('01020304'), { fOpts: true }).toString('hex')).toBe('b2dbe391');
  });
});

describe('data frame MIC (TTS TestUplinkDownlinkMIC)', () => {
  // 0x40 unconfirmed up, DevAddr 01020304, FCtrl 0, FCnt 1, FPort 1, data 01020304.
  const msg = h('40 04030201 00 0100 01 01020304');
  it('1.0.x uplink and downlink', () => {
    expect(dataMic10(ONES, true, ADDR, 1, msg).toString('hex')).toBe('3b073182');
    expect(dataMic10(ONES, false, ADDR, 1, msg).toString('hex')).toBe('a5609fa9');
  });
  it('1.1 uplink (two CMAC halves) and downlink', () => {
    expect(uplinkMic11(ONES, ONES, 0, 0, 0, ADDR, 1, msg).toString('hex')).toBe('3b073b07');
    expect(downlinkMic11(ONES, 0, ADDR, 1, msg).toString('hex')).toBe('a5609fa9');
  });
  it('a different counter gives a different MIC', () => {
    expect(dataMic10(ONES, true, ADDR, 0x10001, msg).toString('hex')).not.toBe('3b073182');
  });
});

describe('join frames (TTS join_messages_test.go)', () => {
  it('join-request MIC', () => {
    expect(joinRequestMic(ONES, h('00 0807060504030201 0807060504030201 0201')).toString('hex')).toBe('e6e10c55');
  });
  it.each([
    ['c0 00 030201 0807060504030201 0201', '11da47bd'],
    ['c0 01 0807060504030201 0807060504030201 0201', '67f9abe7'],
    ['c0 02 030201 0807060504030201 0201', '2b459cf0'],
  ])('rejoin-request MIC %s', (pld, mic) => {
    expect(joinRequestMic(ONES, h(pld)).toString('hex')).toBe(mic);
  });
  it('join-accept encryption both ways', () => {
    const plain = h('030201 030201 04030201 00 01 32f54ab3');
    const enc = h('c9fbb259e11649096a568a9e3b7117c3');
    expect(encryptJoinAccept(ONES, plain).toString('hex')).toBe(enc.toString('hex'));
    expect(decryptJoinAccept(ONES, enc).toString('hex')).toBe(plain.toString('hex'));
  });
  it('join-accept MIC: 1.0.x, and 1.1 over JoinReqType, JoinEUI and DevNonce', () => {
    const msg = h('20 030201 030201 04030201 00 01');
    expect(joinAcceptMic(ONES, msg).toString('hex')).toBe('32f54ab3');
    expect(
      joinAcceptMic(ONES, msg, {
        joinReqType: 0xff,
        joinEui: wire('0807060504030201'),
        devNonce: wire('0201'),
      }).toString('hex'),
    ).toBe('48e9be5f');
  });
});

describe('session key derivation (TTS TestKeyDerivation)', () => {
  const root = h('BEC499C69E9C939E413B663961636C61');
  const devNonce = wire('7369');
  const netId = wire('020101');
  const joinNonce = wire('AE3B1C');
  const joinEui = wire('0000001223224242');
  const devEui = wire('0042004213424341');
  it('LoRaWAN 1.0.x: NwkSKey and AppSKey from AppKey, AppNonce, NetID, DevNonce', () => {
    const k = deriveSessionKeys10(root, joinNonce, netId, devNonce);
    expect(k.appSKey.toString('hex').toUpperCase()).toBe('8C1E0543A229088DE6F84E74BB46BD62');
    expect(k.nwkSKey.toString('hex').toUpperCase()).toBe('0DB924EE6AF90698E05FC7CE48303C01');
  });
  it('LoRaWAN 1.1: four session keys from NwkKey/AppKey, JoinNonce, JoinEUI, DevNonce', () => {
    const k = deriveSessionKeys11(root, root, joinNonce, joinEui, devNonce);
    expect(k.appSKey.toString('hex').toUpperCase()).toBe('B035CCE24E4A040EB5CECBF21724412D');
    expect(k.fNwkSIntKey.toString('hex').toUpperCase()).toBe('379084E7CE22FF191BFF4B77536F2AA3');
    expect(k.sNwkSIntKey.toString('hex').toUpperCase()).toBe('63C59309D53485BC5164DBF71627AEB9');
    expect(k.nwkSEncKey.toString('hex').toUpperCase()).toBe('CE07A009A3970AC0519A099ED53E550B');
  });
  it('LoRaWAN 1.1 join server keys from NwkKey and DevEUI', () => {
    const k = deriveJsKeys(root, devEui);
    expect(k.jsIntKey.toString('hex').toUpperCase()).toBe('CB8E9EE114C3FB5CE472A5AA13AB1855');
    expect(k.jsEncKey.toString('hex').toUpperCase()).toBe('BB711EEFB9829B4A75866F8616BACD6D');
  });
});

describe('32-bit FCnt from the 16 bits on the air (rules of TTS FullFCnt, pkg/networkserver/internal/utils.go)', () => {
  it.each([
    ['a fresh session', 0, 0, 0],
    ['the same 16-bit window', 0x1234, 0x51000, 0x51234],
    ['a roll-over past 65,535', 0x0001, 0xffff, 0x10001],
    ['a roll-over from a higher window', 0x0002, 0x2fffe, 0x30002],
    ['no roll-over past the 32-bit top', 0x0001, 0xffff_fffe, 0x0001],
  ])('%s', (_name, f16, last, full) => {
    expect(fullFCnt(f16, last)).toBe(full);
  });
  it('keeps 16 bits for a device without 32-bit counters', () => {
    expect(fullFCnt(0x0001, 0xffff, false)).toBe(1);
  });
});
