import { describe, expect, it } from 'vitest';
import { summary } from '../../../../helpers/summaries.js';
import { compileQuery, usesFrameFacts, type FrameFactsSource } from '../../../../../src-main/shared/query/query.js';
import type { FrameFacts } from '../../../../../src-main/shared/domain/frame.js';
import { completeQuery } from '../../../../../src-main/shared/query/query-complete.js';

const ev = summary;

const up = ev({
  name: 'as.up.data.forward',
  application: 'demo-app',
  devEui: '70B3D57ED0000001',
  devAddr: '260B0001',
  fPort: 2,
  fCnt: 17,
  rssi: -112,
  snr: -3.5,
  gateways: 3,
  gatewayIds: ['gtw-a', 'gtw-b', 'gtw-c'],
  correlationIds: ['gs:uplink:01JBABC', 'as:up:01JBXYZ'],
  preview: '0A1B',
});
const nsUp = ev({
  name: 'ns.up.data.receive',
  application: 'demo-app',
  devEui: '70B3D57ED0000002',
  entity: 'eui-70b3d57ed0000002',
  fPort: 1,
  fCnt: 3,
  rssi: -80,
  snr: 9,
  gateways: 1,
  gatewayIds: ['gtw-a'],
});
const drop = ev({
  name: 'ns.up.data.drop',
  errorName: 'duplicate_uplink',
  preview: 'duplicate uplink',
  application: 'demo-app',
});
const gwConnect = ev({ name: 'gs.gateway.connect', entity: 'gtw-z', entityKind: 'gateway' });
const gap = ev({ kind: 'status', name: 'event-desk.gap', entity: '', entityKind: '', preview: 'gap' });
const all = [up, nsUp, drop, gwConnect, gap];

const run = (q: string) => {
  const c = compileQuery(q);
  if (!c.ok) throw new Error(`${q}: ${c.error.message}`);
  return all.filter(c.test).map((s) => s.name);
};
const error = (q: string) => {
  const c = compileQuery(q);
  if (c.ok) throw new Error(`${q} compiled`);
  return c.error;
};

describe('query language: terms', () => {
  it('an empty query matches everything', () => {
    expect(run('  ')).toHaveLength(all.length);
  });
  it('name globs: prefix families, suffixes, exact, and a dotted name matches its children', () => {
    expect(run('ns.up.*')).toEqual(['ns.up.data.receive', 'ns.up.data.drop']);
    expect(run('*.drop')).toEqual(['ns.up.data.drop']);
    expect(run('gs.gateway.connect')).toEqual(['gs.gateway.connect']);
    expect(run('ns.up')).toEqual(['ns.up.data.receive', 'ns.up.data.drop']);
    expect(run('name:AS.UP.*')).toEqual(['as.up.data.forward']);
  });
  it('identifier fields', () => {
    expect(run('dev_eui:70b3d57ed0000002')).toEqual(['ns.up.data.receive']);
    expect(run('dev_eui:70B3-D57E')).toEqual(['as.up.data.forward', 'ns.up.data.receive']);
    expect(run('device:eui-70b3d57ed0000001')).toEqual(['as.up.data.forward', 'ns.up.data.drop']);
    expect(run('device:*0002')).toEqual(['ns.up.data.receive']);
    expect(run('gateway:gtw-b')).toEqual(['as.up.data.forward']);
    expect(run('gateway:gtw-z')).toEqual(['gs.gateway.connect']);
    expect(run('app:demo-app')).toHaveLength(3);
    expect(run('dev_addr:260b')).toEqual(['as.up.data.forward']);
    expect(run('error:duplicate_*')).toEqual(['ns.up.data.drop']);
    expect(run('corr:gs:uplink:01JBABC')).toEqual(['as.up.data.forward']);
    expect(run('gs:uplink:01JBABC')).toEqual(['as.up.data.forward']);
    // `*` works in correlation IDs as in the ID fields (it used to find nothing and say nothing).
    expect(run('corr:gs:uplink:*')).toEqual(['as.up.data.forward']);
    expect(run('corr:*:up:01JB*')).toEqual(['as.up.data.forward']);
    expect(run('gs:uplink:01JB*')).toEqual(['as.up.data.forward']);
    expect(run('kind:gap')).toEqual(['event-desk.gap']);
    expect(run('kind:status')).toEqual(['event-desk.gap']);
  });
  it('numeric fields with every comparison', () => {
    expect(run('f_port:2')).toEqual(['as.up.data.forward']);
    expect(run('f_port=1')).toEqual(['ns.up.data.receive']);
    expect(run('rssi<-110')).toEqual(['as.up.data.forward']);
    expect(run('rssi>-110')).toEqual(['ns.up.data.receive']);
    expect(run('rssi<=-80')).toEqual(['as.up.data.forward', 'ns.up.data.receive']);
    expect(run('rssi>=-80')).toEqual(['ns.up.data.receive']);
    expect(run('snr<0')).toEqual(['as.up.data.forward']);
    expect(run('gateways>=3')).toEqual(['as.up.data.forward']);
    expect(run('f_cnt>10')).toEqual(['as.up.data.forward']);
  });
  it('free text, any case, over names, IDs, preview and errors; quotes keep spaces', () => {
    expect(run('DUPLICATE')).toEqual(['ns.up.data.drop']);
    expect(run('"duplicate uplink"')).toEqual(['ns.up.data.drop']);
    expect(run('gtw-c')).toEqual(['as.up.data.forward']);
  });
  it('aliases people type', () => {
    expect(run('fport:2')).toEqual(['as.up.data.forward']);
    expect(run('gtw:gtw-z')).toEqual(['gs.gateway.connect']);
  });
});

