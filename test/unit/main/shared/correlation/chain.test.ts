import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  analyzeChain,
  collectChain,
  isLinkingId,
  linkDecision,
  scanSource,
} from '../../../../../src-main/shared/correlation/chain.js';
import { ChainIndex } from '../../../../helpers/chain-index.js';
import { summarizeEvent, type EventSummary } from '../../../../../src-main/shared/domain/summary.js';
import type { TtsEvent } from '../../../../../src-main/shared/tts/types.js';
import { Scenario } from '../../../../../src-main/core/stack/scenario.js';
import { assembleMessages } from '../../../../../src-main/shared/health/messages.js';
import { compileQuery } from '../../../../../src-main/shared/query/query.js';

const samples = JSON.parse(readFileSync('test/fixtures/sample-events.json', 'utf8')) as TtsEvent[];

function indexOf(events: TtsEvent[]): { index: ChainIndex; summaries: EventSummary[] } {
  const index = new ChainIndex();
  const summaries = events.map((e, i) => summarizeEvent(e, i, 's1'));
  summaries.forEach((s) => index.add(s));
  return { index, summaries };
}

const constructed = indexOf(samples.slice(30, 83).map((e) => e));
const idOf = (name: string, nth = 0) => constructed.summaries.filter((s) => s.name === name)[nth]!.id;
const chainNames = (id: number) => collectChain(id, constructed.index).events.map((e) => e.name);

