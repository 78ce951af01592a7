/**
 * LoRaWAN 1.1 frames as the built-in stack writes them (device-keys.ts), read back by the app's decoder
 * (#18): the two-part uplink MIC, FOpts encrypted with NwkSEncKey, the downlink MIC with ConfFCnt, and a
 * join-accept with OptNeg whose MIC covers the join-request. The crypto underneath is checked against
 * The Things Stack's own vectors in crypto.test.ts; here the stack and the decoder must agree.
 */
import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../../../../src-main/core/frames/decode.js';
import { sessionKeysFromJoin } from '../../../../../src-main/core/frames/join-frames.js';
import {
  encodeDataFrame,
  encodeJoinAccept,
  encodeJoinRequest,
  stackAppKey,
  stackDeviceKeys,
  stackNwkKey,
  stackSession,
  STACK_JOIN_EUI,
  STACK_NET_ID,
} from '../../../../../src-main/core/stack/device-keys.js';

const DEV_EUI = '70B3D57ED0000003';
const DEV_ADDR = '260B0003';
const session = stackSession(4, DEV_EUI, 2, true);
const keys = stackDeviceKeys(4, DEV_EUI, 2, true);
/** LinkADRAns with every bit accepted; LinkADRReq DR5, TX power 1, channels 0–2, NbTrans 1. */
const LINK_ADR_ANS = Buffer.from([0x03, 0x07]);
const LINK_ADR_REQ = Buffer.from([0x03, 0x51, 0x07, 0x00, 0x01]);

describe('LoRaWAN 1.1 frames of the stack, read by the decoder', () => {
  it('gives a 1.1 device four session keys and a NwkKey apart from its AppKey', () => {
    expect(Object.keys(keys).sort()).toEqual(
      ['app_key', 'app_s_key', 'f_nwk_s_int_key', 'nwk_key', 'nwk_s_enc_key', 's_nwk_s_int_key'].sort(),
    );
    expect(keys.nwk_key).not.toBe(keys.app_key);
    expect(new Set([keys.f_nwk_s_int_key, keys.s_nwk_s_int_key, keys.nwk_s_enc_key, keys.app_s_key]).size).toBe(4);
  });

  it('an uplink with FOpts: both MIC halves valid, FOpts decrypted with NwkSEncKey, the payload with AppSKey', () => {
    const { phy } = encodeDataFrame(0x40, DEV_ADDR, 70_001, 2, Buffer.from('0102', 'hex'), session, 0x80, {
      fOpts: LINK_ADR_ANS,
      txDr: 5,
      txCh: 2,
    });
    // FOpts are not in the clear on the air.
    expect(phy.subarray(8, 10).equals(LINK_ADR_ANS)).toBe(false);
    const f = decodeFrame(phy, { keys, lastFCnt: 70_000, txDr: 5, txCh: 2, confFCnt: 0 });
    expect(f).toMatchObject({ mic: 'valid', full_f_cnt: 70_001, f_port: 2, frm_payload_hex: '0102' });
    expect(f.f_opts?.map((c) => c.name)).toEqual(['LinkADRAns']);
    // Without the data rate and channel only the FNwkSIntKey half is checked, and the reason says so.
    const half = decodeFrame(phy, { keys, lastFCnt: 70_000 });
    expect(half.mic).toBe('valid');
    expect(half.mic_reason).toMatch(/Only the FNwkSIntKey half/);
    // Another channel: the SNwkSIntKey half no longer matches.
    expect(decodeFrame(phy, { keys, lastFCnt: 70_000, txDr: 5, txCh: 3, confFCnt: 0 }).mic).toBe('invalid');
    // 1.0.x keys on a 1.1 frame: invalid.
    expect(decodeFrame(phy, { keys: stackDeviceKeys(4, DEV_EUI, 2), lastFCnt: 70_000 }).mic).toBe('invalid');
  });

  it('a downlink that acknowledges an uplink: MIC over ConfFCnt, FOpts (LinkADRReq) and an application payload', () => {
    const { phy } = encodeDataFrame(0x60, DEV_ADDR, 7, 15, Buffer.from('CAFE', 'hex'), session, 0x20, {
      fOpts: LINK_ADR_REQ,
      confFCnt: 41,
    });
    const f = decodeFrame(phy, { keys, confFCnt: 41 });
    expect(f).toMatchObject({ mic: 'valid', f_port: 15, frm_payload_hex: 'CAFE', f_ctrl: { ack: true } });
    expect(f.f_opts?.map((c) => c.name)).toEqual(['LinkADRReq']);
    expect(decodeFrame(phy, { keys, confFCnt: 40 }).mic).toBe('invalid');
    expect(decodeFrame(phy, { keys }).mic).toBe('unchecked');
  });

  it('a network downlink with FOpts only (no FPort): NFCntDown, MIC valid', () => {
    const { phy } = encodeDataFrame(0x60, DEV_ADDR, 3, undefined, Buffer.alloc(0), session, 0x00, {
      fOpts: LINK_ADR_REQ,
    });
    const f = decodeFrame(phy, { keys });
    expect(f.mic).toBe('valid');
    expect(f.f_port).toBeUndefined();
    expect(f.f_opts?.map((c) => c.name)).toEqual(['LinkADRReq']);
  });

  it('a join-accept with OptNeg: its MIC is checked only with the join-request, and the session keys derive', () => {
    const nwkKey = stackNwkKey(4, DEV_EUI);
    const request = encodeJoinRequest(nwkKey, STACK_JOIN_EUI, DEV_EUI, 2);
    const accept = encodeJoinAccept(nwkKey, 2, STACK_NET_ID, DEV_ADDR, 3, 5, [867_100_000], {
      joinEui: STACK_JOIN_EUI,
      devEui: DEV_EUI,
      devNonce: 2,
    });
    const root = { nwk_key: keys.nwk_key!, app_key: keys.app_key! };
    const req = decodeFrame(request, { keys: root }).join_request!;
    const joinRequest = { joinEui: req.join_eui, devEui: req.dev_eui, devNonce: req.dev_nonce, joinReqType: 0xff };
    const f = decodeFrame(accept, { keys: root, joinRequest });
    expect(f).toMatchObject({ mic: 'valid', join_accept: { decrypted: true, dl_settings: { opt_neg: true } } });
    const blind = decodeFrame(accept, { keys: root });
    expect(blind.mic).toBe('unchecked');
    expect(blind.mic_reason).toMatch(/join-request/);
    // Another DevNonce (a different join-request): invalid.
    const other = { ...joinRequest, devNonce: '0003' };
    expect(decodeFrame(accept, { keys: root, joinRequest: other }).mic).toBe('invalid');
    expect(sessionKeysFromJoin(accept, request, root)).toEqual({
      keys: {
        f_nwk_s_int_key: keys.f_nwk_s_int_key,
        s_nwk_s_int_key: keys.s_nwk_s_int_key,
        nwk_s_enc_key: keys.nwk_s_enc_key,
        app_s_key: keys.app_s_key,
      },
    });
    expect(stackAppKey(4, DEV_EUI).equals(nwkKey)).toBe(false);
  });
});