describe('query language: operators', () => {
  it('AND, implicit AND, OR, NOT, - and parentheses with the usual precedence', () => {
    expect(run('ns.up.* AND f_port:1')).toEqual(['ns.up.data.receive']);
    expect(run('ns.up.* f_port:1')).toEqual(['ns.up.data.receive']);
    expect(run('f_port:1 OR f_port:2')).toEqual(['as.up.data.forward', 'ns.up.data.receive']);
    expect(run('NOT app:demo-app')).toEqual(['gs.gateway.connect', 'event-desk.gap']);
    expect(run('-app:demo-app -kind:gap')).toEqual(['gs.gateway.connect']);
    expect(run('f_port:2 OR f_port:1 AND rssi<-100')).toEqual(['as.up.data.forward']);
    expect(run('(f_port:2 OR f_port:1) AND rssi>-100')).toEqual(['ns.up.data.receive']);
    expect(run('not (ns.up.* or as.up.*)')).toEqual(['gs.gateway.connect', 'event-desk.gap']);
  });
});

describe('query language: errors say what and where', () => {
  it('unknown field, pointing at the field name', () => {
    expect(error('ns.up.* fport2:1')).toMatchObject({
      message: expect.stringMatching(/Unknown field "fport2"\. Fields: name, dev_eui/),
      start: 8,
      end: 14,
    });
  });
  it('a number field given text, pointing at the value', () => {
    expect(error('rssi<abc')).toEqual({ message: 'rssi takes a number, not "abc".', start: 5, end: 8 });
  });
  it('comparison on a text field', () => {
    expect(error('device<3')).toMatchObject({ message: 'device is not a number: use device:value.', start: 6, end: 7 });
  });
  it('missing value', () => {
    expect(error('f_port:')).toMatchObject({ message: expect.stringMatching(/needs a value/), start: 0, end: 7 });
  });
  it('unbalanced parentheses', () => {
    expect(error('(a OR b')).toMatchObject({ message: 'This parenthesis is never closed: add a ).', start: 0, end: 1 });
    expect(error('a OR b)')).toMatchObject({ message: 'This ) has no matching (.', start: 6, end: 7 });
    expect(error('()')).toMatchObject({ message: 'Empty parentheses: put a condition inside.', start: 0, end: 2 });
  });
  it('dangling operators', () => {
    expect(error('a OR')).toMatchObject({ message: 'OR needs something on its right.', start: 2, end: 4 });
    expect(error('AND a')).toMatchObject({ message: 'AND needs something on its left.', start: 0, end: 3 });
    expect(error('a AND')).toMatchObject({ message: 'AND needs something on its right.', start: 2, end: 5 });
    expect(error('NOT')).toMatchObject({ message: 'NOT needs something to negate.', start: 0, end: 3 });
  });
  it('unclosed quote', () => {
    expect(error('device:"abc')).toMatchObject({
      message: expect.stringMatching(/quote is never closed/),
      start: 7,
      end: 11,
    });
  });
});

describe('completion', () => {
  const names = ['ns.up.data.receive', 'ns.up.data.drop', 'ns.down.data.schedule.attempt', 'as.up.data.forward'];
  it('suggests fields and name families for a prefix', () => {
    const r = completeQuery('ns', 2, names);
    expect(r.items.map((i) => i.label)).toEqual([
      'ns.*',
      'ns.up.data.receive',
      'ns.up.data.drop',
      'ns.down.data.schedule.attempt',
    ]);
    const f = completeQuery('rs', 2, names);
    expect(f.items[0]).toMatchObject({ label: 'rssi:', insert: 'rssi:' });
  });
  it('suggests one level deeper after a dot', () => {
    expect(
      completeQuery('x ns.', 5, names)
        .items.slice(0, 2)
        .map((i) => i.label),
    ).toEqual(['ns.up.*', 'ns.down.*']);
  });
  it('suggests known values after field:, replacing only the word under the caret', () => {
    const r = completeQuery('f_port:1 device:eui-7', 21, names, { device: ['eui-70b3d57ed0000001', 'other'] });
    expect(r).toEqual({
      from: 9,
      to: 21,
      items: [{ label: 'eui-70b3d57ed0000001', insert: 'device:eui-70b3d57ed0000001', detail: 'device' }],
    });
  });
});

