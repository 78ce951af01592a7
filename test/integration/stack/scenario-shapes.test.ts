/**
 * Generated events have the shapes of the reference samples, and their correlation IDs link each
 * chain as PROTOCOL.md section 7.3 describes.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Scenario, type FlowKind, type StackEvent } from '../../../src-main/core/stack/scenario.js';

const samples = JSON.parse(readFileSync('test/fixtures/sample-events.json', 'utf8')) as Array<Record<string, unknown>>;
// The constructed v3.32 samples (indexes 30–82) are the reference for a default deployment.
const reference = new Map<string, Record<string, unknown>>();
for (const s of samples.slice(30)) if (!reference.has(String(s.name))) reference.set(String(s.name), s);

/** Every path to a leaf with its JSON type; arrays collapse to their first element's shape. */
function shape(value: unknown, path = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    if (value.length > 0) shape(value[0], `${path}[]`, out);
    else out.add(`${path}:array`);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) shape(v, `${path}.${k}`, out);
  } else out.add(`${path}:${typeof value}`);
  return out;
}

const scenario = new Scenario({ devices: 2, gateways: 3, seed: 5 }, () => Date.parse('2026-01-01T00:00:00Z'));
const flows: Record<FlowKind, StackEvent[]> = {} as Record<FlowKind, StackEvent[]>;
for (const kind of [
  'join',
  'uplink',
  'downlink',
  'gateway-connect',
  'gateway-status',
  'gateway-disconnect',
  'registry',
  'errors',
] as FlowKind[]) {
  flows[kind] = scenario.flow(kind, scenario.devices[0], kind === 'uplink' ? 3 : undefined);
}
// Downlinks count on their own counter (#18): the first after the join has FCntDown 0, which proto3 JSON
// leaves out as well; the second has the reference shape.
const firstDownlink = flows.downlink;
flows.downlink = scenario.flow('downlink', scenario.devices[0]);
// The first uplink after the join has FCnt 0, which proto3 JSON leaves out: the second has the reference shape.
const firstUplink = flows.uplink;
flows.uplink = scenario.flow('uplink', scenario.devices[0], 3);
const parsed = (e: StackEvent) =>
  JSON.parse(e.json) as {
    name: string;
    time: string;
    correlation_ids?: string[];
    identifiers: Array<Record<string, any>>;
    data?: Record<string, any>;
    unique_id: string;
  };

