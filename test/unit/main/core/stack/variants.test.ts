/**
 * The stack's compiled templates (variants.ts): what used to be done to every generated event with regexes
 * is done once per template, so these check that each variant still says what the event should say.
 */
import { describe, expect, it } from 'vitest';
import {
  compiledEvent,
  correlationSlot,
  omitZeros,
  renderCompiled,
  SLOT,
  SLOT_COUNT,
} from '../../../../../src-main/core/stack/variants.js';
import type { EventTemplate } from '../../../../../src-main/core/stack/templates.js';

const template = (name: string, json: string): EventTemplate => ({ name, scope: 'device', rights: [], json });

function values(set: Record<number, string>): Array<string | undefined> {
  const v = new Array<string | undefined>(SLOT_COUNT);
  for (const [k, x] of Object.entries(set)) v[Number(k)] = x;
  return v;
}

describe('compiled event templates', () => {
  const up = template(
    'ns.up.data.receive',
    '{"name":"ns.up.data.receive","time":"§T§","data":{"raw_payload":"QAEAAAA=","payload":{"mac_payload":{"f_hdr":{"dev_addr":"260B0001",' +
      '"f_cnt":§FCNT§},"f_port":1,"frm_payload":"§FRM§"},"mic":"AAAAAA=="}},"correlation_ids":["as:up:§C0§"]}',
  );

  it('puts the frame on the air in the raw payload, MIC and FRMPayload of an uplink event', () => {
    const c = compiledEvent(up, 'up', false, up.name);
    const json = renderCompiled(
      c,
      values({
        [SLOT.T]: '2024-10-28T10:00:00.123456Z',
        [SLOT.FCNT]: '7',
        [SLOT.FRM]: 'CLEAR=',
        [SLOT.UP_RAW]: 'RAWRAW==',
        [SLOT.UP_MIC]: 'MIC1',
        [SLOT.UP_FRM]: 'SECRET',
        [correlationSlot(0)]: '01ABC',
      }),
    );
    const e = JSON.parse(json) as { data: Record<string, unknown> };
    expect(e.data).toEqual({
      raw_payload: 'RAWRAW==',
      payload: {
        mac_payload: { f_hdr: { dev_addr: '260B0001', f_cnt: 7 }, f_port: 1, frm_payload: 'SECRET' },
        mic: 'MIC1',
      },
    });
  });

  it('leaves the counter out when it is 0, as proto3 JSON does, and names the event as the release did', () => {
    const c = compiledEvent(up, 'none', true, 'ns.up.receive');
    const json = renderCompiled(c, values({ [SLOT.T]: 't', [SLOT.FRM]: 'CLEAR=', [correlationSlot(0)]: '01ABC' }));
    expect(json).toContain('"name":"ns.up.receive"');
    expect(json).toContain('"f_hdr":{"dev_addr":"260B0001"}');
    // Without a frame context the sample's own frame fields stay.
    expect(json).toContain('"raw_payload":"QAEAAAA="');
  });

  it('throws, naming the hole, when the scenario gave it no value', () => {
    const c = compiledEvent(up, 'up', false, up.name);
    const all = { [SLOT.T]: 't', [SLOT.FRM]: 'A', [SLOT.UP_RAW]: 'B', [SLOT.UP_MIC]: 'C', [SLOT.UP_FRM]: 'D' };
    expect(() => renderCompiled(c, values({ ...all, [correlationSlot(0)]: 'E' }))).toThrow(
      /template variable FCNT missing/,
    );
    expect(() => renderCompiled(c, values({ ...all, [SLOT.FCNT]: '1' }))).toThrow(/template variable C0 missing/);
  });

  it('refuses a template with a hole it does not know', () => {
    expect(() => compiledEvent(template('x', '{"a":"§NOPE§"}'), 'none', false, 'x')).toThrow(/NOPE unknown/);
  });

  it("gives a downlink event the downlink's own counter and FOpts, leaving a zero counter out", () => {
    const down = template(
      'ns.down.data.schedule.attempt',
      '{"name":"ns.down.data.schedule.attempt","time":"§T§","data":{"payload":{"mac_payload":{"f_hdr":{"dev_addr":"260B0001",' +
        '"f_cnt":§FCNT§},"full_f_cnt":§FCNT§,"f_port":1,"frm_payload":"§FRM§"}},"rx_metadata":§RX§},' +
        '"correlation_ids":["ns:downlink:§C0§"]}',
    );
    const vals = {
      [SLOT.T]: 't',
      [SLOT.FCNT]: '9',
      [SLOT.FRM]: 'X',
      [SLOT.RX]: '[{"snr":1}]',
      [correlationSlot(0)]: 'C',
    };
    const counted = compiledEvent(down, 'none', false, down.name, {
      down: { zero16: false, zero32: false, fOpts: true },
    });
    const json = renderCompiled(
      counted,
      values({ ...vals, [SLOT.DOWN_FCNT16]: '4', [SLOT.DOWN_FCNT]: '65540', [SLOT.DOWN_FOPTS]: 'A1E=' }),
    );
    expect(json).toBe(
      '{"name":"ns.down.data.schedule.attempt","time":"t","data":{"payload":{"mac_payload":{"f_hdr":{"dev_addr":"260B0001",' +
        '"f_cnt":4,"f_opts":"A1E="},"full_f_cnt":65540,"f_port":1,"frm_payload":"X"}},"rx_metadata":[{"snr":1}]},' +
        '"correlation_ids":["ns:downlink:C"]}',
    );
    // The first downlink of a session: proto3 JSON has neither counter.
    const first = compiledEvent(down, 'none', false, down.name, { down: { zero16: true, zero32: true, fOpts: false } });
    expect(renderCompiled(first, values(vals))).toContain('"mac_payload":{"f_hdr":{"dev_addr":"260B0001"},"f_port":1,');
  });

  it('removes zero members wherever they stand in a reception', () => {
    expect(omitZeros('{"gateway_ids":{},"snr":0,"channel_index":0}')).toBe('{"gateway_ids":{}}');
    expect(omitZeros('{"rssi":-80,"snr":0.25}')).toBe('{"rssi":-80,"snr":0.25}');
  });
});
