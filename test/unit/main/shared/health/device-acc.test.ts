/**
 * A device's health from real servers' events that look like radio traffic but are not (test/helpers/tts-quirks.ts):
 * the per-gateway copies v3.8–3.17 log before deduplicating, and the Console's simulated uplinks.
 */
import { describe, expect, it } from 'vitest';
import { summarizeEvent } from '../../../../../src-main/shared/domain/summary.js';
import { HealthBuilder } from '../../../../../src-main/shared/health/health.js';
import type { TtsEvent } from '../../../../../src-main/shared/tts/types.js';
import { consoleSimulation, duplicateDataCopies, duplicateJoinCopies } from '../../../../helpers/tts-quirks.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');

function healthOf(events: TtsEvent[]): HealthBuilder {
  const b = new HealthBuilder();
  events.forEach((e, i) => b.add(summarizeEvent(e, i + 1, 's1')));
  return b;
}

describe('a v3.8–3.17 Network Server with several gateways hearing one device', () => {
  it('counts one join attempt for one join-request three gateways heard, and no error', () => {
    const [d] = healthOf(duplicateJoinCopies(T0)).devices();
    expect(d).toMatchObject({ deviceId: 'old-joiner', joins: { attempts: 1, accepts: 0 }, errors: 0, events: 6 });
  });

  it('counts no error for the copies of one uplink four gateways heard (TTS Cloud, 2020)', () => {
    const [d] = healthOf(duplicateDataCopies()).devices();
    expect(d).toMatchObject({ deviceId: 'test-dev-01', errors: 0, events: 7 });
  });

  it('still counts a drop for any other reason as an error', () => {
    const events = duplicateDataCopies();
    const drop = events.find((e) => e.name === 'ns.up.data.drop')! as TtsEvent & { data: { name: string } };
    drop.data.name = 'device_not_found';
    const [d] = healthOf(events).devices();
    expect(d!.errors).toBe(1);
  });
});

describe("the Console's simulated uplink between two real ones", () => {
  it('is no frame, no session, no reading and no gateway of the device; still one of its events', () => {
    const b = healthOf(consoleSimulation(T0));
    const [d] = b.devices();
    expect(d).toMatchObject({
      deviceId: 'console-tested',
      events: 5,
      frames: { frames: 4, lost: 0, sessions: 1 },
      rssi: { min: -100, max: -100 },
      snr: { min: -3, max: -3 },
      dataRates: [{ dataRate: 'SF9BW125', count: 4 }],
      gateways: [{ gatewayId: 'gw-real', uplinks: 4 }],
    });
    expect(b.gateways().map((g) => [g.gatewayId, g.uplinks])).toEqual([['gw-real', 4]]);
    expect(b.device('app-sim/console-tested')!.series.uplinks.ms).toHaveLength(4);
  });
});
