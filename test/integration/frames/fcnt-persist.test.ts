/**
 * The 32-bit FCnt of a frame is recovered from the device's last counter before it (#18). That counter
 * is kept with the captures (frame-counters.json in the capture folder), so after a restart the same
 * frame decodes the same way; and it is looked up by time, so frames opened in any order agree.
 * Frames here are past 65,535: their 16 bits on the air alone give a wrong MIC.
 */
import os from 'node:os';
import path from 'node:path';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CaptureIndex } from '../../../src-main/core/capture/capture-index.js';
import { openFrames } from '../../../src-main/core/frames/frames-core.js';
import { encodeDataFrame, stackSession } from '../../../src-main/core/stack/device-keys.js';
import type { TtsEvent } from '../../../src-main/shared/tts/types.js';
import { MemorySecretStore } from '../../helpers/memory-secrets.js';

const DEV_EUI = '70B3D57ED00000AA';
const DEV_ADDR = '260B00AA';
const session = stackSession(77, DEV_EUI);

/** An NS uplink event of the device carrying its frame; `full` = the server's `full_f_cnt` (omitted when absent). */
function uplink(name: string, time: string, fCnt: number, full: boolean): TtsEvent {
  const { phy, frm, mic } = encodeDataFrame(0x40, DEV_ADDR, fCnt, 1, Buffer.from('0102', 'hex'), session);
  return {
    name,
    time,
    identifiers: [
      {
        device_ids: { device_id: 'dev-aa', application_ids: { application_id: 'app-aa' }, dev_addr: DEV_ADDR },
      },
    ],
    data: {
      '@type': 'type.googleapis.com/ttn.lorawan.v3.UplinkMessage',
      raw_payload: phy.toString('base64'),
      payload: {
        m_hdr: { m_type: 'UNCONFIRMED_UP' },
        mac_payload: {
          f_hdr: { dev_addr: DEV_ADDR, f_ctrl: { adr: true }, f_cnt: fCnt & 0xffff },
          f_port: 1,
          frm_payload: frm.toString('base64'),
          ...(full ? { full_f_cnt: fCnt } : {}),
        },
        mic: mic.toString('base64'),
      },
    },
    correlation_ids: [],
    unique_id: `${name}-${fCnt}`,
  } as unknown as TtsEvent;
}

async function openIndex(dir: string, fresh: boolean) {
  const index = new CaptureIndex({ dir });
  if (fresh) {
    const r = await index.open('cap', 'w', 'import');
    if (!r.ok) throw new Error(r.error.message);
  } else for (const c of await index.catalog()) await index.reopen(c);
  return index;
}

describe('frame counters kept with the capture', () => {
  it('decodes a frame past 16 bits the same way after a restart, and in any opening order', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'frames-fcnt-'));
    const secrets = new MemorySecretStore();
    const first = await openIndex(dir, true);
    // The NS's processed uplink says the full counter; a later received one only has its 16 bits.
    for (const e of [
      uplink('ns.up.data.process', '2026-01-01T00:00:00.000000000Z', 70_000, true),
      uplink('ns.up.data.receive', '2026-01-01T00:00:10.000000000Z', 70_005, false),
    ])
      first.appendEvent('cap', JSON.stringify(e), e);
    const idOf = (index: CaptureIndex, name: string) => {
      const p = index.page({ workspaceId: 'w', query: name, limit: 10 });
      if (!p.ok || p.value.entries.length !== 1) throw new Error(`no ${name}`);
      return p.value.entries[0]!.id;
    };
    const a = await openFrames(first, secrets);
    await a.service.setKey('app-aa', 'dev-aa', 'nwk_s_key', session.nwkSKey.toString('hex'));
    const decode = async (frames: typeof a, index: CaptureIndex, name: string) => {
      const v = await frames.service.decodeEvent(idOf(index, name));
      if (!v.ok) throw new Error(v.error.message);
      return { mic: v.value.frame!.mic, full: v.value.frame!.full_f_cnt };
    };
    // Opened out of order: the later frame first knows nothing past its 16 bits …
    expect(await decode(a, first, 'ns.up.data.receive')).toEqual({ mic: 'invalid', full: 70_005 & 0xffff });
    // … the earlier one proves the counter, and then the later one checks.
    expect(await decode(a, first, 'ns.up.data.process')).toEqual({ mic: 'valid', full: 70_000 });
    expect(await decode(a, first, 'ns.up.data.receive')).toEqual({ mic: 'valid', full: 70_005 });
    expect(existsSync(path.join(dir, 'frame-counters.json'))).toBe(true);
    await first.dispose();

    // A restart: the capture and its counters are reopened; the later frame checks straight away.
    const second = await openIndex(dir, false);
    const b = await openFrames(second, secrets);
    expect(await decode(b, second, 'ns.up.data.receive')).toEqual({ mic: 'valid', full: 70_005 });
    // The facts a mic: query uses agree.
    const page = await b.facts.page({ workspaceId: 'w', query: 'mic:valid', limit: 10 });
    expect(page.ok && page.value.entries.length).toBe(2);
    await second.dispose();

    // Without the saved counters, the same frame does not check: the file is what carried it.
    rmSync(path.join(dir, 'frame-counters.json'));
    const third = await openIndex(dir, false);
    const c = await openFrames(third, secrets);
    expect(await decode(c, third, 'ns.up.data.receive')).toEqual({ mic: 'invalid', full: 70_005 & 0xffff });
    await third.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
});
