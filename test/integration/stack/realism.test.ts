/**
 * The built-in stack is our model of a real server: its flows take real time, its radio values hang
 * together, it relays Packet Broker uplinks, and it can speak as older releases did. Each is checked
 * through what Event Desk makes of it (summaries and chains), as a user would see it.
 */
import { describe, expect, it } from 'vitest';
import { Scenario, type StackEvent } from '../../../src-main/core/stack/scenario.js';
import { summarizeEvent, type EventSummary } from '../../../src-main/shared/domain/summary.js';
import { analyzeChain, collectChain } from '../../../src-main/shared/correlation/chain.js';
import type { TtsEvent } from '../../../src-main/shared/tts/types.js';
import { ChainIndex } from '../../helpers/chain-index.js';
import { compileQuery } from '../../../src-main/shared/query/query.js';
import { receivers } from '../../../src-main/shared/domain/reception.js';
import { computeHealth } from '../../../src-main/shared/health/health.js';

const T0 = Date.parse('2026-06-01T08:00:00Z');
const summaries = (events: StackEvent[]): EventSummary[] =>
  events.map((e, i) => summarizeEvent(JSON.parse(e.json) as TtsEvent, i, 's'));
function chainFrom(events: StackEvent[], name: string) {
  const list = summaries(events);
  const index = new ChainIndex();
  list.forEach((s) => index.add(s));
  const start = list.find((s) => s.name === name)!;
  const c = collectChain(start.id, index);
  return analyzeChain(c.events, c.truncated, c.unlinked);
}
const stepAt = (chain: ReturnType<typeof chainFrom>, name: string) =>
  chain.steps.find((s) => s.event.name === name)!.sinceStartMs;

describe('realistic timing', () => {
  it('an uplink takes time: the NS waits out its deduplication window, then the AS forwards', () => {
    const s = new Scenario({ devices: 1, gateways: 2, seed: 3 }, () => T0);
    s.flow('join', s.devices[0]!);
    const chain = chainFrom(s.flow('uplink', s.devices[0]!, 2, true), 'as.up.data.forward');
    expect(chain.findings).toEqual([]);
    expect(stepAt(chain, 'ns.up.data.receive')).toBeGreaterThan(5);
    expect(stepAt(chain, 'ns.up.data.process')).toBeGreaterThanOrEqual(200);
    expect(stepAt(chain, 'as.up.data.forward')).toBeGreaterThan(stepAt(chain, 'ns.up.data.process'));
    expect(stepAt(chain, 'as.up.data.forward')).toBeLessThan(1000);
    // No two consecutive steps at the same instant.
    expect(chain.steps.slice(1).every((st) => st.deltaMs > 0)).toBe(true);
  });

  it('a join-accept goes out in RX1, 5 s after the join-request, and its TX ack comes after that', () => {
    const s = new Scenario({ devices: 1, gateways: 1, seed: 3 }, () => T0);
    const chain = chainFrom(s.flow('join', s.devices[0]!, 1, true), 'js.join.accept');
    expect(chain.findings).toEqual([]);
    expect(stepAt(chain, 'gs.down.tx.success')).toBeGreaterThanOrEqual(5000);
    expect(stepAt(chain, 'gs.down.tx.success')).toBeLessThan(5200);
    expect(stepAt(chain, 'gs.down.send')).toBeLessThan(1000);
  });

  it('a confirmed uplink is acknowledged in RX1, about 1 s later', () => {
    const s = new Scenario({ devices: 1, gateways: 1, seed: 3 }, () => T0);
    s.flow('join', s.devices[0]!);
    const chain = chainFrom(s.flow('confirmed-uplink', s.devices[0]!, 1, true), 'as.up.data.forward');
    expect(stepAt(chain, 'gs.down.tx.success')).toBeGreaterThanOrEqual(1000);
    expect(stepAt(chain, 'gs.down.tx.success')).toBeLessThan(1200);
  });
});

describe('radio values that hang together', () => {
  it('SNR follows RSSI: strong signals are well above the noise, weak ones below it', () => {
    const s = new Scenario({ devices: 40, gateways: 3, seed: 11 }, () => T0);
    const pairs: [number, number][] = [];
    for (const d of s.devices) {
      s.flow('join', d);
      for (const e of summaries(s.flow('uplink', d, 3))) {
        if (e.name !== 'ns.up.data.process') continue;
        pairs.push([e.rssi!, e.snr!]);
      }
    }
    expect(pairs.length).toBe(40);
    for (const [rssi, snr] of pairs) {
      if (rssi > -85) expect(snr).toBeGreaterThan(5);
      if (rssi < -120) expect(snr).toBeLessThan(-5);
      expect(snr).toBeLessThanOrEqual(12);
    }
    expect(new Set(pairs.map((p) => p[0])).size).toBeGreaterThan(10);
  });
});

describe('Packet Broker relays', () => {
  it('names the forwarding gateway, links by the pba:uplink ID, and has no Gateway Server events', () => {
    const s = new Scenario({ devices: 1, gateways: 1, seed: 3 }, () => T0);
    s.flow('join', s.devices[0]!);
    const events = s.flow('packet-broker-uplink', s.devices[0]!);
    expect(events.some((e) => e.name.startsWith('gs.'))).toBe(false);
    const process = summaries(events).find((e) => e.name === 'ns.up.data.process')!;
    // `packetbroker` last: an alias of the forwarder, which the uplink counts under (reception.ts).
    expect(process.gatewayIds).toEqual([expect.stringMatching(/^rak-community-\d$/), 'packetbroker']);
    expect(receivers(process.gatewayIds)).toEqual([expect.stringMatching(/^rak-community-\d$/)]);
    expect(process.correlationIds.some((c) => c.startsWith('pba:uplink:'))).toBe(true);
    const chain = chainFrom(events, 'as.up.data.forward');
    expect(chain.steps.map((st) => st.event.name)).toEqual([
      'ns.up.data.receive',
      'ns.up.data.process',
      'ns.up.data.forward',
      'as.up.data.receive',
      'as.up.data.forward',
    ]);
    expect(chain.findings).toEqual([]);
  });
});

