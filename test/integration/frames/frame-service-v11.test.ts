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
