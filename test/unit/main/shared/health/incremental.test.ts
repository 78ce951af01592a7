/**
 * The health aggregates are kept up to date entry by entry (and dropped by retention epoch): whatever
 * order and chunks the entries come in, the lists must say what one pass over the same entries says.
 */
import { describe, expect, it } from 'vitest';
import type { EventSummary } from '../../../../../src-main/shared/domain/summary.js';
import { countFrames, FrameTracker, trackerOf } from '../../../../../src-main/shared/health/frames.js';
import { computeHealth, HealthBuilder } from '../../../../../src-main/shared/health/health.js';
import { spread, ValueCounts } from '../../../../../src-main/shared/health/stats.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');
let nextId = 1;

function ev(over: Partial<EventSummary> & { name: string; ms: number }): EventSummary {
  return {
    id: nextId++,
    streamId: 's1',
    kind: 'event',
    time: new Date(over.ms).toISOString(),
    entity: '',
    entityKind: '',
    preview: '',
    correlationIds: [],
    ...over,
  };
}

/** A seeded generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

/**
 * A capture of 6 devices and 3 gateways over `n` seconds: NS uplinks (some frames lost, some repeated),
 * the gateways' receptions naming only the DevAddr, joins that move a DevAddr to another device,
 * connects and downlink results.
 */
function capture(n: number, seed: number): EventSummary[] {
  const r = rng(seed);
  const out: EventSummary[] = [];
  const fCnt = new Map<string, number>();
  const addr = new Map<string, string>();
  for (let s = 0; s < n; s++) {
    const dev = `dev${Math.floor(r() * 6)}`;
    const ms = T0 + s * 1000;
    if (!addr.has(dev) || r() < 0.01) {
      // A join: a new session, and now and then a DevAddr another device had before.
      addr.set(dev, `2600000${Math.floor(r() * 8)}`);
      fCnt.set(dev, 0);
      out.push(
        ev({
          name: 'js.join.accept',
          ms,
          entity: dev,
          entityKind: 'device',
          application: 'app',
          direction: 'join',
          devAddr: addr.get(dev)!,
        }),
      );
      continue;
    }
    const f = fCnt.get(dev)!;
    fCnt.set(dev, f + (r() < 0.1 ? 2 : r() < 0.05 ? 0 : 1));
    const gws = ['gw0', 'gw1', 'gw2'].filter(() => r() < 0.6);
    if (gws.length === 0) continue;
    const rssi = -60 - Math.floor(r() * 60);
    const snr = Math.round((r() * 20 - 10) * 4) / 4;
    for (const gw of gws)
      out.push(
        ev({
          name: 'gs.up.receive',
          ms,
          entity: gw,
          entityKind: 'gateway',
          direction: 'up',
          devAddr: addr.get(dev)!,
          rssi: rssi - 3,
          snr,
          dataRate: 'SF7BW125',
        }),
      );
    out.push(
      ev({
        name: 'ns.up.data.process',
        ms: ms + 5,
        entity: dev,
        entityKind: 'device',
        application: 'app',
        direction: 'up',
        devAddr: addr.get(dev)!,
        fCnt: f,
        rssi,
        snr,
        dataRate: r() < 0.5 ? 'SF7BW125' : 'SF9BW125',
        gateways: gws.length,
        gatewayIds: gws,
      }),
    );
    if (r() < 0.02) out.push(ev({ name: 'gs.gateway.connect', ms, entity: gws[0]!, entityKind: 'gateway' }));
    if (r() < 0.02)
      out.push(ev({ name: 'gs.down.tx.fail', ms, entity: gws[0]!, entityKind: 'gateway', errorName: 'too_late' }));
  }
  return out;
}

const gaps = [{ fromMs: T0 + 100_000, toMs: T0 + 160_000 }];

