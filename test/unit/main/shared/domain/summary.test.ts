/** The list summary of events that carry no data: the reference samples and the real 2019 Console story. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { summarizeEvent } from '../../../../../src-main/shared/domain/summary.js';
import { compileQuery } from '../../../../../src-main/shared/query/query.js';
import { computeHealth } from '../../../../../src-main/shared/health/health.js';
import type { TtsEvent } from '../../../../../src-main/shared/tts/types.js';
import { consoleSimulation } from '../../../../helpers/tts-quirks.js';

const samples = JSON.parse(readFileSync('test/fixtures/sample-events.json', 'utf8')) as TtsEvent[];
const sample = (name: string) => samples.find((e) => e.name === name && e.data === undefined)!;

describe('an event without data', () => {
  it('is found by dir: as its name says, though it carries no frame', () => {
    const dirs = (name: string) =>
      ['up', 'down', 'join'].filter((d) => {
        const q = compileQuery(`dir:${d}`);
        return q.ok && q.test(summarizeEvent(sample(name), 0, 's'));
      });
    expect(dirs('gs.down.tx.success')).toEqual(['down']);
    expect(dirs('js.join.accept')).toEqual(['join']);
    expect(dirs('as.up.data.receive')).toEqual(['up']);
    expect(dirs('application.create')).toEqual([]);
    // Not a message of its own in the Messages view: it has no frame.
    expect(summarizeEvent(sample('js.join.accept'), 0, 's').direction).toBeUndefined();
  });

  it('is not what frames are counted from: v3.0’s data-less ns.up.data.forward beside as.up.data.forward', () => {
    const story = (
      JSON.parse(readFileSync('test/fixtures/real/tts-console-story-2019.json', 'utf8')) as { events: TtsEvent[] }
    ).events;
    const { devices } = computeHealth(story.map((e, i) => summarizeEvent(e, i, 's')));
    const counted = devices.filter((d) => d.frames.frames > 0);
    expect(counted.map((d) => [d.deviceId, d.countedFrom, d.frames.frames])).toEqual([
      ['admin-dev-otaa', 'as.up.data.forward', 1],
    ]);
  });
});

describe('an uplink heard by many gateways (dense community areas, Packet Broker roaming)', () => {
  const rx = Array.from({ length: 12 }, (_, i) => ({
    gateway_ids: { gateway_id: `gw${i + 1}` },
    rssi: i === 9 ? -101 : -120,
    channel_rssi: i === 9 ? -101 : -120,
    snr: -5,
  }));
  const up: TtsEvent = {
    name: 'as.up.data.forward',
    time: '2026-03-01T10:00:00Z',
    identifiers: [{ device_ids: { device_id: 'dev1', application_ids: { application_id: 'app1' } } }],
    data: {
      '@type': 'type.googleapis.com/ttn.lorawan.v3.ApplicationUp',
      uplink_message: {
        f_port: 1,
        f_cnt: 7,
        rx_metadata: rx,
        settings: { data_rate: { lora: { bandwidth: 125000, spreading_factor: 9 } } },
      },
    },
  };

  it('is found by every gateway that heard it, and each of them counts it', () => {
    const s = summarizeEvent(up, 0, 's');
    expect(s).toMatchObject({ gateways: 12, rssi: -101 });
    const q = compileQuery('gateway:gw10');
    if (!q.ok) throw new Error(q.error.message);
    // gw10 gave the best RSSI: the filter finds the uplink it was heard on.
    expect(q.test(s)).toBe(true);
    const { gateways } = computeHealth([s]);
    expect(gateways.map((g) => g.gatewayId).sort()).toEqual(rx.map((r) => r.gateway_ids.gateway_id).sort());
  });

  it('a hostile event naming thousands of gateways keeps a bounded list', () => {
    const many = Array.from({ length: 5000 }, (_, i) => ({ gateway_ids: { gateway_id: `g${i}` }, rssi: -100 }));
    const data = up.data as { uplink_message: Record<string, unknown> };
    const s = summarizeEvent(
      { ...up, data: { ...data, uplink_message: { ...data.uplink_message, rx_metadata: many } } },
      0,
      's',
    );
    expect(s.gatewayIds!.length).toBeLessThanOrEqual(102);
  });
});

describe("the Console's simulated uplink", () => {
  it('is marked simulated in its list summary; the real uplinks around it are not', () => {
    const summaries = consoleSimulation(0).map((e, i) => summarizeEvent(e, i, 's'));
    expect(summaries.map((s) => s.simulated)).toEqual([undefined, undefined, true, undefined, undefined]);
  });
});
