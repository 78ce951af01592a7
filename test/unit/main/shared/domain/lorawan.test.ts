import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { durationText, lorawanSummary } from '../../../../../src-main/shared/domain/lorawan.js';
import { summarizeEvent } from '../../../../../src-main/shared/domain/summary.js';
import { computeHealth } from '../../../../../src-main/shared/health/health.js';
import { compileQuery } from '../../../../../src-main/shared/query/query.js';
import type { TtsEvent } from '../../../../../src-main/shared/tts/types.js';
import { consoleSimulation } from '../../../../helpers/tts-quirks.js';

describe('durationText', () => {
  it('reads protobuf JSON durations (the server airtime) in milliseconds or seconds', () => {
    expect(durationText('0.051456s')).toBe('51.456 ms');
    expect(durationText('0.174336s')).toBe('174.336 ms');
    expect(durationText('0.000400s')).toBe('0.4 ms');
    expect(durationText('0s')).toBe('0 ms');
    expect(durationText('1.482752s')).toBe('1.483 s');
    expect(durationText('2s')).toBe('2 s');
    expect(durationText('0.000000001s')).toBe('0 ms');
  });

  it('shows anything else as the server sent it', () => {
    for (const odd of ['51ms', '-0.5s', '0.0000000001s', '', 'soon']) expect(durationText(odd)).toBe(odd);
  });
});

describe('an uplink sent with FSK or LR-FHSS', () => {
  const ids = { device_id: 'dev1', application_ids: { application_id: 'app1' } };
  const uplink = (settings: unknown) =>
    ({
      name: 'as.up.data.forward',
      time: '2024-01-01T00:00:00Z',
      identifiers: [{ device_ids: ids }],
      correlation_ids: [],
      data: {
        '@type': 'type.googleapis.com/ttn.lorawan.v3.ApplicationUp',
        uplink_message: {
          f_port: 1,
          f_cnt: 5,
          frm_payload: 'AQ==',
          rx_metadata: [{ gateway_ids: { gateway_id: 'gw1' }, rssi: -112, snr: -12 }],
          settings,
        },
      },
    }) as TtsEvent;
  // EU868 DR7 and DR8 as lorawan-stack's band plan has them; LR-FHSS's modulation_type 0 is left out.
  const fsk = uplink({ data_rate: { fsk: { bit_rate: 50000 } }, frequency: '868800000' });
  const lrfhss = uplink({
    data_rate: { lrfhss: { operating_channel_width: 137000, coding_rate: '1/3' } },
    frequency: '868100000',
  });

  it('shows its data rate in the list and the device panel', () => {
    expect(summarizeEvent(fsk, 1, 's').dataRate).toBe('FSK 50 kbit/s');
    expect(summarizeEvent(lrfhss, 2, 's').dataRate).toBe('LR-FHSS OCW 137 kHz');
    const device = computeHealth([summarizeEvent(fsk, 1, 's'), summarizeEvent(lrfhss, 2, 's')]).devices[0]!;
    expect(device.dataRates.map((d) => d.dataRate).sort()).toEqual(['FSK 50 kbit/s', 'LR-FHSS OCW 137 kHz']);
  });

  it('shows its data rate and LR-FHSS’s coding rate in the detail pane', () => {
    expect(lorawanSummary(fsk).settings).toContainEqual(['Data rate', 'FSK 50 kbit/s']);
    expect(lorawanSummary(lrfhss).settings).toEqual(
      expect.arrayContaining([
        ['Data rate', 'LR-FHSS OCW 137 kHz'],
        ['Coding rate', '1/3'],
      ]),
    );
  });
});

describe("a downlink's schedule.success", () => {
  const samples = JSON.parse(readFileSync('test/fixtures/sample-events.json', 'utf8')) as TtsEvent[];
  const successes = samples.filter((e) => /^ns\.down\.(data|join)\.schedule\.success$/.test(e.name));

  it('is found by the gateway it was scheduled on', () => {
    const q = compileQuery('gateway:demo-gateway');
    if (!q.ok) throw new Error('query');
    // v3.13.0+ servers name the gateway and the window; the 2020 sample has only the delay.
    expect(successes.map((e) => [e.name, q.test(summarizeEvent(e, 1, 's'))])).toEqual([
      ['ns.down.data.schedule.success', false],
      ['ns.down.join.schedule.success', true],
      ['ns.down.data.schedule.success', true],
    ]);
  });

  it('says in the detail pane which gateway and RX window it used', () => {
    for (const e of successes.slice(1))
      expect(lorawanSummary(e).settings).toEqual(
        expect.arrayContaining([
          ['Gateway', 'demo-gateway'],
          ['Window', 'RX1'],
        ]),
      );
  });
});

describe("the Console's simulated uplink", () => {
  it('says in the detail pane that it is simulated, not radio traffic; a real uplink says nothing of it', () => {
    const [real, , simulated] = consoleSimulation(0).map(lorawanSummary);
    expect(simulated!.counters).toContainEqual(['Simulated', 'yes: not radio traffic']);
    expect(simulated!.rx).toEqual([expect.objectContaining({ gatewayId: 'test', rssi: 42 })]);
    expect(real!.counters.map(([k]) => k)).not.toContain('Simulated');
  });
});

describe("a downlink's RX windows as the network server asked for them", () => {
  const scheduled = (request: Record<string, unknown>): TtsEvent => ({
    name: 'ns.down.data.schedule.attempt',
    time: '2026-03-01T10:00:00Z',
    identifiers: [{ device_ids: { device_id: 'dev1', application_ids: { application_id: 'app1' } } }],
    data: {
      '@type': 'type.googleapis.com/ttn.lorawan.v3.DownlinkMessage',
      raw_payload: 'YD5dCyYAAQAB',
      request,
    },
  });
  const windows = (e: TtsEvent) => lorawanSummary(e).settings.filter(([k]) => k === 'RX1' || k === 'RX2');

  it('up to v3.15, an RX2 at DR0 (left out by proto3) is shown as DR0', () => {
    const e = scheduled({
      rx1_data_rate_index: 5,
      rx1_frequency: '868100000',
      rx2_frequency: '869525000',
      rx1_delay: 1,
    });
    expect(windows(e)).toEqual([
      ['RX1', 'DR5 · 868.100 MHz'],
      ['RX2', 'DR0 · 869.525 MHz'],
    ]);
  });

  it('later releases name the data rate itself', () => {
    const e = scheduled({
      rx2_data_rate: { lora: { bandwidth: 125000, spreading_factor: 12 } },
      rx2_frequency: '869525000',
    });
    expect(windows(e)).toEqual([['RX2', 'SF12 BW125 kHz · 869.525 MHz']]);
  });
});
