/** A gateway's "last seen": the time it was last there (traffic, status, connects), not the last event naming it. */
import { describe, expect, it } from 'vitest';
import { summarizeEvent } from '../../../../../src-main/shared/domain/summary.js';
import { computeHealth, HealthBuilder } from '../../../../../src-main/shared/health/health.js';
import type { TtsEvent } from '../../../../../src-main/shared/tts/types.js';

const gatewayEvent = (name: string, time: string, data?: unknown) =>
  ({ name, time, identifiers: [{ gateway_ids: { gateway_id: 'gtw1' } }], data, correlation_ids: [] }) as TtsEvent;

const receive = gatewayEvent('gs.up.receive', '2024-01-01T10:00:00Z', {
  '@type': 'type.googleapis.com/ttn.lorawan.v3.GatewayUplinkMessage',
  message: {
    raw_payload: 'QAEAAAAAAQABAQ==',
    rx_metadata: [{ gateway_ids: { gateway_id: 'gtw1' }, rssi: -70, snr: 9 }],
    settings: { data_rate: { lora: { bandwidth: 125000, spreading_factor: 7 } } },
  },
});

const lastSeen = (events: TtsEvent[]) => {
  const g = computeHealth(events.map((e, i) => summarizeEvent(e, i, 's'))).gateways.find(
    (x) => x.gatewayId === 'gtw1',
  )!;
  return { lastSeen: g.lastSeen, lastMs: g.lastMs };
};

describe("a gateway's last seen", () => {
  it('does not advance on a disconnect, registry edits or API keys', () => {
    const events = [
      receive,
      gatewayEvent('gs.gateway.disconnect', '2024-01-01T10:05:00Z'),
      gatewayEvent('gateway.update', '2024-01-01T12:00:00Z', {
        '@type': 'type.googleapis.com/google.protobuf.Value',
        value: ['name'],
      }),
      gatewayEvent('gateway.api-key.create', '2024-01-01T12:30:00Z'),
    ];
    expect(lastSeen(events)).toEqual({ lastSeen: '2024-01-01T10:00:00Z', lastMs: Date.parse('2024-01-01T10:00:00Z') });
  });

  it('advances on status messages, connects and connection statistics', () => {
    for (const name of ['gs.status.receive', 'gs.gateway.connect', 'gs.gateway.connection.stats', 'gs.txack.receive'])
      expect(lastSeen([receive, gatewayEvent(name, '2024-01-01T11:00:00Z')]).lastSeen, name).toBe(
        '2024-01-01T11:00:00Z',
      );
  });

  it('is unknown for a gateway only edited in the registry', () => {
    const edit = gatewayEvent('gateway.update', '2024-01-01T12:00:00Z');
    expect(lastSeen([edit]).lastSeen).toBe('');
    // Its panel still opens, on an empty uplink series.
    const b = new HealthBuilder();
    b.add(summarizeEvent(edit, 1, 's'));
    expect(b.gateway('gtw1')?.series.perMinute.uplinks).toEqual([0]);
  });
});