describe('query language: hostile input (#13)', () => {
  it('3,000 nested parentheses give a clear error, not a RangeError', () => {
    const q = `${'('.repeat(3000)}ns.up${')'.repeat(3000)}`;
    const e = error(q);
    expect(e.message).toMatch(/nest more than 50 levels/);
    expect(e.start).toBe(50);
  });
  it('3,000 NOTs in a row give the same error', () => {
    expect(error(`${'NOT '.repeat(3000)}ns.up`).message).toMatch(/nest more than 50 levels/);
    expect(error(`${'-'.repeat(3000)}ns.up`).message).toMatch(/nest more than 50 levels/);
  });
  it('ordinary nesting still works', () => {
    expect(run('((ns.up.* OR *.drop) AND NOT (error:x))')).toEqual(['ns.up.data.receive', 'ns.up.data.drop']);
  });
});

describe('query language: real-server fields', () => {
  const first = ev({ name: 'as.up.data.forward', direction: 'up', fCnt: 0, fPort: 1, devEui: '0004A30B001C1E48' });
  const down = ev({
    name: 'gs.down.send',
    entity: 'gtw-a',
    entityKind: 'gateway',
    direction: 'down',
    fPort: 5,
    fCnt: 12,
  });
  const pb = ev({
    name: 'ns.up.data.process',
    direction: 'up',
    fCnt: 4,
    gatewayIds: ['packetbroker', 'kerlink-forwarder-1'],
    rssi: -101,
    snr: 7.5,
    gateways: 2,
  });
  const set = [first, down, pb];
  const r = (q: string) => {
    const c = compileQuery(q);
    if (!c.ok) throw new Error(c.error.message);
    return set.filter(c.test).map((s) => s.name);
  };
  it('finds FCnt 0 (the first uplink after a join) and filters by direction', () => {
    expect(r('f_cnt:0')).toEqual(['as.up.data.forward']);
    expect(r('dir:down')).toEqual(['gs.down.send']);
    expect(r('direction:uplink')).toEqual(['as.up.data.forward', 'ns.up.data.process']);
    expect(r('dir:DownLink')).toEqual(['gs.down.send']);
  });
  it('finds a Packet Broker forwarder gateway by its own ID, and the best SNR of any gateway', () => {
    expect(r('gateway:kerlink-forwarder-*')).toEqual(['ns.up.data.process']);
    expect(r('snr>7')).toEqual(['ns.up.data.process']);
  });
});

describe('completion of fixed values', () => {
  it('offers the directions after dir:', () => {
    expect(completeQuery('dir:', 4, []).items.map((i) => i.insert)).toEqual(['dir:up', 'dir:down', 'dir:join']);
    expect(completeQuery('-dir:d', 6, []).items.map((i) => i.insert)).toEqual(['-dir:down']);
  });
});

