/**
 * The built-in stack sends real frames (#18): uplinks encrypted with the device's AppSKey and signed
 * with its NwkSKey, join-requests signed and join-accepts encrypted with its AppKey, and the session
 * keys of a join are what a join server derives. Checked with the app's decoder, whose crypto is tested
 * against The Things Stack's vectors (test/unit/main/core/frames).
 */
import { describe, expect, it } from 'vitest';
import { Scenario, type StackEvent } from '../../../src-main/core/stack/scenario.js';
import { stackDeviceKeys } from '../../../src-main/core/stack/device-keys.js';
import { decodeFrame, sessionKeysFromJoin } from '../../../src-main/core/frames/decode.js';
import { serverDisagreements } from '../../../src-main/core/frames/server-view.js';

const parsed = (e: StackEvent) => JSON.parse(e.json) as { name: string; data: any };
const rawOf = (d: any): string | undefined => d?.raw_payload ?? d?.message?.raw_payload;
const payloadOf = (d: any): unknown => (d?.message ?? d)?.payload;

describe("the stack's frames are real", () => {
  const s = new Scenario({ devices: 2, gateways: 2, seed: 9 }, () => Date.parse('2026-01-01T00:00:00Z'));
  const device = s.devices[0]!;
  const join = s.flow('join', device).map(parsed);
  const keys = s.keysOf(device);
  const up1 = s.flow('uplink', device).map(parsed);
  const up2 = s.flow('confirmed-uplink', device).map(parsed);

  it('gives each device its own keys, fixed by the seed', () => {
    expect(keys).toEqual(stackDeviceKeys(9, device.devEui));
    expect(keys.nwk_s_key).toMatch(/^[0-9A-F]{32}$/);
    expect(stackDeviceKeys(9, s.devices[1]!.devEui).nwk_s_key).not.toBe(keys.nwk_s_key);
    expect(stackDeviceKeys(10, device.devEui).app_key).not.toBe(keys.app_key);
  });

  it("signs and encrypts uplinks: MIC valid with the keys, the AS's clear payload decrypted, invalid with another key", () => {
    for (const flow of [up1, up2]) {
      const clear = Buffer.from(
        flow.find((e) => e.name === 'as.up.data.forward')!.data.uplink_message.frm_payload,
        'base64',
      )
        .toString('hex')
        .toUpperCase();
      const frames = flow.filter((e) => rawOf(e.data));
      expect(frames.length).toBeGreaterThanOrEqual(3);
      for (const e of frames) {
        const d = decodeFrame(Buffer.from(rawOf(e.data)!, 'base64'), { keys });
        expect(d.mic, e.name).toBe('valid');
        expect(d.frm_payload_hex, e.name).toBe(clear);
        expect(serverDisagreements(d, payloadOf(e.data)), e.name).toEqual([]);
      }
      const wrong = decodeFrame(Buffer.from(rawOf(frames[0]!.data)!, 'base64'), {
        keys: { ...keys, nwk_s_key: stackDeviceKeys(9, s.devices[1]!.devEui).nwk_s_key! },
      });
      expect(wrong.mic).toBe('invalid');
    }
  });

  it('sends a signed join-request and an encrypted join-accept from which the session keys derive', () => {
    const request = join.find((e) => e.name === 'gs.up.receive')!;
    const accept = join.find((e) => e.name === 'gs.down.send')!;
    const req = decodeFrame(Buffer.from(rawOf(request.data)!, 'base64'), { keys: { app_key: keys.app_key! } });
    expect(req).toMatchObject({ mtype: 'JOIN_REQUEST', mic: 'valid', join_request: { dev_eui: device.devEui } });
    expect(serverDisagreements(req, payloadOf(request.data))).toEqual([]);
    const acc = decodeFrame(Buffer.from(rawOf(accept.data)!, 'base64'), { keys: { app_key: keys.app_key! } });
    expect(acc).toMatchObject({
      mtype: 'JOIN_ACCEPT',
      mic: 'valid',
      join_accept: { decrypted: true, dev_addr: device.devAddr, net_id: '000000', rx_delay: 5 },
    });
    const derived = sessionKeysFromJoin(
      Buffer.from(rawOf(accept.data)!, 'base64'),
      Buffer.from(rawOf(request.data)!, 'base64'),
      { app_key: keys.app_key! },
    );
    expect(derived).toEqual({ nwk_s_key: keys.nwk_s_key, app_s_key: keys.app_s_key });
  });

  it('a second join is a new session with new keys', () => {
    const again = s.flow('join', device).map(parsed);
    const next = s.keysOf(device);
    expect(next.nwk_s_key).not.toBe(keys.nwk_s_key);
    const up = s
      .flow('uplink', device)
      .map(parsed)
      .find((e) => e.name === 'ns.up.data.receive')!;
    expect(decodeFrame(Buffer.from(rawOf(up.data)!, 'base64'), { keys: next }).mic).toBe('valid');
    expect(decodeFrame(Buffer.from(rawOf(up.data)!, 'base64'), { keys }).mic).toBe('invalid');
    expect(again.length).toBeGreaterThan(0);
  });
});
