/**
 * The built-in stack sends real frames (#18): uplinks encrypted with the device's AppSKey and signed
 * with its NwkSKey, join-requests signed and join-accepts encrypted with its AppKey, and the session
 * keys of a join are what a join server derives. Checked with the app's decoder, whose crypto is tested
 * against The Things Stack's vectors (test/unit/main/core/frames).
 */
import { describe, expect, it } from 'vitest';
import { Scenario, type StackEvent } from '../../../src-main/core/stack/scenario.js';
import { stackDeviceKeys } from '../../../src-main/core/stack/device-keys.js';
import { decodeFrame } from '../../../src-main/core/frames/decode.js';
import { sessionKeysFromJoin } from '../../../src-main/core/frames/join-frames.js';
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
    expect(derived).toEqual({ keys: { nwk_s_key: keys.nwk_s_key, app_s_key: keys.app_s_key } });
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

describe("the stack's downlinks, MAC commands and LoRaWAN 1.1 devices", () => {
  const s = new Scenario({ devices: 3, gateways: 1, seed: 12 }, () => Date.parse('2026-01-01T00:00:00Z'));
  const framesOf = (events: StackEvent[], prefix: RegExp) =>
    events
      .map(parsed)
      .filter((e) => prefix.test(e.name) && rawOf(e.data))
      .map((e) => ({ e, phy: Buffer.from(rawOf(e.data)!, 'base64') }));

  for (const [i, version] of [
    [0, '1.0.x'],
    [2, '1.1'],
  ] as const)
    it(`a ${version} device: downlinks count on their own counter and carry the pending LinkADRReq; the answer rides in FOpts`, () => {
      const device = s.devices[i]!;
      s.flow('join', device);
      const keys = s.keysOf(device);
      expect(!!keys.nwk_key).toBe(version === '1.1');
      for (let n = 0; n < 5; n++) s.flow('uplink', device);
      const downs = [s.flow('downlink', device), s.flow('mac', device), s.flow('confirmed-uplink', device)];
      const answer = s.flow('uplink', device);
      const downFrames = [downs[0]!, downs[2]!].map((f) => framesOf(f, /^ns\.down\.data\./)[0]!);
      // Downlink counters 0 and 1 while the uplinks are past 5.
      const decoded = downFrames.map(({ phy }, n) => decodeFrame(phy, { keys, ...(n === 1 ? { confFCnt: 6 } : {}) }));
      expect(decoded.map((d) => d.f_cnt)).toEqual([0, 1]);
      expect(decoded.map((d) => d.mic)).toEqual(['valid', 'valid']);
      // The ack after the LinkADR request carries it; the first downlink does not.
      expect(decoded[0]!.f_opts ?? []).toEqual([]);
      expect(decoded[1]!.f_opts?.map((c) => c.name)).toEqual(['LinkADRReq']);
      expect(decoded[1]!.f_ctrl?.ack).toBe(true);
      for (const [n, { e }] of downFrames.entries())
        expect(serverDisagreements(decoded[n]!, payloadOf(e.data)), e.name).toEqual([]);
      // The AS's message has the same (application) counter.
      const queued = downs[2]!
        .map(parsed)
        .filter((e) => e.name === 'ns.down.data.schedule.attempt')
        .map((e) => e.data.payload.mac_payload.full_f_cnt);
      expect(queued).toEqual([1]);
      const up = framesOf(answer, /^ns\.up\.data\.receive$/)[0]!;
      const d = decodeFrame(up.phy, { keys, lastFCnt: 6 });
      expect(d.mic).toBe('valid');
      expect(d.f_opts?.map((c) => [c.name, c.text])).toEqual([['LinkADRAns', expect.stringMatching(/channel mask/i)]]);
      // The server's parsed FOpts are in the clear (1.1: decrypted), as ours.
      expect(serverDisagreements(d, payloadOf(up.e.data))).toEqual([]);
    });

  it('a 1.1 device joins with OptNeg: the join-accept checks with the join-request, and its keys derive the session', () => {
    const device = s.devices[2]!;
    const join = s.flow('join', device).map(parsed);
    const keys = s.keysOf(device);
    const request = Buffer.from(rawOf(join.find((e) => e.name === 'gs.up.receive')!.data)!, 'base64');
    const accept = Buffer.from(rawOf(join.find((e) => e.name === 'gs.down.send')!.data)!, 'base64');
    const root = { nwk_key: keys.nwk_key!, app_key: keys.app_key! };
    const r = decodeFrame(request, { keys: root });
    expect(r.mic).toBe('valid');
    const jr = r.join_request!;
    const a = decodeFrame(accept, {
      keys: root,
      joinRequest: { joinEui: jr.join_eui, devEui: jr.dev_eui, devNonce: jr.dev_nonce, joinReqType: 0xff },
    });
    expect(a).toMatchObject({ mic: 'valid', join_accept: { dl_settings: { opt_neg: true } } });
    expect(sessionKeysFromJoin(accept, request, root)).toEqual({
      keys: {
        f_nwk_s_int_key: keys.f_nwk_s_int_key,
        s_nwk_s_int_key: keys.s_nwk_s_int_key,
        nwk_s_enc_key: keys.nwk_s_enc_key,
        app_s_key: keys.app_s_key,
      },
    });
    expect(join.find((e) => e.name === 'ns.up.join.cluster.attempt')?.data).toBeDefined();
    expect(JSON.stringify(join)).toContain('"selected_mac_version":"MAC_V1_1"');
  });
});
