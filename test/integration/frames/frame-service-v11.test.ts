/**
 * A LoRaWAN 1.1 device of the built-in stack, decoded by main's FrameService from a capture (#18): with
 * only its root keys (NwkKey, AppKey), the join-accept's MIC is checked with the join-request it answers
 * (found in the capture), and its uplinks and downlinks check with the 1.1 session keys derived from that
 * join, their FOpts decrypted; a downlink's counter is its own.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureIndex } from '../../../src-main/core/capture/capture-index.js';
import { openFrames } from '../../../src-main/core/frames/frames-core.js';
import { FrameService } from '../../../src-main/core/frames/frame-service.js';
import { cipherPayload, downlinkMic11, uplinkMic11 } from '../../../src-main/core/frames/crypto.js';
import { ok } from '../../../src-main/shared/result.js';
import { messageFacts } from '../../../src-main/shared/domain/message.js';
import { Scenario } from '../../../src-main/core/stack/scenario.js';
import type { TtsEvent } from '../../../src-main/shared/tts/types.js';
import { MemorySecretStore } from '../../helpers/memory-secrets.js';

const index = new CaptureIndex({ dir: mkdtempSync(path.join(os.tmpdir(), 'frames-v11-')) });
afterAll(() => index.dispose());

describe('a LoRaWAN 1.1 device in the app', () => {
  it('checks the join-accept with its join-request, and the data frames with the derived 1.1 session', async () => {
    const r = await index.open('cap', 'w', 'import');
    if (!r.ok) throw new Error(r.error.message);
    const s = new Scenario({ devices: 3, gateways: 1, seed: 61 }, () => Date.parse('2026-01-01T00:00:00Z'));
    const device = s.devices[2]!;
    const ids = new Map<string, number[]>();
    for (const flow of [
      s.flow('join', device),
      s.flow('uplink', device),
      s.flow('mac', device),
      s.flow('downlink', device),
      s.flow('uplink', device),
    ])
      for (const e of flow) {
        const summary = index.appendEvent('cap', e.json, JSON.parse(e.json) as TtsEvent);
        if (summary) ids.set(e.name, [...(ids.get(e.name) ?? []), summary.id]);
      }
    const keys = s.keysOf(device);
    expect(keys.nwk_key).toBeDefined();
    const { service } = await openFrames(index, new MemorySecretStore());
    await service.setKey(device.appId, device.deviceId, 'nwk_key', keys.nwk_key!);
    await service.setKey(device.appId, device.deviceId, 'app_key', keys.app_key!);
    const decode = async (name: string, n = 0) => {
      const v = await service.decodeEvent(ids.get(name)![n]!);
      if (!v.ok) throw new Error(v.error.message);
      return v.value;
    };
    // The NS's join-accept event names the device (a gateway's does not: the frame is encrypted).
    const accept = await decode('ns.down.join.schedule.attempt');
    expect(accept.frame).toMatchObject({ mtype: 'JOIN_ACCEPT', mic: 'valid' });
    expect(accept.frame!.join_accept?.dl_settings?.opt_neg).toBe(true);

    const up = await decode('ns.up.data.receive');
    expect(up.frame).toMatchObject({ mic: 'valid', frm_payload_decrypted: true });
    expect(up.note).toMatch(/derived from the root key/);
    const down = (await decode('ns.down.data.schedule.attempt')).frame!;
    expect(down).toMatchObject({ mic: 'valid', f_cnt: 0, f_port: 15 });
    expect(down.f_opts?.map((c) => c.name)).toEqual(['LinkADRReq']);
    // The answer, in the last uplink's FOpts, encrypted on the air and read with the derived NwkSEncKey.
    const answer = (await decode('ns.up.data.receive', 2)).frame!;
    expect(answer.mic).toBe('valid');
    expect(answer.f_opts?.map((c) => c.name)).toEqual(['LinkADRAns']);
    expect(answer.disagreements ?? []).toEqual([]);
  });
});

describe('a LoRaWAN 1.1 join-accept paired with a join-request it does not answer', () => {
  it('derives no session keys from it: the uplink after is "not checked", with the reason, never "invalid"', async () => {
    // The capture lost the first join's accept and the second join's request (a gap in the stream): the
    // newest join-accept before the uplink is the second join's, the join-request before it the first's.
    const r = await index.open('gap', 'w-gap', 'import');
    if (!r.ok) throw new Error(r.error.message);
    const s = new Scenario({ devices: 3, gateways: 1, seed: 62 }, () => Date.parse('2026-01-01T00:00:00Z'));
    const device = s.devices[2]!;
    const mtypeOf = (json: string) => {
      const raw = messageFacts(JSON.parse(json) as TtsEvent)?.rawPayload;
      return raw ? Buffer.from(raw, 'base64')[0]! >> 5 : undefined;
    };
    const append = (flow: { name: string; json: string }[], keep: (mtype: number | undefined) => boolean) => {
      const ids = new Map<string, number>();
      for (const e of flow) {
        if (!keep(mtypeOf(e.json))) continue;
        const summary = index.appendEvent('gap', e.json, JSON.parse(e.json) as TtsEvent);
        if (summary) ids.set(e.name, summary.id);
      }
      return ids;
    };
    append(s.flow('join', device), (m) => m !== 1);
    append(s.flow('join', device), (m) => m === 1);
    const up = append(s.flow('uplink', device), () => true).get('ns.up.data.receive')!;
    const keys = s.keysOf(device);
    const { service } = await openFrames(index, new MemorySecretStore());
    await service.setKey(device.appId, device.deviceId, 'nwk_key', keys.nwk_key!);
    await service.setKey(device.appId, device.deviceId, 'app_key', keys.app_key!);
    const v = await service.decodeEvent(up);
    if (!v.ok) throw new Error(v.error.message);
    expect(v.value.frame).toMatchObject({ mic: 'unchecked', frm_payload_decrypted: false });
    expect(v.value.note).toMatch(/the join-request found is not the one it answers/);
    // The same uplink with the session's own keys checks: the frame was never at fault.
    const right = await openFrames(index, new MemorySecretStore());
    for (const name of ['f_nwk_s_int_key', 's_nwk_s_int_key', 'nwk_s_enc_key', 'app_s_key'] as const)
      await right.service.setKey(device.appId, device.deviceId, name, keys[name]!);
    const checked = await right.service.decodeEvent(up);
    expect(checked.ok && checked.value.frame?.mic).toBe('valid');
  });
});

describe('a LoRaWAN 1.1 downlink that acknowledges an uplink', () => {
  // The reviewer's frames: FNwkSIntKey 11…, SNwkSIntKey 22…, NwkSEncKey 33…, AppSKey 44…; uplinks FCnt 5
  // (unconfirmed) and 7 (confirmed), then a downlink with ACK whose MIC signs ConfFCnt 7.
  const keys = { f_nwk_s_int_key: '11', s_nwk_s_int_key: '22', nwk_s_enc_key: '33', app_s_key: '44' };
  const k = (name: keyof typeof keys) => Buffer.from(keys[name].repeat(16), 'hex');
  const addr = Buffer.from('04030201', 'hex');
  const up = (fCnt: number, confirmed: boolean) => {
    const m = Buffer.concat([
      Buffer.from([confirmed ? 0x80 : 0x40, 4, 3, 2, 1, 0, fCnt, 0, 1]),
      cipherPayload(k('app_s_key'), true, addr, fCnt, Buffer.from('01', 'hex')),
    ]);
    return Buffer.concat([m, uplinkMic11(k('f_nwk_s_int_key'), k('s_nwk_s_int_key'), 0, 0, 0, addr, fCnt, m)]);
  };
  const m = Buffer.concat([
    Buffer.from([0x60, 4, 3, 2, 1, 0x20, 1, 0, 1]),
    cipherPayload(k('app_s_key'), false, addr, 1, Buffer.from('aa', 'hex')),
  ]);
  const down = Buffer.concat([m, downlinkMic11(k('s_nwk_s_int_key'), 7, addr, 1, m)]);
  const ids = [{ device_ids: { device_id: 'dev', application_ids: { application_id: 'app' } } }];
  const events: Record<number, TtsEvent> = {
    1: {
      name: 'gs.up.receive',
      time: '2024-01-01T00:00:00Z',
      identifiers: ids,
      data: { message: { raw_payload: up(5, false).toString('base64') } },
    },
    2: {
      name: 'gs.up.receive',
      time: '2024-01-01T00:01:00Z',
      identifiers: ids,
      data: { message: { raw_payload: up(7, true).toString('base64') } },
    },
    3: {
      name: 'gs.down.send',
      time: '2024-01-01T00:01:01Z',
      identifiers: ids,
      data: { raw_payload: down.toString('base64') },
    },
  } as unknown as Record<number, TtsEvent>;
  const open = async (order: number[]) => {
    const secrets = new MemorySecretStore();
    const service = new FrameService(secrets, (id) => ok(events[id]!));
    for (const [name, v] of Object.entries(keys)) await service.setKey('app', 'dev', name as 'app_s_key', v.repeat(16));
    let last;
    for (const id of order) {
      const r = await service.decodeEvent(id);
      if (!r.ok) throw new Error(r.error.message);
      last = r.value.frame!;
    }
    return last!;
  };

  it('is not called invalid when the uplink it answers was not opened: ConfFCnt is not known for sure', async () => {
    const frame = await open([1, 3]);
    expect(frame.mic).toBe('unchecked');
    expect(frame.mic_reason).toMatch(/ConfFCnt\) is not known for sure: tried 5\b/);
  });
  it('checks with the confirmed uplink opened before it, and says which ConfFCnt', async () => {
    const frame = await open([1, 2, 3]);
    expect(frame.mic).toBe('valid');
    expect(frame.mic_reason).toMatch(/ConfFCnt 7/);
  });
});