describe('correlation chains from the sample events (PROTOCOL.md 7.3)', () => {
  it('links a data uplink by its gs:uplink ID, gateway server to application server', () => {
    expect(chainNames(idOf('as.up.data.forward'))).toEqual([
      'gs.up.receive',
      'ns.up.data.receive',
      'gs.up.forward',
      'ns.up.data.process',
      'ns.up.data.forward',
      'as.up.data.receive',
      'as.up.data.forward',
    ]);
    const chain = analyzeChain(collectChain(idOf('as.up.data.forward'), constructed.index).events);
    expect(chain.kind).toBe('uplink');
    expect(chain.findings).toEqual([]);
    expect(chain.lanes.map((l) => l.label)).toEqual([
      'Gateway Server · demo-gateway',
      'Network Server',
      'Application Server',
    ]);
    // Deltas keep the nanoseconds of the event times.
    expect(chain.steps.map((s) => Math.round(s.deltaMs * 1000) / 1000)).toEqual([
      0, 3.725, 1.648, 200.316, 0.66, 2.479, 1.204,
    ]);
  });

  it('links the whole join flow, with js.join.accept joined by device and time (it shares no ID)', () => {
    const names = chainNames(idOf('js.join.accept'));
    expect(names).toEqual([
      'gs.up.receive',
      'ns.up.join.receive',
      'ns.up.join.cluster.attempt',
      'js.join.accept',
      'ns.up.join.cluster.success',
      'gs.up.forward',
      'ns.up.join.process',
      'ns.down.join.schedule.attempt',
      'gs.down.schedule.attempt',
      'gs.down.send',
      'ns.down.join.schedule.success',
      'ns.up.join.accept.forward',
      'as.up.join.receive',
      'as.up.join.forward',
      'gs.down.tx.success',
      'gs.txack.receive',
    ]);
    expect(chainNames(idOf('gs.up.receive'))).toEqual(names);
    const chain = analyzeChain(collectChain(idOf('js.join.accept'), constructed.index).events);
    expect(chain.kind).toBe('join');
    expect(chain.findings).toEqual([]);
    expect(chain.edges.some((e) => e.via === 'device+time')).toBe(true);
    expect(chain.lanes.map((l) => l.component)).toEqual(['gs', 'ns', 'as', 'js']);
  });

  it('links an application downlink from queue push to TX ack', () => {
    const names = chainNames(idOf('as.down.data.receive'));
    expect(names).toEqual([
      'as.down.data.receive',
      'as.down.data.forward',
      'ns.down.data.schedule.attempt',
      'gs.down.send',
      'ns.down.data.schedule.success',
      'gs.down.tx.success',
      'gs.txack.forward',
      'ns.down.transmission.success',
      'as.down.data.sent.forward',
    ]);
    const chain = analyzeChain(collectChain(idOf('as.down.data.receive'), constructed.index).events);
    expect(chain.kind).toBe('downlink');
    expect(chain.findings).toEqual([]);
  });

  it('flags dropped and failed uplinks', () => {
    const chain = analyzeChain(collectChain(idOf('ns.up.data.drop'), constructed.index).events);
    expect(chain.steps.map((s) => s.event.name)).toEqual(['ns.up.data.drop', 'as.up.data.decode.fail']);
    expect(chain.findings.map((f) => f.severity)).toEqual(['error', 'error']);
    expect(chain.findings[0]!.text).toMatch(/^ns\.up\.data\.drop: duplicate_uplink/);
    const gsDrop = analyzeChain(collectChain(idOf('gs.up.drop'), constructed.index).events);
    expect(gsDrop.findings[0]).toMatchObject({ severity: 'error', text: expect.stringMatching(/gs\.up\.drop/) });
  });

  it("a gateway's uplink alone gets a note, not a fault (a gateway's stream never carries the network server's)", () => {
    const all = collectChain(idOf('as.up.data.forward'), constructed.index).events;
    // What a gateway's stream holds of that uplink: the gateway server's events, logged under the gateway.
    const gatewayOnly = analyzeChain(all.filter((e) => e.name.startsWith('gs.')));
    expect(gatewayOnly.findings.map((f) => f.severity)).toEqual(['note']);
    expect(gatewayOnly.findings[0]!.text).toMatch(/^Only the gateway server's events: the network server logs/);
    // With the application server's side in view, the network server's part is implied: nothing to say.
    expect(analyzeChain(all.filter((e) => e.name.startsWith('gs.') || e.name.startsWith('as.'))).findings).toEqual([]);
  });

  it('points at what is missing: an uplink received but never forwarded, a downlink sent without TX ack', () => {
    const up = analyzeChain(
      collectChain(idOf('as.up.data.forward'), constructed.index).events.filter((e) => !e.name.startsWith('as.')),
    );
    expect(up.findings.map((f) => f.text)).toEqual([
      'Forwarded by the network server, but the application server never handled it (as.up.data.* not seen).',
    ]);
    const notForwarded = analyzeChain(
      collectChain(idOf('as.up.data.forward'), constructed.index).events.filter(
        (e) => !e.name.startsWith('as.') && e.name !== 'ns.up.data.forward',
      ),
    );
    expect(notForwarded.findings.map((f) => f.text)).toEqual([
      'Processed by the network server, but never forwarded to the application (ns.up.data.forward and as.up.data.* ' +
        'not seen; a retransmission of a frame already forwarded is not forwarded again).',
    ]);
    const down = analyzeChain(
      collectChain(idOf('as.down.data.receive'), constructed.index).events.filter(
        (e) => !/tx\.success|txack|transmission\.success|sent\.forward/.test(e.name),
      ),
    );
    expect(down.findings.map((f) => f.text)).toEqual([
      'The downlink was sent, but no TX acknowledgment came back from the gateway.',
    ]);
  });

  it('a scanning source finds the same chains as the map index', () => {
    const list = constructed.summaries;
    const scan = scanSource(
      () => [list],
      (id) => list.find((s) => s.id === id),
    );
    for (const s of list)
      expect(collectChain(s.id, scan).events.map((e) => e.id)).toEqual(
        collectChain(s.id, constructed.index).events.map((e) => e.id),
      );
  });

  it('ignores connection-wide IDs that would tie unrelated messages together', () => {
    expect(isLinkingId('gs:uplink:01JB99Z8EG8T4TQ7BJAMP4ENHH')).toBe(true);
    expect(isLinkingId('rpc:/ttn.lorawan.v3.GsNs/HandleUplink:01JB')).toBe(true);
    expect(isLinkingId('gs:conn:01EJ0A4MV0D5G3EGC7P10N7BYH')).toBe(false);
    expect(isLinkingId('rpc:/ttn.lorawan.v3.GtwGs/LinkGateway:01EJ0A')).toBe(false);
    expect(isLinkingId('rpc:/ttn.lorawan.v3.Events/Stream:01JB99')).toBe(false);
  });

  it('links the legacy (pre-3.28) scheme of the Console fixtures', () => {
    const legacy = indexOf(samples.slice(4, 30));
    const asUp = legacy.summaries.filter((s) => s.name === 'as.up.data.forward').pop()!;
    const names = collectChain(asUp.id, legacy.index).events.map((e) => e.name);
    // ns.up.data.forward carries the uplink's IDs only inside data.correlation_ids (its envelope has the
    // AS–NS link's LinkApplication ID, which does not link): it belongs to the chain.
    expect(names).toEqual([
      'ns.up.data.receive',
      'ns.mac.link_adr.answer.reject',
      'ns.up.data.process',
      'as.up.data.receive',
      'as.up.data.forward',
      'ns.up.data.forward',
      'ns.down.data.schedule.attempt',
      'ns.down.data.schedule.success',
      'ns.mac.link_adr.request',
    ]);
    const unlinked = collectChain(asUp.id, legacy.index).unlinked.map((u) => u.id.replace(/:[0-9A-Z]{26}$/, ''));
    expect(unlinked).toEqual(['gs:conn', 'gs:up:host', 'rpc:/ttn.lorawan.v3.AsNs/LinkApplication']);
    // gs:up:host: is shared by every uplink of one host connection: two different uplinks stay apart.
    const first = legacy.summaries.filter((s) => s.name === 'gs.up.forward')[0]!;
    expect(collectChain(first.id, legacy.index).events.map((e) => e.time)).toEqual([
      '2020-09-25T13:21:51.492515920Z',
      '2020-09-25T13:21:51.496073398Z',
      '2020-09-25T13:21:51.831451866Z',
    ]);
  });
});

describe('a three-gateway uplink from the built-in stack', () => {
  it('has one gateway-server lane per gateway', () => {
    const scenario = new Scenario({ devices: 2, gateways: 3, seed: 5 }, () => Date.parse('2026-01-01T00:00:00Z'));
    scenario.flow('join', scenario.devices[0]!);
    const events = scenario.flow('uplink', scenario.devices[0]!, 3).map((e) => JSON.parse(e.json) as TtsEvent);
    const { index, summaries } = indexOf(events);
    const start = summaries.find((s) => s.name === 'as.up.data.forward')!;
    const chain = analyzeChain(collectChain(start.id, index).events);
    expect(chain.lanes.filter((l) => l.component === 'gs').map((l) => l.label)).toEqual([
      'Gateway Server · demo-gateway-1',
      'Gateway Server · demo-gateway-2',
      'Gateway Server · demo-gateway-3',
    ]);
    expect(chain.findings).toEqual([]);
  });
});

describe('chains from a stack writing the pre-3.28 correlation scheme', () => {
  it('links each uplink the same way, and keeps uplinks that share a gateway connection apart', () => {
    const scenario = new Scenario({ devices: 2, gateways: 2, seed: 6, correlation: 'legacy' }, () =>
      Date.parse('2026-01-01T00:00:00Z'),
    );
    const a = scenario.flow('uplink', scenario.devices[0]!, 2).map((e) => JSON.parse(e.json) as TtsEvent);
    const b = scenario.flow('uplink', scenario.devices[1]!, 2).map((e) => JSON.parse(e.json) as TtsEvent);
    const ns = a.find((e) => e.name === 'ns.up.data.process')!;
    expect(ns.correlation_ids!.map((c) => c.split(':').slice(0, -1).join(':')).sort()).toEqual(
      expect.arrayContaining(['gs:conn', 'gs:up:host', 'gs:uplink', 'ns:uplink']),
    );
    expect(a.find((e) => e.name === 'as.up.data.forward')!.correlation_ids!.some((c) => c.startsWith('as:up:'))).toBe(
      true,
    );
    const { index, summaries } = indexOf([...a, ...b]);
    const firstUp = summaries.find((s) => s.name === 'as.up.data.forward')!;
    const chain = analyzeChain(collectChain(firstUp.id, index).events);
    expect(chain.steps).toHaveLength(a.length);
    expect(chain.lanes.filter((l) => l.component === 'gs')).toHaveLength(2);
    expect(chain.findings).toEqual([]);
  });
});

describe('MAC commands and confirmed uplinks from the built-in stack', () => {
  const clock = () => Date.parse('2026-01-01T00:00:00Z');

  it('a MAC request rides on an uplink chain; the answer the NS rejects is flagged on the next one', () => {
    const scenario = new Scenario({ devices: 1, gateways: 1, seed: 9 }, clock);
    const d = scenario.devices[0]!;
    scenario.flow('join', d);
    const first = scenario.flow('mac', d).map((e) => JSON.parse(e.json) as TtsEvent);
    const second = scenario.flow('uplink', d).map((e) => JSON.parse(e.json) as TtsEvent);
    const third = scenario.flow('uplink', d).map((e) => JSON.parse(e.json) as TtsEvent);
    const { index, summaries } = indexOf([...first, ...second, ...third]);
    const ups = summaries.filter((s) => s.name === 'as.up.data.forward');
    const c1 = analyzeChain(collectChain(ups[0]!.id, index).events);
    expect(c1.steps.map((s) => s.event.name)).toContain('ns.mac.link_adr.request');
    expect(c1.findings).toEqual([]);
    const c2 = analyzeChain(collectChain(ups[1]!.id, index).events);
    expect(c2.findings).toEqual([
      expect.objectContaining({ severity: 'error', text: expect.stringMatching(/^ns\.mac\.link_adr\.answer\.reject/) }),
    ]);
    // The answer comes once: the uplink after it is plain.
    expect(analyzeChain(collectChain(ups[2]!.id, index).events).steps.map((s) => s.event.name)).not.toContain(
      'ns.mac.link_adr.answer.reject',
    );
  });

  it('a confirmed uplink is acknowledged by a downlink linked to it, through to the TX ack', () => {
    const scenario = new Scenario({ devices: 1, gateways: 1, seed: 9 }, clock);
    const d = scenario.devices[0]!;
    scenario.flow('join', d);
    const events = scenario.flow('confirmed-uplink', d).map((e) => JSON.parse(e.json) as TtsEvent);
    const asUp = events.find((e) => e.name === 'as.up.data.forward')! as unknown as {
      data: { uplink_message: { confirmed?: boolean } };
    };
    expect(asUp.data.uplink_message.confirmed).toBe(true);
    expect(JSON.stringify(events.find((e) => e.name === 'ns.up.data.process'))).toContain('"m_type":"CONFIRMED_UP"');
    const { index, summaries } = indexOf(events);
    const chain = analyzeChain(collectChain(summaries.find((s) => s.name === 'as.up.data.forward')!.id, index).events);
    const names = chain.steps.map((s) => s.event.name);
    for (const n of [
      'ns.down.data.schedule.attempt',
      'gs.down.send',
      'gs.down.tx.success',
      'ns.down.transmission.success',
    ])
      expect(names).toContain(n);
    expect(names.some((n) => n.startsWith('as.down.'))).toBe(false);
    expect(chain.findings).toEqual([]);
  });
});

describe('which IDs link (rules decided from what an ID does, not only from its name)', () => {
  const T = Date.parse('2026-01-01T00:00:00Z');
  let n = 0;
  const ev = (
    name: string,
    device: string | undefined,
    ms: number,
    ids: string[],
    extra: Partial<EventSummary> = {},
  ): EventSummary => ({
    id: n++,
    streamId: 's',
    kind: 'event',
    ms: T + ms,
    time: new Date(T + ms).toISOString(),
    name,
    entity: device ?? 'gtw1',
    entityKind: device ? 'device' : 'gateway',
    ...(device ? { application: 'app1' } : {}),
    preview: '',
    correlationIds: ids,
    ...extra,
  });
  const chainOf = (events: EventSummary[], start: EventSummary) => {
    const index = new ChainIndex();
    events.forEach((e) => index.add(e));
    return collectChain(start.id, index);
  };

  it('an unknown long-lived ID on two uplinks of one device (frame counters 5 and 6) keeps the messages apart', () => {
    const link = 'rpc:/ttn.lorawan.v3.SomethingNew/Link:01ABC';
    const a = [
      ev('ns.up.data.process', 'dev1', 0, ['gs:uplink:A', link], { direction: 'up', fCnt: 5 }),
      ev('as.up.data.forward', 'dev1', 5, ['gs:uplink:A', link], { direction: 'up', fCnt: 5 }),
    ];
    const b = [
      ev('ns.up.data.process', 'dev1', 20_000, ['gs:uplink:B', link], { direction: 'up', fCnt: 6 }),
      ev('as.up.data.forward', 'dev1', 20_005, ['gs:uplink:B', link], { direction: 'up', fCnt: 6 }),
    ];
    const chain = chainOf([...a, ...b], a[1]!);
    expect(chain.events.map((e) => e.id)).toEqual(a.map((e) => e.id));
    expect(chain.unlinked).toEqual([
      { id: link, reason: 'its events carry frame counters 5 and 6 of one device: more than one message' },
    ]);
  });

  it('an ID on events of two devices does not link them', () => {
    const shared = 'pba:something:01XYZ';
    const a = ev('as.up.data.forward', 'dev1', 0, ['gs:uplink:A', shared], { direction: 'up', fCnt: 1 });
    const b = ev('as.up.data.forward', 'dev2', 10, ['gs:uplink:B', shared], { direction: 'up', fCnt: 1 });
    expect(chainOf([a, b], a).events.map((e) => e.id)).toEqual([a.id]);
    expect(linkDecision(shared, [a, b])).toEqual({ links: false, reason: 'its events name two different devices' });
  });

  it('an ID that lives far longer than a message does not link, except a queued downlink', () => {
    const gw = [
      ev('gs.up.receive', undefined, 0, ['gs:uplink:A', 'gs:conn-ish:1']),
      ev('gs.up.receive', undefined, 300_000, ['gs:uplink:B', 'gs:conn-ish:1']),
    ];
    expect(linkDecision('gs:conn-ish:1', gw)).toEqual({
      links: false,
      reason: 'its events span 300 s, far longer than one message',
    });
    const queued = [
      ev('as.down.data.receive', 'dev1', 0, ['as:downlink:D'], { direction: 'down' }),
      ev('ns.down.data.schedule.attempt', 'dev1', 3_600_000, ['as:downlink:D', 'gs:uplink:X'], {
        direction: 'down',
        fCnt: 3,
      }),
    ];
    expect(linkDecision('as:downlink:D', queued)).toEqual({ links: true });
  });

  it('connection classes never link, and an ID on more events than one message has is refused', () => {
    for (const id of [
      'gs:conn:01A',
      'gs:up:host:01A',
      'as:conn:01A',
      'as:subscriber:01A',
      'pba:conn:up:01A',
      'rpc:/ttn.lorawan.v3.AsNs/LinkApplication:01A',
      'rpc:/ttn.lorawan.v3.GtwGs/LinkGateway:01A',
      'rpc:/ttn.lorawan.v3.AppAs/Subscribe:01A',
    ]) {
      expect(isLinkingId(id)).toBe(false);
    }
    const many = Array.from({ length: 201 }, (_, i) => ev('gs.status.receive', undefined, i, ['x:y:1']));
    expect(linkDecision('x:y:1', many).links).toBe(false);
  });

  it('an event that lists an ID twice gets no edge to itself', () => {
    const a = ev('gs.down.send', undefined, 0, ['gs:conn:1', 'ns:transmission:T', 'ns:transmission:T']);
    const b = ev('gs.down.tx.success', undefined, 50, ['ns:transmission:T']);
    const chain = analyzeChain(chainOf([a, b], a).events);
    expect(chain.edges).toEqual([{ from: a.id, to: b.id, via: 'ns:transmission:T' }]);
  });

  it('knows the v3.0–v3.6 names: an old uplink handled by the NS gets no false finding', () => {
    const old = [
      ev('gs.up.receive', undefined, 0, ['gs:uplink:A']),
      ev('ns.up.receive', 'dev1', 10, ['gs:uplink:A'], { direction: 'up', fCnt: 9 }),
      ev('ns.up.merge_metadata', 'dev1', 210, ['gs:uplink:A'], { direction: 'up', fCnt: 9 }),
      ev('ns.up.data.forward', 'dev1', 215, ['gs:uplink:A'], { direction: 'up', fCnt: 9 }),
      ev('as.up.data.forward', 'dev1', 220, ['gs:uplink:A'], { direction: 'up', fCnt: 9 }),
    ];
    const chain = analyzeChain(chainOf(old, old[0]!).events);
    expect(chain.kind).toBe('uplink');
    expect(chain.findings).toEqual([]);
    const lost = analyzeChain(chainOf(old.slice(0, 2), old[0]!).events);
    expect(lost.findings.map((f) => f.text)).toEqual([expect.stringMatching(/never processed it/)]);
  });
});

describe('a device past 65,535 frames (f_hdr.f_cnt is 16 bits, full_f_cnt and the application its 32)', () => {
  const dev = { device_id: 'dev1', application_ids: { application_id: 'app1' }, dev_eui: '70B3D57ED0000001' };
  const cid = ['gs:uplink:01JB99Z8EG8T4TQ7BJAMP4ENHH'];
  const rx = [{ gateway_ids: { gateway_id: 'gw1' }, rssi: -60, channel_rssi: -60, snr: 7 }];
  const settings = { data_rate: { lora: { bandwidth: 125000, spreading_factor: 7 } }, frequency: '868100000' };
  // As grpc_gsns.go writes them: the NS events after matching carry both counters, the AS events the full one.
  const nsData = (name: string, ms: number): TtsEvent => ({
    name,
    time: new Date(Date.UTC(2024, 9, 28, 10, 15, 30, ms)).toISOString(),
    identifiers: [{ device_ids: dev }],
    correlation_ids: cid,
    data: {
      '@type': 'type.googleapis.com/ttn.lorawan.v3.UplinkMessage',
      payload: {
        m_hdr: { m_type: 'UNCONFIRMED_UP' },
        mac_payload: { f_hdr: { dev_addr: '260B5D3E', f_ctrl: {}, f_cnt: 4464 }, f_port: 1, full_f_cnt: 70000 },
      },
      settings,
      rx_metadata: rx,
    },
  });
  const appUp = (name: string, ms: number, fCnt: number): TtsEvent => ({
    name,
    time: new Date(Date.UTC(2024, 9, 28, 10, 15, 30, ms)).toISOString(),
    identifiers: [{ device_ids: dev }],
    correlation_ids: cid,
    data: {
      '@type': 'type.googleapis.com/ttn.lorawan.v3.ApplicationUp',
      end_device_ids: dev,
      uplink_message: { f_port: 1, f_cnt: fCnt, frm_payload: 'ASNF', rx_metadata: rx, settings },
    },
  });

  it('is one message, delivered, whose chain links, with the 32-bit counter in the list and `fcnt:`', () => {
    const events = [
      nsData('ns.up.data.receive', 100),
      nsData('ns.up.data.process', 150),
      appUp('ns.up.data.forward', 200, 70000),
      appUp('as.up.data.forward', 300, 70000),
    ];
    const summaries = events.map((e, i) => summarizeEvent(e, i, 's'));
    expect(summaries.map((s) => s.fCnt)).toEqual([70000, 70000, 70000, 70000]);
    const q = compileQuery('fcnt:70000');
    if (!q.ok) throw new Error(q.error.message);
    expect(summaries.filter((s) => q.test(s))).toHaveLength(4);
    expect(linkDecision(cid[0]!, summaries)).toEqual({ links: true });
    const rows = assembleMessages(summaries);
    expect(rows.map((r) => [r.fCnt, r.outcome, r.eventIds.length])).toEqual([[70000, 'delivered', 4]]);
    // An event with only the 16 bits on the air (an older server's, or one before matching) still links.
    const onAir = summarizeEvent(appUp('as.up.data.forward', 300, 4464), 9, 's');
    expect(linkDecision(cid[0]!, [summaries[2]!, onAir])).toEqual({ links: true });
    // Two real frames 65,536 apart are still two messages.
    const later = summarizeEvent(appUp('as.up.data.forward', 300, 70000 + 65536), 10, 's');
    expect(linkDecision(cid[0]!, [summaries[2]!, later]).links).toBe(false);
  });
});
