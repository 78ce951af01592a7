/**
 * Join frames and the session keys a join gives: keys are derived only from a join-accept whose MIC the
 * root key proves, so a wrong root key (or, in 1.1, a join-accept paired with another join-request) gives
 * a reason rather than wrong keys that would make the device's data frames look "MIC invalid".
 */
import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../../../../src-main/core/frames/decode.js';
import { sessionKeysFromJoin } from '../../../../../src-main/core/frames/join-frames.js';
import {
  encodeJoinAccept,
  encodeJoinRequest,
  stackAppKey,
  stackDeviceKeys,
  stackNwkKey,
  STACK_JOIN_EUI,
  STACK_NET_ID,
} from '../../../../../src-main/core/stack/device-keys.js';

const DEV_EUI = '70B3D57ED0000001';
const DEV_ADDR = '260B0001';
const hexOf = (b: Buffer) => b.toString('hex').toUpperCase();

describe('session keys from a join', () => {
  // The device's first join (DevNonce 1, JoinNonce 1), as the built-in stack sends it.
  const appKey = stackAppKey(3, DEV_EUI);
  const request = encodeJoinRequest(appKey, STACK_JOIN_EUI, DEV_EUI, 1);
  const accept = encodeJoinAccept(appKey, 1, STACK_NET_ID, DEV_ADDR, 3, 5, [867_100_000]);

  it('1.0.x: derived from a join-accept the AppKey proves', () => {
    const { nwk_s_key, app_s_key } = stackDeviceKeys(3, DEV_EUI, 1);
    expect(sessionKeysFromJoin(accept, request, { app_key: hexOf(appKey) })).toEqual({
      keys: { nwk_s_key, app_s_key },
    });
  });

  it('1.0.x with a wrong AppKey: no session keys, and a reason naming the key', () => {
    const wrong = sessionKeysFromJoin(accept, request, { app_key: hexOf(stackAppKey(4, DEV_EUI)) });
    expect(wrong).not.toHaveProperty('keys');
    expect(wrong).toEqual({ reason: expect.stringMatching(/MIC does not verify with the root key: the key is not/) });
  });

  it('1.1: a join-accept paired with a join-request it does not answer gives no session keys', () => {
    const nwkKey = stackNwkKey(3, DEV_EUI);
    const root = { nwk_key: hexOf(nwkKey), app_key: hexOf(appKey) };
    const answers = (devNonce: number) =>
      encodeJoinAccept(nwkKey, 2, STACK_NET_ID, DEV_ADDR, 3, 5, [], {
        joinEui: STACK_JOIN_EUI,
        devEui: DEV_EUI,
        devNonce,
      });
    const request2 = encodeJoinRequest(nwkKey, STACK_JOIN_EUI, DEV_EUI, 2);
    const request3 = encodeJoinRequest(nwkKey, STACK_JOIN_EUI, DEV_EUI, 3);
    expect(sessionKeysFromJoin(answers(2), request2, root)).toHaveProperty('keys.app_s_key');
    const mismatched = sessionKeysFromJoin(answers(2), request3, root);
    expect(mismatched).not.toHaveProperty('keys');
    expect(mismatched).toEqual({
      reason: expect.stringMatching(/\(LoRaWAN 1\.1\) the join-request found is not the one it answers/),
    });
  });

  it('no root key, or a frame of the wrong size: a reason, no keys', () => {
    expect(sessionKeysFromJoin(accept, request, {})).toEqual({ reason: expect.stringMatching(/No root key/) });
    expect(sessionKeysFromJoin(accept, request.subarray(0, 20), { app_key: hexOf(appKey) })).toEqual({
      reason: expect.stringMatching(/20 bytes where a join-request has 23/),
    });
  });
});

describe('a join-accept decoded', () => {
  it('reads its CFList in words: the channels the device is given', () => {
    const appKey = stackAppKey(3, DEV_EUI);
    const hz = [867_100_000, 867_300_000, 867_500_000, 867_700_000, 867_900_000];
    const accept = encodeJoinAccept(appKey, 1, STACK_NET_ID, DEV_ADDR, 3, 5, hz);
    const d = decodeFrame(accept, { keys: { app_key: hexOf(appKey) } });
    expect(d.join_accept).toMatchObject({ verified: true, cf_list: { type: 0, frequencies_hz: hz } });
    expect(d.fields.find((f) => f.name === 'cf_list')).toMatchObject({
      label: 'CFList',
      value: '867.1, 867.3, 867.5, 867.7, 867.9 MHz',
    });
    // With another key the same bytes "decrypt" to something: marked unverified, whatever it reads.
    const wrong = decodeFrame(accept, { keys: { app_key: hexOf(stackAppKey(4, DEV_EUI)) } });
    expect(wrong.fields.find((f) => f.name === 'cf_list')?.label).toBe('CFList (unverified)');
  });
});