describe('older servers (--legacy, --release)', () => {
  it('puts the long-lived link IDs on every event the link touches, and chains still keep messages apart', () => {
    const s = new Scenario({ devices: 2, gateways: 1, seed: 4, correlation: 'legacy' }, () => T0);
    for (const d of s.devices) s.flow('join', d);
    const a = s.flow('uplink', s.devices[0]!, 1);
    const b = s.flow('uplink', s.devices[1]!, 1);
    const c = s.flow('downlink', s.devices[0]!, 1);
    const all = [...a, ...b, ...c];
    const asEvents = all.filter((e) => e.name.startsWith('as.')).map((e) => JSON.parse(e.json) as TtsEvent);
    const link = asEvents[0]!.correlation_ids!.find((x) => x.startsWith('rpc:/ttn.lorawan.v3.AsNs/LinkApplication:'))!;
    expect(link).toBeDefined();
    for (const e of asEvents) expect(e.correlation_ids).toContain(link);
    const chain = chainFrom([...a, ...b], 'as.up.data.forward');
    expect(chain.steps).toHaveLength(a.length);
    expect(chain.unlinked.map((u) => u.id.split(':').slice(0, -1).join(':'))).toEqual(
      expect.arrayContaining(['gs:conn', 'rpc:/ttn.lorawan.v3.AsNs/LinkApplication']),
    );
    // gs.down.send keeps the message's IDs only inside data.correlation_ids, the connection twice.
    const send = JSON.parse(c.find((e) => e.name === 'gs.down.send')!.json) as TtsEvent & {
      data: { correlation_ids: string[] };
    };
    expect(send.correlation_ids!.some((x) => x.startsWith('as:downlink:'))).toBe(false);
    expect(send.data.correlation_ids.some((x) => x.startsWith('as:downlink:'))).toBe(true);
    expect(send.data.correlation_ids.filter((x) => x.startsWith('gs:conn:'))).toHaveLength(2);
    expect(chainFrom(c, 'as.down.data.receive').steps.map((st) => st.event.name)).toContain('gs.down.send');
  });

  it('older AS events carry the DevEUI only in data.end_device_ids, and Event Desk still reads and filters it', () => {
    const s = new Scenario({ devices: 1, gateways: 1, seed: 4, correlation: 'legacy' }, () => T0);
    s.flow('join', s.devices[0]!);
    const asUp = s.flow('uplink', s.devices[0]!, 1).find((e) => e.name === 'as.up.data.forward')!;
    const raw = JSON.parse(asUp.json) as TtsEvent & { data: { end_device_ids: { dev_eui: string } } };
    expect(raw.identifiers![0]!.device_ids!.dev_eui).toBeUndefined();
    expect(raw.data.end_device_ids.dev_eui).toBe(s.devices[0]!.devEui);
    const summary = summarizeEvent(raw, 1, 's');
    expect(summary.devEui).toBe(s.devices[0]!.devEui);
    const q = compileQuery(`dev_eui:${s.devices[0]!.devEui}`);
    expect(q.ok && q.test(summary)).toBe(true);
  });

  it('names events as v3.5 did, and its chains get no false findings', () => {
    const s = new Scenario({ devices: 1, gateways: 1, seed: 4, correlation: 'legacy', release: '3.5' }, () => T0);
    s.flow('join', s.devices[0]!);
    const up = s.flow('uplink', s.devices[0]!, 1);
    expect(up.map((e) => e.name)).toEqual([
      'gs.up.receive',
      'ns.up.receive',
      'gs.up.forward',
      'ns.up.merge_metadata',
      'ns.up.data.forward',
      'as.up.data.receive',
      'as.up.data.forward',
    ]);
    expect(chainFrom(up, 'as.up.data.forward').findings).toEqual([]);
    // As v3.6.0's Network Server wrote it: the number of gateways whose metadata it merged, no uplink.
    expect(JSON.parse(up.find((e) => e.name === 'ns.up.merge_metadata')!.json).data).toEqual({
      '@type': 'type.googleapis.com/google.protobuf.Value',
      value: 1,
    });
    const join = s.flow('join', s.devices[0]!);
    expect(join.map((e) => e.name)).not.toContain('ns.down.join.schedule.attempt');
    const down = s.flow('downlink', s.devices[0]!);
    expect(down.map((e) => e.name)).toEqual([
      'as.down.data.receive',
      'as.down.data.forward',
      'gs.down.send',
      'gs.down.tx.success',
    ]);
    expect(chainFrom(down, 'as.down.data.receive').findings).toEqual([]);
  });
});

describe('the demo network', () => {
  it('loses no frame on the radio: every device counts 0 lost over a few thousand flows, errors flows included', () => {
    const s = new Scenario({ devices: 6, gateways: 3, seed: 5 }, () => T0);
    const events: StackEvent[] = [];
    while (events.length < 20_000) events.push(...s.nextFlow());
    const kinds = summaries(events);
    expect(kinds.some((e) => e.name === 'as.up.data.decode.fail')).toBe(true);
    const { devices } = computeHealth(kinds);
    const counted = devices.filter((d) => d.frames.frames > 0);
    expect(counted.length).toBeGreaterThan(3);
    expect(counted.map((d) => [d.deviceId, d.frames.lost])).toEqual(counted.map((d) => [d.deviceId, 0]));
  });
});
