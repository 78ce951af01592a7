import { describe, expect, it } from 'vitest';
import type { EventSummary } from '../../../../../src-main/shared/domain/summary.js';
import { assembleMessages } from '../../../../../src-main/shared/health/messages.js';
import { MessageGrouper } from '../../../../../src-main/shared/health/message-groups.js';
import { overviewOfRows } from '../../../../../src-main/shared/health/overview.js';

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

/** The events of one uplink through two gateways, the NS and the AS, as TTS links them. */
function uplinkEvents(n: number, atMs: number, opts: { drop?: string } = {}): EventSummary[] {
  const g1 = `gs:uplink:${n}a`;
  const g2 = `gs:uplink:${n}b`;
  const ns = `ns:uplink:${n}`;
  const as = `as:up:${n}`;
  const dev = {
    entity: 'dev1',
    entityKind: 'device',
    application: 'app1',
    direction: 'up' as const,
    fCnt: n,
    fPort: 1,
  };
  const list = [
    ev({
      name: 'gs.up.receive',
      ms: atMs,
      entity: 'gw1',
      entityKind: 'gateway',
      direction: 'up',
      fCnt: n,
      gateways: 1,
      gatewayIds: ['gw1'],
      rssi: -80,
      correlationIds: [g1, 'gs:conn:1'],
    }),
    ev({
      name: 'gs.up.receive',
      ms: atMs + 3,
      entity: 'gw2',
      entityKind: 'gateway',
      direction: 'up',
      fCnt: n,
      gateways: 1,
      gatewayIds: ['gw2'],
      rssi: -100,
      correlationIds: [g2, 'gs:conn:2'],
    }),
    ev({ name: 'ns.up.data.receive', ms: atMs + 5, ...dev, correlationIds: [g1, ns] }),
  ];
  if (opts.drop) {
    list.push(
      ev({ name: 'ns.up.data.drop', ms: atMs + 210, ...dev, errorName: opts.drop, correlationIds: [g1, g2, ns] }),
    );
    return list;
  }
  list.push(
    ev({
      name: 'ns.up.data.process',
      ms: atMs + 205,
      ...dev,
      gateways: 2,
      gatewayIds: ['gw1', 'gw2'],
      rssi: -80,
      snr: 7,
      correlationIds: [g1, g2, ns],
    }),
    ev({ name: 'ns.up.data.forward', ms: atMs + 210, ...dev, correlationIds: [g1, g2, ns] }),
    ev({ name: 'as.up.data.forward', ms: atMs + 260, ...dev, preview: '0102', correlationIds: [g1, g2, ns, as] }),
  );
  return list;
}

describe('messages', () => {
  it('makes one row per uplink with its path and the latency of each step', () => {
    const entries = [...uplinkEvents(1, T0), ...uplinkEvents(2, T0 + 60_000)];
    const rows = assembleMessages(entries);
    expect(rows).toHaveLength(2);
    const r = rows[0]!;
    expect(r).toMatchObject({
      kind: 'uplink',
      device: 'dev1',
      fCnt: 1,
      fPort: 1,
      gateways: 2,
      rssi: -80,
      snr: 7,
      outcome: 'delivered',
      preview: '0102',
    });
    expect(r.eventIds).toHaveLength(6);
    expect(r.path.map((p) => [p.label, Math.round(p.deltaMs)])).toEqual([
      ['GS', 0],
      ['NS', 5],
      ['AS', 255],
    ]);
  });

  it('keeps two frames apart even when an ID is shared (a long-lived ID the rules do not know), and says why a message was dropped', () => {
    const a = uplinkEvents(5, T0);
    const b = uplinkEvents(6, T0 + 2000, { drop: 'f_cnt_too_low' });
    for (const e of [...a, ...b]) e.correlationIds.push('x:shared:1');
    const rows = assembleMessages([...a, ...b]);
    expect(rows.map((r) => [r.fCnt, r.outcome])).toEqual([
      [5, 'delivered'],
      [6, 'dropped'],
    ]);
    expect(rows[1]!.reason).toBe('ns.up.data.drop: f_cnt_too_low');
  });

  it('leaves status entries and registry events out', () => {
    const rows = assembleMessages([
      ev({ name: 'end_device.update', ms: T0, entity: 'dev1', entityKind: 'device' }),
      ev({ name: 'event-desk.gap', ms: T0, kind: 'status' }),
    ]);
    expect(rows).toEqual([]);
  });
});

describe('capture overview', () => {
  it('bins events over the whole capture, counts errors per bin and keeps the marks', () => {
    const rows = [
      ...Array.from({ length: 100 }, (_, i) => ({ ms: T0 + i * 1000, error: i % 10 === 0 })),
      { ms: T0 + 599_000, error: false },
    ];
    const o = overviewOfRows(rows, [{ kind: 'gap', fromMs: T0 + 200_000, toMs: T0 + 300_000, text: 'gap' }], 60);
    expect(o.total).toBe(101);
    expect(o.binMs).toBe(10_000);
    expect(o.events).toHaveLength(60);
    expect(o.events[0]).toBe(10);
    expect(o.errors[0]).toBe(1);
    expect(o.events.slice(10, 59).every((n) => n === 0)).toBe(true);
    expect(o.events[59]).toBe(1);
    expect(o.marks[0]).toMatchObject({ kind: 'gap' });
  });
});

describe('message groups kept as entries arrive', () => {
  it('drops what retention removed: emptied messages go, a cut one is named by its earliest remaining event', () => {
    const first = uplinkEvents(200, T0);
    const second = uplinkEvents(201, T0 + 20_000);
    const all = [...first, ...second];
    const g = new MessageGrouper();
    for (const e of all) g.add(e);
    expect(g.groups().map((x) => x.ids.length)).toEqual([first.length, second.length]);
    // Retention removed the first message and the first two events of the second.
    const gone = new Set([...first, ...second.slice(0, 2)].map((e) => e.id));
    const msOf = new Map(all.map((e) => [e.id, e.ms]));
    g.retain(
      (id) => !gone.has(id),
      (id) => msOf.get(id)!,
    );
    const left = g.groups();
    expect(left).toHaveLength(1);
    expect(left[0]!.ids).toEqual(second.slice(2).map((e) => e.id));
    expect(left[0]!.firstId).toBe(second[2]!.id);
    expect(left[0]!.firstMs).toBe(second[2]!.ms);
    // A late event of the second message still finds it (its IDs were kept).
    g.add({ ...second[3]!, id: 9_999_999, name: 'as.up.data.forward', ms: second[3]!.ms + 1 });
    expect(g.groups()).toHaveLength(1);
    expect(g.groups()[0]!.ids).toContain(9_999_999);
  });
});