describe('query language: server and profile (#16, finding 10)', () => {
  const origins: Record<string, { profile: string; server: string }> = {
    s1: { profile: 'Customer X on-prem', server: 'lns.customer-x.example:8443' },
    s2: { profile: 'TTN EU1', server: 'eu1.cloud.thethings.network' },
    s3: { profile: 'TTN EU1 (staging key)', server: 'eu1.cloud.thethings.network' },
  };
  let asked = 0;
  const context = {
    origin: (streamId: string) => {
      asked++;
      return origins[streamId];
    },
  };
  const a = ev({ streamId: 's1', name: 'as.up.data.forward' });
  const b = ev({ streamId: 's2', name: 'ns.up.data.receive' });
  const c = ev({ streamId: 's3', name: 'gs.up.receive' });
  const both = ev({ streamId: 's2', streamIds: ['s2', 's1'], name: 'js.join.accept' });
  const unknown = ev({ streamId: 's9', name: 'as.down.data.forward' });
  const rows = [a, b, c, both, unknown];
  const names = (q: string) => {
    const r = compileQuery(q, context);
    if (!r.ok) throw new Error(`${q}: ${r.error.message}`);
    return rows.filter(r.test).map((s) => s.name);
  };

  it('server: matches the host of the stream that delivered the event, or its profile name', () => {
    expect(names('server:eu1.cloud.thethings.network')).toEqual([
      'ns.up.data.receive',
      'gs.up.receive',
      'js.join.accept',
    ]);
    expect(names('server:https://eu1.cloud.thethings.network/')).toEqual(names('server:eu1.cloud.thethings.network'));
    expect(names('server:*customer-x*')).toEqual(['as.up.data.forward', 'js.join.accept']);
    expect(names('server:"Customer X on-prem"')).toEqual(['as.up.data.forward', 'js.join.accept']);
    expect(names('host:lns.customer-x.example:8443')).toEqual(['as.up.data.forward', 'js.join.accept']);
  });

  it('profile: tells two profiles of one server apart, case-insensitively, with globs', () => {
    expect(names('profile:"ttn eu1"')).toEqual(['ns.up.data.receive', 'js.join.accept']);
    expect(names('profile:ttn*')).toEqual(['ns.up.data.receive', 'gs.up.receive', 'js.join.accept']);
    expect(names('-profile:"TTN EU1*" kind:event')).toEqual(['as.up.data.forward', 'as.down.data.forward']);
  });

  it('asks about each stream once per filter, however many rows it has', () => {
    asked = 0;
    const r = compileQuery('server:eu1*', context);
    if (!r.ok) throw new Error(r.error.message);
    for (let i = 0; i < 1000; i++) r.test(b);
    expect(asked).toBe(1);
  });

  it('without a context (a file on the command line) it says why instead of matching nothing', () => {
    const r = compileQuery('server:eu1*');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.message).toMatch(/server: needs to know which server delivered each event/);
      expect([r.error.start, r.error.end]).toEqual([0, 'server:eu1*'.length]);
    }
  });

  it('completes profile names, quoted when they hold spaces', () => {
    const r = completeQuery('profile:cu', 10, [], { profile: ['Customer X on-prem', 'TTN EU1'] });
    expect(r.items).toEqual([
      { label: 'Customer X on-prem', insert: 'profile:"Customer X on-prem"', detail: 'profile' },
    ]);
    const s = completeQuery('server:e', 8, [], { server: ['eu1.cloud.thethings.network'] });
    expect(s.items[0]!.insert).toBe('server:eu1.cloud.thethings.network');
    expect(completeQuery('pro', 3, []).items[0]).toMatchObject({ label: 'profile:' });
  });
});

describe('mic: and mac: (answered by main’s frame decoder, #18)', () => {
  const frame = (mtype: number) => mtype + 1; // packed header bits: the MHDR code + 1
  const a = ev({ id: 901, frame: frame(2) });
  const b = ev({ id: 902, frame: frame(3) });
  const c = ev({ id: 903, frame: frame(2) });
  const noFrame = ev({ id: 904 });
  const facts: Record<number, FrameFacts> = {
    901: { mic: 'valid', mac: ['LinkADRAns'] },
    902: { mic: 'invalid', mac: ['LinkADRReq', 'DevStatusReq'] },
    904: { mac: [] },
  };
  const asked: number[] = [];
  const frames: FrameFactsSource = {
    facts: (s) => {
      asked.push(s.id);
      return facts[s.id];
    },
  };
  const run = (q: string, missing?: () => boolean) => {
    const c2 = compileQuery(q, { frames: { ...frames, ...(missing ? { missing } : {}) } });
    if (!c2.ok) throw new Error(c2.error.message);
    return [a, b, c, noFrame].filter(c2.test).map((s) => s.id);
  };

  it('filters on the verdict and the command names, globs and any case', () => {
    expect(run('mic:valid')).toEqual([901]);
    expect(run('mic:fail')).toEqual([902]);
    expect(run('mic:INVALID')).toEqual([902]);
    expect(run('mac:LinkADRReq')).toEqual([902]);
    expect(run('mac:linkadr*')).toEqual([901, 902]);
    expect(run('-mac:DevStatusReq mtype:*_up')).toEqual([901, 903]);
  });

  it('never asks about entries without a frame, and answers `missing` for those not decoded yet', () => {
    asked.length = 0;
    expect(run('mic:valid')).toEqual([901]);
    expect(asked).not.toContain(904);
    expect(run('mic:valid', () => true)).toEqual([901, 903]);
  });

  it('without a decoder, and with an unknown verdict, says why', () => {
    const none = compileQuery('mic:valid');
    expect(!none.ok && none.error.message).toMatch(/only the app's event list does/);
    const bad = compileQuery('mic:perhaps', { frames });
    expect(!bad.ok && bad.error).toMatchObject({ start: 0, end: 11 });
    expect(usesFrameFacts('dir:up (mac:LinkADRReq OR x)')).toBe(true);
    expect(usesFrameFacts('-mic:valid')).toBe(true);
    expect(usesFrameFacts('"mac address" magic:1 mtype:up')).toBe(false);
  });
});