describe('health aggregates kept up to date', () => {
  it('spreads of value counts are the spreads of the values', () => {
    const r = rng(3);
    for (const n of [1, 2, 3, 10, 101, 1000]) {
      const values = Array.from({ length: n }, () => Math.round(r() * 40) / 4 - 5);
      const c = new ValueCounts();
      for (const v of values) c.add(v);
      expect(c.spread()).toEqual(spread(values));
    }
    expect(new ValueCounts().spread()).toBeUndefined();
  });

  it('a frame counter fed in time order counts what countFrames counts, and refuses an older entry', () => {
    const tx = [0, 1, 1, 3, 4, 0, 1, 7, 65535, 0].map((fCnt, i) => ({ ms: T0 + i * 1000, fCnt }));
    const joins = [T0 + 4500];
    expect(trackerOf(tx, joins).result(gaps)).toEqual(countFrames(tx, joins, gaps));
    const t = new FrameTracker();
    expect(t.add({ ms: T0 + 5000, fCnt: 1 })).toBe(true);
    expect(t.add({ ms: T0 + 4000, fCnt: 0 })).toBe(false);
    expect(t.join(T0 + 5000)).toBe(false);
  });

  it('lists asked while the capture grows say what one pass over the whole capture says', () => {
    const events = capture(600, 7);
    const b = new HealthBuilder();
    b.setGaps(gaps);
    events.forEach((e, i) => {
      b.add(e);
      // The window asks now and then while rows arrive.
      if (i % 97 === 0) void [b.devices(), b.gateways()];
    });
    const once = computeHealth(events, gaps);
    expect(b.devices()).toEqual(once.devices);
    expect(b.gateways()).toEqual(once.gateways);
    // And what brute force over the events says: frames from the sorted uplinks and joins, spreads of the readings.
    for (const d of once.devices) {
      const mine = events.filter((e) => e.entityKind === 'device' && e.entity === d.deviceId);
      const ups = mine.filter((e) => e.name === 'ns.up.data.process');
      const joins = mine.filter((e) => e.name === 'js.join.accept').map((e) => e.ms);
      expect(d.frames).toEqual(
        countFrames(
          ups.map((e) => ({ ms: e.ms, fCnt: e.fCnt! })),
          joins,
          gaps,
        ),
      );
      expect(d.rssi).toEqual(spread(ups.map((e) => e.rssi!)));
      expect(d.events).toBe(mine.length);
    }
    // The capture must exercise what the aggregates shortcut: lost frames, DevAddrs moved between devices.
    expect(once.devices.some((d) => d.frames.lost > 0 && d.frames.unknown > 0)).toBe(true);
    // The window's brief lists: the same numbers without per-device gateway rows and per-gateway device lists.
    expect(b.devices(true)).toEqual(once.devices.map((d) => ({ ...d, gateways: [] })));
    expect(b.gateways(true)).toEqual(once.gateways.map((g) => ({ ...g, heard: [] })));
    const addrs = Array.from({ length: 8 }, (_, k) => `2600000${k}`);
    expect(addrs.some((a) => b.resolver.bindingsOf(a) > 1)).toBe(true);
  });

  it('entries arriving late (a second stream behind the first) count as if they had come in time order', () => {
    const events = capture(400, 11);
    const late = [...events.slice(200), ...events.slice(0, 200)];
    const b = new HealthBuilder();
    for (const e of late.slice(0, 300)) b.add(e);
    void b.devices();
    for (const e of late.slice(300)) b.add(e);
    expect(b.devices()).toEqual(computeHealth(events).devices);
  });

  it('retention dropping an epoch leaves what the kept entries alone say', () => {
    const events = capture(900, 5);
    const b = new HealthBuilder();
    b.setGaps(gaps);
    events.forEach((e, i) => {
      b.epoch = Math.floor(i / 300);
      b.add(e);
    });
    void [b.devices(), b.gateways()];
    b.retain((epoch) => epoch !== 0);
    const kept = events.slice(300);
    const once = new HealthBuilder();
    once.setGaps(gaps);
    // DevAddr bindings stay learned (they were true); the fresh builder learns them the same way.
    for (const e of events.slice(0, 300)) once.learn(e);
    for (const e of kept) once.add(e);
    expect(b.devices()).toEqual(once.devices());
    expect(b.gateways()).toEqual(once.gateways());
    expect(b.devices().reduce((a, d) => a + d.events, 0)).toBe(kept.filter((e) => e.entityKind === 'device').length);
  });
});
