/**
 * The messages view of a device whose frames are sent more than once: ADR's NbTrans above 1, or a confirmed
 * uplink not yet acknowledged. The Network Server processes each copy (`ns.up.data.process`) but forwards the
 * frame once (grpc_gsns.go: `if !matched.IsRetransmission`), so a repeat is not a message that got lost.
 */
import { describe, expect, it } from 'vitest';
import { assembleMessages } from '../../../../../src-main/shared/health/messages.js';
import { NEVER_FORWARDED } from '../../../../../src-main/shared/correlation/chain-findings.js';
import { summarizeEvent } from '../../../../../src-main/shared/domain/summary.js';
import type { TtsEvent } from '../../../../../src-main/shared/tts/types.js';
import { consoleSimulation } from '../../../../helpers/tts-quirks.js';

const dev = { device_id: 'dev1', application_ids: { application_id: 'app1' }, dev_eui: '70B3D57ED0000001' };
const T0 = Date.parse('2025-01-01T10:00:00Z');

/** One transmission of frame `fCnt` at `atS` seconds: the gateway's, the network server's, and the AS's when forwarded. */
function transmission(n: number, fCnt: number, atS: number, forwarded: boolean): TtsEvent[] {
  const cid = [`gs:uplink:01JB99Z8EG8T4TQ7BJAMP4EN${String(n).padStart(2, '0')}`];
  const up = {
    payload: {
      m_hdr: { m_type: 'UNCONFIRMED_UP' },
      mac_payload: { f_hdr: { dev_addr: '260B5D3E', f_ctrl: {}, f_cnt: fCnt }, f_port: 1, full_f_cnt: fCnt },
    },
    settings: { data_rate: { lora: { bandwidth: 125000, spreading_factor: 7 } }, frequency: '868100000' },
    rx_metadata: [{ gateway_ids: { gateway_id: 'gw1' }, rssi: -60, snr: 7 }],
  };
  const at = (ms: number) => new Date(T0 + atS * 1000 + ms).toISOString();
  const type = (t: string) => `type.googleapis.com/ttn.lorawan.v3.${t}`;
  const events: TtsEvent[] = [
    {
      name: 'ns.up.data.receive',
      time: at(10),
      identifiers: [{ device_ids: dev }],
      correlation_ids: cid,
      data: { '@type': type('UplinkMessage'), ...up },
    },
    {
      name: 'ns.up.data.process',
      time: at(220),
      identifiers: [{ device_ids: dev }],
      correlation_ids: cid,
      data: { '@type': type('UplinkMessage'), ...up },
    },
  ];
  if (forwarded)
    events.push({
      name: 'as.up.data.forward',
      time: at(300),
      identifiers: [{ device_ids: dev }],
      correlation_ids: cid,
      data: { '@type': type('ApplicationUp'), uplink_message: { f_port: 1, f_cnt: fCnt, frm_payload: 'AQ==' } },
    });
  return events;
}

const rowsOf = (events: TtsEvent[]) => assembleMessages(events.map((e, i) => summarizeEvent(e, i + 1, 's')));

describe('a frame the device sent again', () => {
  it('is a deduplicated copy, said so, not a message "never forwarded"', () => {
    const rows = rowsOf([
      ...transmission(1, 672, 0, true),
      ...transmission(2, 672, 3, false),
      ...transmission(3, 672, 6, false),
    ]);
    expect(rows.map((r) => [r.fCnt, r.outcome])).toEqual([
      [672, 'delivered'],
      [672, 'deduplicated'],
      [672, 'deduplicated'],
    ]);
    expect(rows[1]!.reason).toMatch(/^A retransmission of FCnt 672: the device sent the frame again/);
    expect(rows[1]!.findings.some((f) => f.text.startsWith(NEVER_FORWARDED))).toBe(false);
  });

  it('a next frame the server processed and never forwarded is still pending, with the warning', () => {
    const rows = rowsOf([...transmission(1, 672, 0, true), ...transmission(2, 673, 3, false)]);
    expect(rows.map((r) => [r.fCnt, r.outcome])).toEqual([
      [672, 'delivered'],
      [673, 'pending'],
    ]);
    expect(rows[1]!.reason).toMatch(new RegExp(`^${NEVER_FORWARDED}`));
  });

  it('the same counter long after (a device that rejoined and counts from 0 again) is not a retransmission', () => {
    const rows = rowsOf([...transmission(1, 0, 0, true), ...transmission(2, 0, 3600, false)]);
    expect(rows.map((r) => r.outcome)).toEqual(['delivered', 'pending']);
  });
});

describe("the Console's simulated uplink in the messages view", () => {
  it('is marked simulated; the real uplinks around it are not', () => {
    const rows = assembleMessages(consoleSimulation(T0).map((e, i) => summarizeEvent(e, i + 1, 's')));
    expect(rows.map((r) => r.simulated ?? false)).toEqual([false, false, true, false, false]);
  });
});