describe('scenario event shapes', () => {
  const all = Object.values(flows).flat();
  const names = [...new Set(all.map((e) => e.name))];

  it('emits the event families the issue asks for', () => {
    for (const n of [
      'gs.up.receive',
      'ns.up.join.receive',
      'js.join.accept',
      'as.up.join.forward',
      'as.up.data.forward',
      'as.down.data.receive',
      'gs.down.send',
      'gs.txack.receive',
      'ns.down.transmission.success',
      'gs.gateway.connect',
      'gs.status.receive',
      'gs.gateway.disconnect',
      'application.create',
      'end_device.update',
      'ns.up.data.drop',
      'as.up.data.decode.fail',
      'gs.up.drop',
    ]) {
      expect(names).toContain(n);
    }
  });

  for (const e of Object.values(flows)
    .flat()
    .filter((x, i, a) => a.findIndex((y) => y.name === x.name) === i)) {
    it(`${e.name} has the shape of the reference sample`, () => {
      const ref = reference.get(e.name);
      expect(ref, `no reference sample for ${e.name}`).toBeDefined();
      expect([...shape(parsed(e))].sort()).toEqual([...shape(ref)].sort());
      expect(parsed(e).unique_id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(parsed(e).time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    });
  }
});

describe('proto3 JSON as a real server writes it', () => {
  it('leaves FCnt 0 out of the first uplink after a join, and counts on from there', () => {
    for (const e of firstUplink
      .filter((x) => x.name === 'as.up.data.forward' || x.name === 'ns.up.data.process')
      .map(parsed)) {
      expect(JSON.stringify(e.data)).not.toContain('"f_cnt"');
    }
    for (const e of firstDownlink.filter((x) => x.name === 'ns.down.data.schedule.attempt').map(parsed))
      expect(JSON.stringify(e.data)).not.toContain('"f_cnt"');
    const second = flows.uplink.map(parsed).find((e) => e.name === 'as.up.data.forward')!;
    // FCnt 0 was the first uplink; the `errors` flow between is a late copy of it, not a frame of its own.
    expect(second.data!.uplink_message.f_cnt).toBe(1);
  });

  it('writes a raw frame that carries the same DevAddr and FCnt as the parsed payload', () => {
    const e = flows.uplink.map(parsed).find((x) => x.name === 'ns.up.data.process')!;
    const raw = Buffer.from(e.data!.raw_payload as string, 'base64');
    expect(raw.readUInt32LE(1).toString(16).toUpperCase().padStart(8, '0')).toBe(
      e.data!.payload.mac_payload.f_hdr.dev_addr,
    );
    expect(raw.readUInt16LE(6)).toBe(e.data!.payload.mac_payload.f_hdr.f_cnt);
  });
});

describe('correlation chains (PROTOCOL.md 7.3)', () => {
  it('a three-gateway uplink: one gs:uplink per gateway on gs.* events, all of them on the NS/AS events', () => {
    const up = flows.uplink.map(parsed);
    const receives = up.filter((e) => e.name === 'gs.up.receive');
    expect(receives).toHaveLength(3);
    const gsIds = receives.map((e) => e.correlation_ids!.find((c) => c.startsWith('gs:uplink:'))!);
    expect(new Set(gsIds).size).toBe(3);
    for (const e of receives) expect(e.correlation_ids).toHaveLength(1);
    const forward = up.find((e) => e.name === 'as.up.data.forward')!;
    for (const id of gsIds) expect(forward.correlation_ids).toContain(id);
    expect(forward.correlation_ids!.some((c) => c.startsWith('rpc:/ttn.lorawan.v3.GsNs/HandleUplink:'))).toBe(true);
    expect(forward.correlation_ids!.some((c) => c.startsWith('rpc:/ttn.lorawan.v3.NsAs/HandleUplink:'))).toBe(true);
    expect(forward.data!.uplink_message.rx_metadata).toHaveLength(3);
    expect(forward.correlation_ids).toEqual([...forward.correlation_ids!].sort());
    const nsReceive = up.find((e) => e.name === 'ns.up.data.receive')!;
    expect(nsReceive.correlation_ids!.some((c) => c.startsWith('rpc:/ttn.lorawan.v3.NsAs/'))).toBe(false);
  });

  it('a join: js.join.accept carries only its NsJs rpc ID; the join-accept downlink adds ns:downlink, ns:transmission and gs:tx_ack', () => {
    const join = flows.join.map(parsed);
    const accept = join.find((e) => e.name === 'js.join.accept')!;
    expect(accept.correlation_ids).toHaveLength(1);
    expect(accept.correlation_ids![0]).toMatch(/^rpc:\/ttn\.lorawan\.v3\.NsJs\/HandleJoin:/);
    const uplinkId = join.find((e) => e.name === 'gs.up.receive')!.correlation_ids![0]!;
    for (const e of join.filter((x) => x.name !== 'js.join.accept' && !x.name.startsWith('gs.up.')))
      expect(e.correlation_ids, e.name).toContain(uplinkId);
    const txack = join.find((e) => e.name === 'gs.txack.receive')!;
    expect(txack.correlation_ids!.map((c) => c.split(':').slice(0, 2).join(':'))).toEqual(
      expect.arrayContaining(['gs:tx_ack', 'ns:downlink', 'ns:transmission']),
    );
  });

  it('an application downlink shares as:downlink from push to sent', () => {
    const dl = flows.downlink.map(parsed);
    const asId = dl[0]!.correlation_ids!.find((c) => c.startsWith('as:downlink:'))!;
    for (const e of dl) expect(e.correlation_ids).toContain(asId);
    expect(dl.at(-1)!.name).toBe('as.down.data.sent.forward');
  });

  it('is deterministic under a seed', () => {
    const a = new Scenario({ seed: 11 }, () => 1_700_000_000_000);
    const b = new Scenario({ seed: 11 }, () => 1_700_000_000_000);
    expect(a.nextFlow().map((e) => e.json)).toEqual(b.nextFlow().map((e) => e.json));
  });
});

describe('MAC-command and confirmed-uplink flows', () => {
  const s = new Scenario({ devices: 1, gateways: 2, seed: 4 }, () => Date.parse('2026-01-01T00:00:00Z'));
  const d = s.devices[0]!;
  s.flow('join', d);
  const mac = s.flow('mac', d);
  const answer = s.flow('uplink', d);
  // The LinkADRReq rides in the next downlink (stack/frames.test.ts); the ack after it has the reference shape.
  s.flow('downlink', d);
  const confirmed = s.flow('confirmed-uplink', d);
  // The MAC events' data is shaped like the Console fixtures (sample-events.json 13 and 20); the envelope like the v3.32 samples.
  const fixture = (name: string) => samples.find((x) => x.name === name)!;

  it("emits ns.mac.link_adr.request and, on the next uplink, ns.mac.link_adr.answer.reject with the fixtures' data shapes", () => {
    for (const [flow, name] of [
      [mac, 'ns.mac.link_adr.request'],
      [answer, 'ns.mac.link_adr.answer.reject'],
    ] as const) {
      const e = flow.find((x) => x.name === name);
      expect(e, name).toBeDefined();
      expect([...shape(parsed(e!).data)].sort()).toEqual([...shape(fixture(name).data)].sort());
      expect(Object.keys(parsed(e!)).sort()).toEqual([
        'correlation_ids',
        'data',
        'identifiers',
        'name',
        'origin',
        'time',
        'unique_id',
        'visibility',
      ]);
    }
  });

  it('marks a confirmed uplink the way real captures do, and acknowledges it with NS/GS downlink events of the reference shapes', () => {
    const up = parsed(confirmed.find((x) => x.name === 'as.up.data.forward')!);
    expect(up.data!.uplink_message.confirmed).toBe(true);
    for (const name of [
      'ns.down.data.schedule.attempt',
      'gs.down.send',
      'gs.down.tx.success',
      'ns.down.transmission.success',
    ]) {
      const e = confirmed.find((x) => x.name === name)!;
      // An ack carries FCtrl ACK (#18: the frame on the air has the bit, so the parsed payload says so too).
      const paths = [...shape(parsed(e))].filter((p) => !p.endsWith('.f_ctrl.ack:boolean'));
      expect(paths.sort(), name).toEqual([...shape(reference.get(name))].sort());
    }
    expect(
      parsed(confirmed.find((x) => x.name === 'ns.down.data.schedule.attempt')!).data!.payload.mac_payload.f_hdr.f_ctrl
        .ack,
    ).toBe(true);
  });
});
