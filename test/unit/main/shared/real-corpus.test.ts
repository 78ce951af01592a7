/**
 * Real, public event data of The Things Stack (test/fixtures/real, see its README): what a person reads
 * from each file's JSON, asserted against the list summary, the LoRaWAN summary and the chains.
 *
 * Every expectation here was written by reading the JSON (and, where it helps, the text around it in the
 * source: a device log, a docs comment), not by printing what Event Desk computes. Conventions a reader of
 * proto3 JSON applies: a zero value is left out, so a data frame without `f_cnt` has FCnt 0, a frame with
 * FRMPayload but no `f_port` is a MAC-only frame on FPort 0, and a LoRa rx_metadata entry with an `rssi` but
 * no `snr` has SNR 0 (an RSSI is never exactly 0 dBm: an entry without one reported no signal quality).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeChain, collectChain, type Chain } from '../../../../src-main/shared/correlation/chain.js';
import { ChainIndex } from '../../../helpers/chain-index.js';
import { summarizeEvent, type EventSummary } from '../../../../src-main/shared/domain/summary.js';
import { receivers } from '../../../../src-main/shared/domain/reception.js';
import { computeHealth } from '../../../../src-main/shared/health/health.js';
import { compileQuery } from '../../../../src-main/shared/query/query.js';
import { lorawanSummary, type LorawanSummary } from '../../../../src-main/shared/domain/lorawan.js';
import type { TtsEvent } from '../../../../src-main/shared/tts/types.js';

const DIR = 'test/fixtures/real';

interface Fixture {
  source: {
    url: string;
    repository: string;
    path: string;
    commit: string | null;
    retrieved: string;
    tts_version: string;
    cut: string;
  };
  events: TtsEvent[];
}

const load = (file: string): Fixture => JSON.parse(readFileSync(`${DIR}/${file}`, 'utf8')) as Fixture;

/** One file: its events summarized with ids equal to their index in the file, and a chain index over them. */
function corpus(file: string) {
  const fx = load(file);
  const index = new ChainIndex();
  const summaries = fx.events.map((e, i) => summarizeEvent(e, i, file));
  summaries.forEach((s) => index.add(s));
  const chainOf = (i: number) => collectChain(i, index).events;
  return {
    events: fx.events,
    summary: (i: number): EventSummary => summaries[i]!,
    lorawan: (i: number): LorawanSummary => lorawanSummary(fx.events[i]!),
    /** Indices of the events in the chain of event `i`, oldest first. */
    chain: (i: number): number[] => chainOf(i).map((s) => s.id),
    analyze: (i: number): Chain => analyzeChain(chainOf(i)),
    name: (i: number): string => fx.events[i]!.name,
  };
}

const counter = (l: LorawanSummary, label: string) => l.counters.find(([k]) => k === label)?.[1];
const settingsText = (l: LorawanSummary) => l.settings.map(([k, v]) => `${k}: ${v}`).join('; ');

/** Findings that would be false for chains whose network-server steps are all in the capture. */
const NS_NEVER_HANDLED = /never handled|never processed|never forwarded to the application/;

function expectNoSelfEdges(chain: Chain) {
  for (const e of chain.edges) expect.soft(e.from, `edge via ${e.via}`).not.toBe(e.to);
}

describe('the corpus of real event data', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
  const all = files.map((f) => ({ file: f, ...load(f) }));
  const events = all.flatMap((f) => f.events);

  it('has at least 100 events from at least 8 distinct repositories or publications, of at least 30 distinct names', () => {
    expect.soft(events.length).toBeGreaterThanOrEqual(100);
    // One source per repository (GitHub) or per page (host + path elsewhere): several files of one repository count once.
    const publication = (s: Fixture['source']) =>
      /^https:\/\/github\.com\//.test(s.url)
        ? s.repository
        : (() => {
            const u = new URL(s.url);
            return `${u.host}${u.pathname}`;
          })();
    expect.soft(new Set(all.map((f) => publication(f.source))).size).toBeGreaterThanOrEqual(8);
    expect.soft(new Set(events.map((e) => e.name)).size).toBeGreaterThanOrEqual(30);
  });

  it('names its source for every file: address, repository, path, commit, what was cut', () => {
    for (const f of all) {
      expect.soft(f.source.url, f.file).toMatch(/^https:\/\/github\.com\//);
      expect.soft(f.source.repository, f.file).toMatch(/^[\w.-]+\/[\w.-]+$/);
      expect.soft(f.source.path, f.file).not.toBe('');
      if (f.source.commit !== null) expect.soft(f.source.commit, f.file).toMatch(/^[0-9a-f]{40}$/);
      expect.soft(f.source.retrieved, f.file).toBe('2026-11-29');
      expect.soft(f.source.cut.length, f.file).toBeGreaterThan(10);
      expect.soft(f.events.length, f.file).toBeGreaterThan(0);
      for (const e of f.events) {
        expect.soft(typeof e.name, f.file).toBe('string');
        expect.soft(Number.isNaN(Date.parse(e.time)), `${f.file} ${e.name}`).toBe(false);
      }
    }
  });

  it('has both correlation-ID schemes: pre-3.28 (gs:conn, gs:up:host, ns:uplink, as:up, LinkApplication) and 3.28+ (gs:uplink only, ns:transmission)', () => {
    const ids = (e: TtsEvent) => e.correlation_ids ?? [];
    const old = events.filter((e) => ids(e).some((c) => /^(gs:conn:|gs:up:host:|ns:uplink:|as:up:)/.test(c)));
    expect.soft(old.length).toBeGreaterThan(30);
    expect
      .soft(events.some((e) => ids(e).some((c) => c.startsWith('rpc:/ttn.lorawan.v3.AsNs/LinkApplication:'))))
      .toBe(true);
    const simplified = events.filter(
      (e) => ids(e).some((c) => c.startsWith('gs:uplink:')) && !ids(e).some((c) => /^(gs:conn:|ns:uplink:)/.test(c)),
    );
    expect.soft(simplified.length).toBeGreaterThan(5);
    expect.soft(events.some((e) => ids(e).some((c) => c.startsWith('ns:transmission:')))).toBe(true);
  });

  it('is collected independently of the reference sample events', () => {
    const sample = JSON.parse(readFileSync('test/fixtures/sample-events.json', 'utf8')) as TtsEvent[];
    const key = (e: TtsEvent) => `${e.name}|${e.time}`;
    const used = new Set(sample.map(key));
    expect.soft(events.filter((e) => used.has(key(e))).map(key)).toEqual([]);
  });
});

describe('tts-console-story-2019.json (Console Storybook, v3.0 era, pre-3.28 scheme, old NS names)', () => {
  const c = corpus('tts-console-story-2019.json');

  it('reads the first uplink after the join: no f_cnt key means FCnt 0; the gateway reported no RSSI/SNR', () => {
    expect.soft(c.name(5)).toBe('gs.up.receive');
    expect.soft(c.summary(5)).toMatchObject({ direction: 'up', fCnt: 0, fPort: 1, gatewayIds: ['admin-gtw'] });
    // Neither `rssi` nor `channel_rssi`: unknown, not a 0 dBm reading (which no gateway reports).
    expect.soft([c.summary(5).rssi, c.summary(5).snr]).toEqual([undefined, undefined]);
    const l = c.lorawan(5);
    expect.soft(l.direction).toBe('uplink');
    expect.soft(counter(l, 'FCnt')).toMatch(/^0\b/);
    expect.soft(counter(l, 'FPort')).toBe('1');
    expect.soft(counter(l, 'MType')).toBe('CONFIRMED_UP');
    expect.soft(c.name(9)).toBe('as.up.data.forward');
    expect.soft(c.summary(9)).toMatchObject({
      direction: 'up',
      fCnt: 0,
      fPort: 1,
      devEui: '0102030405060708',
      devAddr: '00D0A4D8',
      preview: 'ABCD',
    });
  });

  it('reads the join-request, the downlink and the gateway events', () => {
    expect.soft(c.summary(14)).toMatchObject({
      name: 'gs.up.receive',
      direction: 'join',
      devEui: '0102030405060708',
      gatewayIds: ['admin-gtw'],
    });
    expect.soft(c.lorawan(14).direction).toBe('join');
    // raw_payload 60 D8A4D000 20 0100 00 11 7D9ABCEB: unconfirmed down to 00D0A4D8, ACK, FCnt 1, FPort 0 (DevStatusReq).
    expect.soft(c.summary(11)).toMatchObject({
      name: 'gs.down.send',
      direction: 'down',
      gatewayIds: ['admin-gtw'],
      devAddr: '00D0A4D8',
      fCnt: 1,
      fPort: 0,
    });
    expect.soft(c.lorawan(11).direction).toBe('downlink');
    expect.soft(settingsText(c.lorawan(11))).toMatch(/868\.1/);
    expect
      .soft(c.summary(4))
      .toMatchObject({ name: 'gs.gateway.connect', entity: 'admin-gtw', gatewayIds: ['admin-gtw'] });
    expect.soft(c.summary(12)).toMatchObject({ name: 'gs.gateway.disconnect', entity: 'admin-gtw' });
    expect
      .soft(c.summary(22))
      .toMatchObject({ name: 'gs.up.drop', errorName: 'host_handle', gatewayIds: ['kerlink-ifemtocell'] });
    expect.soft(c.summary(23)).toMatchObject({
      name: 'ns.mac.link_adr.answer.reject',
      devEui: '0004A30B001BB0DF',
      application: 'tti-playground',
    });
    expect.soft(c.summary(6)).toMatchObject({ name: 'ns.up.merge_metadata', devEui: '0102030405060708' });
  });

  it('one uplink is one chain: not the gateway connection around it, not the join of another connection', () => {
    // gs.up.receive … gs.down.send of gs:uplink:01D8G4YTY2SS…, all stamped 13:18:48.376022 by the fixture.
    expect.soft(c.chain(9).sort((a, b) => a - b)).toEqual([5, 6, 7, 8, 9, 10, 11]);
    expect.soft(c.chain(5).sort((a, b) => a - b)).toEqual([5, 6, 7, 8, 9, 10, 11]);
    const chain = c.analyze(9);
    expect.soft(chain.kind).toBe('uplink');
    // ns.up.merge_metadata and ns.up.data.forward are how the v3.0 network server handled it.
    expect.soft(chain.findings.map((f) => f.text).filter((t) => NS_NEVER_HANDLED.test(t))).toEqual([]);
  });

  it('gs.up.receive lists each of its correlation IDs twice: no edge from an event to itself', () => {
    const ids = c.events[5]!.correlation_ids!;
    expect.soft(ids.length).toBe(2 * new Set(ids).size);
    expectNoSelfEdges(c.analyze(5));
    expectNoSelfEdges(c.analyze(20)); // gs.down.send of the join, also with repeated IDs
  });

  it('the join flow with its v3.0 names is one chain with no false findings', () => {
    expect.soft(c.chain(14)).toEqual([14, 15, 16, 17, 18, 19, 20]);
    expect.soft(c.chain(15)).toEqual([14, 15, 16, 17, 18, 19, 20]);
    const chain = c.analyze(14);
    expect.soft(chain.kind).toBe('join');
    expect
      .soft(
        chain.findings
          .map((f) => f.text)
          .filter((t) => NS_NEVER_HANDLED.test(t) || /no answer from the Join Server|never sent to a gateway/.test(t)),
      )
      .toEqual([]);
  });
});

describe('tts-console-event-data-2020-04.json (Console fixture of a v3.7 stack: join, three uplinks, a queued downlink)', () => {
  const c = corpus('tts-console-event-data-2020-04.json');
  const join = [3, 2, 0, 1, 4, 5, 6, 7, 9, 8];
  const up1 = [10, 15, 16, 12, 13, 14, 11, 17, 18, 19, 21, 20];
  const up2 = [22, 23, 24, 25, 26, 31];
  const up3 = [27, 28];

  it('reads the join-request', () => {
    expect.soft(c.summary(3)).toMatchObject({
      name: 'ns.up.join.receive',
      direction: 'join',
      devEui: 'DEADBEEF01020304',
      rssi: -42,
      snr: 9.5,
      gatewayIds: ['eui-647fdafffe007b3f'],
    });
    expect.soft(c.lorawan(3).direction).toBe('join');
  });

  it('reads the first uplink after the join as MAC-only: FCnt 0 and FPort 0 although both keys are absent', () => {
    expect.soft(c.summary(10)).toMatchObject({
      name: 'ns.up.data.receive',
      direction: 'up',
      fCnt: 0,
      fPort: 0,
      rssi: -45,
      snr: 8.8,
      preview: 'BF252CDD',
      gatewayIds: ['eui-647fdafffe007b3f'],
    });
    const l = c.lorawan(10);
    expect.soft(l.direction).toBe('uplink');
    expect.soft(counter(l, 'FCnt')).toMatch(/^0\b/);
    expect.soft(counter(l, 'FPort')).toMatch(/^0\b/);
    expect.soft(l.payload?.bytes).toBe(4);
    expect
      .soft(c.summary(18))
      .toMatchObject({ name: 'as.up.data.forward', direction: 'up', fCnt: 0, fPort: 0, devEui: 'DEADBEEF01020304' });
  });

  it('reads the later uplinks', () => {
    expect
      .soft(c.summary(22))
      .toMatchObject({ name: 'ns.up.data.receive', direction: 'up', fCnt: 1, rssi: -42, snr: 10.8 });
    expect
      .soft(c.summary(28))
      .toMatchObject({ name: 'as.up.data.forward', direction: 'up', fCnt: 2, rssi: -40, snr: 7.2 });
    // The fixture pasted another device's ApplicationUp under test-dev-c's identifiers.
    expect.soft(c.summary(29)).toMatchObject({
      devEui: 'DEADBEEF01020304',
      fCnt: 18,
      fPort: 1,
      rssi: -33,
      snr: 6.25,
      gatewayIds: ['bafonins-ttig'],
    });
  });

  it('reads the downlinks: scheduled RX1 settings, and FPort/FCnt/payload of the queued downlink', () => {
    expect.soft(c.summary(21)).toMatchObject({ name: 'ns.down.data.schedule.attempt', direction: 'down' });
    const l21 = c.lorawan(21);
    expect.soft(l21.direction).toBe('downlink');
    expect.soft(settingsText(l21)).toMatch(/867\.9/);
    expect.soft(settingsText(l21)).toMatch(/HIGHEST/);
    expect
      .soft(c.summary(32))
      .toMatchObject({ name: 'as.down.data.forward', direction: 'down', fPort: 1, fCnt: 0, preview: 'E87EAD' });
    const l32 = c.lorawan(32);
    expect.soft(l32.direction).toBe('downlink');
    expect.soft(counter(l32, 'FPort')).toBe('1');
    expect.soft(l32.payload?.hex).toBe('E87EAD');
  });

  it('takes correlation IDs from data.correlation_ids when the event has none of its own', () => {
    expect.soft(c.events[32]!.correlation_ids).toBeUndefined();
    expect
      .soft(c.summary(32).correlationIds)
      .toEqual(expect.arrayContaining(['as:downlink:01E70VK078A64W1DY6NEQ5S8KE']));
    expect.soft(c.events[43]!.correlation_ids).toBeUndefined();
    // raw_payload starts with 0x20: the join-accept answering gs.up.receive 40 (its direction is the join's business, not asserted).
    expect.soft(c.summary(43)).toMatchObject({ name: 'gs.down.send', gatewayIds: ['test-gtw-id'] });
    expect
      .soft(c.summary(43).correlationIds)
      .toEqual(
        expect.arrayContaining(['gs:uplink:01E7B0ABB1N9GY31G4TCZJY21E', 'ns:downlink:01E7B0AD8P52G8HFKJ2MQXAYEG']),
      );
    expect
      .soft(c.summary(37))
      .toMatchObject({ name: 'gs.up.receive', direction: 'up', fCnt: 0, fPort: 1, rssi: -41, snr: 6.75 });
    expect.soft(c.summary(37).gatewayIds).toEqual(expect.arrayContaining(['test-gtw-id', 'bafonins-ttig']));
    expect.soft(c.summary(40)).toMatchObject({ name: 'gs.up.receive', direction: 'join', devEui: '0004A30B001C208A' });
    expect
      .soft(c.summary(39))
      .toMatchObject({ name: 'gs.up.drop', errorName: 'host_handle', gatewayIds: ['test-gtw-id'] });
  });

  it('the join is one chain: the standing AsNs/LinkApplication ID does not pull in the uplinks after it', () => {
    expect
      .soft(c.events[7]!.correlation_ids)
      .toContain('rpc:/ttn.lorawan.v3.AsNs/LinkApplication:01E6K6MXTGAAW7S2X04K71WJ8X');
    expect.soft(c.chain(0)).toEqual(join);
    expect.soft(c.chain(7)).toEqual(join);
    const chain = c.analyze(7);
    expect.soft(chain.kind).toBe('join');
    expect
      .soft(
        chain.findings
          .map((f) => f.text)
          .filter((t) => NS_NEVER_HANDLED.test(t) || /no answer from the Join Server|never sent to a gateway/.test(t)),
      )
      .toEqual([]);
  });

  it('each uplink is its own chain, though all share the gateway connection and the LinkApplication ID', () => {
    expect.soft(c.chain(18)).toEqual(up1);
    expect.soft(c.chain(10)).toEqual(up1);
    expect.soft(c.chain(25)).toEqual(up2);
    expect.soft(c.chain(26)).toEqual(up2);
    expect.soft(c.chain(28)).toEqual(up3);
    for (const [i, own] of [
      [18, up1],
      [25, up2],
      [28, up3],
    ] as const) {
      const chain = c.analyze(i);
      expect.soft(chain.kind, `chain of ${i}`).toBe('uplink');
      expect
        .soft(
          chain.findings.map((f) => f.text).filter((t) => NS_NEVER_HANDLED.test(t)),
          `chain of ${i}`,
        )
        .toEqual([]);
      expect.soft(chain.steps.map((s) => s.event.id)).toEqual(own);
    }
  });

  it('links a gateway uplink to its downlink through data.correlation_ids, and no further', () => {
    expect.soft(c.chain(40)).toEqual([40, 43]);
    expect.soft(c.chain(43)).toEqual([40, 43]);
    expect.soft(c.chain(37)).toEqual([37]);
    expect.soft(c.chain(33)).toEqual([32, 33]);
    expect.soft(c.analyze(33).kind).toBe('downlink');
  });
});

describe('tts-console-event-data-2020-09-status.json (gs.status.forward, one per upstream host)', () => {
  const c = corpus('tts-console-event-data-2020-09-status.json');
  it('reads the gateway and links the two forwards of one status message', () => {
    expect.soft(c.summary(0)).toMatchObject({
      name: 'gs.status.forward',
      entity: 'tektelic-adrian-ci392',
      gatewayIds: ['tektelic-adrian-ci392'],
    });
    expect.soft(c.chain(0)).toEqual([1, 0]);
    const chain = c.analyze(0);
    expect.soft(chain.kind).toBe('gateway-status');
    expect.soft(chain.findings).toEqual([]);
  });
});

describe('tts-getting-started-v3.0.json (v3.0.0 docs: join flow with ns.up.join.forward and ns.up.merge_metadata)', () => {
  const c = corpus('tts-getting-started-v3.0.json');
  it('reads the device of the old NS events', () => {
    expect
      .soft(c.summary(2))
      .toMatchObject({ name: 'ns.up.join.forward', devEui: '4200000000000000', application: 'app1' });
    expect.soft(c.summary(3)).toMatchObject({ name: 'ns.up.merge_metadata', devEui: '4200000000000000' });
    expect.soft(c.summary(0)).toMatchObject({ name: 'gs.up.receive', gatewayIds: ['multitech'] });
  });

  it('the join is one chain without a false "network server never handled it"', () => {
    // gs.down.send (6) shares only the gateway connection and its own ScheduleDownlink call with this flow.
    expect.soft(c.chain(0)).toEqual(expect.arrayContaining([0, 1, 2, 3, 4, 5, 7]));
    expect.soft(c.chain(1)).toEqual(expect.arrayContaining([0, 1, 2, 3, 4, 5, 7]));
    const chain = c.analyze(0);
    expect.soft(chain.kind).toBe('join');
    expect
      .soft(
        chain.findings
          .map((f) => f.text)
          .filter((t) => NS_NEVER_HANDLED.test(t) || /no answer from the Join Server/.test(t)),
      )
      .toEqual([]);
  });
});

describe('tts-docs-join-flow-2022.json (docs: join flow of a v3.20-era stack, gs:conn + gs:up:host + gs:uplink + ns:transmission)', () => {
  const c = corpus('tts-docs-join-flow-2022.json');
  it('reads the join-request, the join-accept scheduling and its transmission', () => {
    expect
      .soft(c.summary(0))
      .toMatchObject({ name: 'gs.up.receive', direction: 'join', devEui: '70B3D57ED0050EAD', gatewayIds: ['gw2'] });
    expect
      .soft(c.summary(1))
      .toMatchObject({ name: 'ns.up.join.receive', direction: 'join', devEui: '70B3D57ED0050EAD' });
    const l7 = c.lorawan(7);
    expect.soft(settingsText(l7)).toMatch(/868\.3/);
    expect.soft(settingsText(l7)).toMatch(/HIGHEST/);
    expect.soft(c.summary(9)).toMatchObject({ name: 'gs.down.send', gatewayIds: ['gw2'] });
    expect
      .soft(c.summary(13))
      .toMatchObject({ name: 'as.up.join.forward', direction: 'join', devEui: '70B3D57ED0050EAD' });
  });

  it('all 14 events are one join chain, and the only finding is the TX acknowledgment not in the example', () => {
    const all = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 11];
    expect.soft(c.chain(0)).toEqual(all);
    expect.soft(c.chain(3)).toEqual(all);
    const chain = c.analyze(0);
    expect.soft(chain.kind).toBe('join');
    expect.soft(chain.findings).toHaveLength(1);
    expect.soft(chain.findings[0]!.text).toMatch(/TX ack/i);
  });
});

describe('ie-norway-agriculture-2022.json (Console event of a TTN eu1 uplink, 2022)', () => {
  const c = corpus('ie-norway-agriculture-2022.json');
  it('reads FCnt 0 from an uplink without f_cnt', () => {
    expect.soft(c.summary(0)).toMatchObject({
      name: 'as.up.data.forward',
      direction: 'up',
      fCnt: 0,
      fPort: 3,
      rssi: -13,
      snr: 11,
      gatewayIds: ['raspbery-2'],
      devEui: '70B3D57ED0056E9F',
      application: 'testdavidgl17',
    });
    const l = c.lorawan(0);
    expect.soft(l.direction).toBe('uplink');
    expect.soft(counter(l, 'FCnt')).toMatch(/^0\b/);
    expect.soft(counter(l, 'FPort')).toBe('3');
  });
});

describe('flwsb-packet-broker-2022.json (uplink relayed by Packet Broker, two antennas of one forwarder)', () => {
  const c = corpus('flwsb-packet-broker-2022.json');
  it('names the forwarder gateway next to "packetbroker", and the best of its two receptions', () => {
    expect.soft(c.summary(0)).toMatchObject({
      name: 'as.up.data.forward',
      direction: 'up',
      fCnt: 33,
      fPort: 1,
      rssi: -111,
      snr: 1,
      // Two rx_metadata entries, antennas 0 and 1 of the one forwarder: one gateway.
      gateways: 1,
      devEui: '0004A30B0020DA72',
    });
    expect.soft(c.summary(0).gatewayIds).toEqual(expect.arrayContaining(['packetbroker', 'eui-7276ff0000062e94']));
    const l = c.lorawan(0);
    expect.soft(l.rx.map((r) => [r.rssi, r.snr])).toEqual([
      [-111, 1],
      [-112, -4],
    ]);
    expect.soft(JSON.stringify(l)).toMatch(/eui-7276ff0000062e94/);
    // "consumed_airtime": "0.051456s", as people read it.
    expect.soft(l.settings).toContainEqual(['Airtime', '51.456 ms']);
  });

  it('counts the relay once, under the forwarder, while gateway:packetbroker still finds it', () => {
    const health = computeHealth([c.summary(0)]);
    expect.soft(health.gateways.map((g) => [g.gatewayId, g.uplinks])).toEqual([['eui-7276ff0000062e94', 1]]);
    expect.soft(receivers(c.summary(0).gatewayIds)).toEqual(['eui-7276ff0000062e94']);
    for (const q of ['gateway:packetbroker', 'gateway:eui-7276ff0000062e94']) {
      const compiled = compileQuery(q);
      expect.soft(compiled.ok && compiled.test(c.summary(0)), q).toBe(true);
    }
  });

  it('counts a relay whose forwarder is hidden under packetbroker, beside a gateway of its own network', () => {
    const event = structuredClone(c.events[0]!);
    const rx = (event.data as { uplink_message: { rx_metadata: Record<string, unknown>[] } }).uplink_message
      .rx_metadata;
    delete (rx[1]!.packet_broker as Record<string, unknown>).forwarder_gateway_id;
    rx.push({ gateway_ids: { gateway_id: 'own-gateway' }, rssi: -90, snr: 7 });
    const s = summarizeEvent(event, 0, 'hidden');
    expect.soft(receivers(s.gatewayIds)).toEqual(['packetbroker', 'eui-7276ff0000062e94', 'own-gateway']);
    const gateways = computeHealth([s]).gateways.map((g) => [g.gatewayId, g.uplinks]);
    expect.soft(gateways.sort()).toEqual([
      ['eui-7276ff0000062e94', 1],
      ['own-gateway', 1],
      ['packetbroker', 1],
    ]);
  });
});

describe('tfg-dj-webhook-2023.json (Console event pasted into a webhook handler, 3.28+ scheme)', () => {
  const c = corpus('tfg-dj-webhook-2023.json');
  it('reads the uplink', () => {
    expect.soft(c.summary(0)).toMatchObject({
      name: 'as.up.data.forward',
      direction: 'up',
      fCnt: 1,
      fPort: 2,
      rssi: -78,
      snr: 10,
      gatewayIds: ['eui-58a0cbfffe804354'],
      devEui: 'A8610A3130467613',
    });
    expect.soft(c.summary(0).correlationIds).toEqual(['gs:uplink:01HGS027VSGJRWAG255NRAKQQD']);
  });
});

describe('mumo-v2-node-logs-2024.json (Console events next to the device debug log, TTN Sandbox 2024)', () => {
  const c = corpus('mumo-v2-node-logs-2024.json');

  it('reads the uplinks as the device log prints them', () => {
    expect.soft(c.summary(4)).toMatchObject({
      name: 'gs.up.receive',
      direction: 'up',
      fCnt: 1,
      fPort: 8,
      rssi: -53,
      snr: 11.75,
      gatewayIds: ['eui-ac1f09fffe08d721'],
    });
    expect.soft(c.summary(8)).toMatchObject({
      name: 'as.up.data.forward',
      direction: 'up',
      fCnt: 1,
      fPort: 8,
      rssi: -53,
      snr: 11.75,
      devEui: '0080E11505474C71',
    });
    expect
      .soft(c.summary(2))
      .toMatchObject({ name: 'gs.up.receive', direction: 'up', fCnt: 13769, fPort: 16, rssi: -46, snr: 14 });
  });

  it('reads the network-originated MAC downlink: FCnt 0 and FPort 0 (both keys absent), 37 bytes of MAC commands, RX1 settings', () => {
    // The device log of the same minute: "FCnt 00 00", "FramePort 00", "FramePayload[37] D1 D4 A2 34 ED C5 C3 D2 F8 36 …".
    expect.soft(c.summary(9)).toMatchObject({
      name: 'ns.down.data.schedule.attempt',
      direction: 'down',
      fCnt: 0,
      fPort: 0,
      devEui: '0080E11505474C71',
    });
    expect.soft(c.summary(9).preview).toMatch(/^D1D4A234EDC5C3D2F836/);
    const l = c.lorawan(9);
    expect.soft(l.direction).toBe('downlink');
    expect.soft(counter(l, 'FCnt')).toMatch(/^0\b/);
    expect.soft(counter(l, 'FPort')).toMatch(/^0\b/);
    expect.soft(l.payload?.bytes).toBe(37);
    expect.soft(settingsText(l)).toMatch(/868\.5/);
    expect.soft(settingsText(l)).toMatch(/SF7/);
    expect.soft(settingsText(l)).toMatch(/HIGHEST/);
    expect.soft(c.summary(11)).toMatchObject({ name: 'ns.down.data.schedule.attempt', direction: 'down', fCnt: 1 });
  });

  it('reads gs.down.send: a downlink, with the scheduled radio settings', () => {
    expect
      .soft(c.summary(5))
      .toMatchObject({ name: 'gs.down.send', direction: 'down', gatewayIds: ['eui-ac1f09fffe08d721'] });
    const l = c.lorawan(5);
    expect.soft(l.direction).toBe('downlink');
    expect.soft(settingsText(l)).toMatch(/868\.5/);
    expect.soft(settingsText(l)).toMatch(/SF7/);
  });

  it('each uplink with its downlink is one chain, with no false "network server never handled it"', () => {
    expect.soft(c.chain(8)).toEqual([4, 8, 9, 5]);
    expect.soft(c.chain(5)).toEqual([4, 8, 9, 5]);
    expect.soft(c.chain(10)).toEqual([6, 10, 11, 7]);
    expect.soft(c.chain(2)).toEqual([2, 3]);
    const chain = c.analyze(8);
    expect.soft(chain.findings.map((f) => f.text).filter((t) => NS_NEVER_HANDLED.test(t))).toEqual([]);
    expectNoSelfEdges(chain);
  });

  it('the same frame sent twice (same MIC, 11 minutes apart) gives two chains', () => {
    const mic = (i: number) => (c.events[i]!.data as { message: { payload: { mic: string } } }).message.payload.mic;
    expect.soft(mic(0)).toBe(mic(1));
    expect.soft(c.chain(0)).toEqual([0]);
    expect.soft(c.chain(1)).toEqual([1]);
  });
});

describe('mumo-v2-node-mac-test-2024.json (network-originated MAC downlink on FPort 0)', () => {
  const c = corpus('mumo-v2-node-mac-test-2024.json');
  it('reads FPort 0 from a downlink with FRMPayload and no f_port', () => {
    expect.soft(c.summary(0)).toMatchObject({
      name: 'ns.down.data.schedule.attempt',
      direction: 'down',
      fPort: 0,
      fCnt: 177,
      devEui: '70B3D57ED005E7DA',
    });
    const l = c.lorawan(0);
    expect.soft(l.direction).toBe('downlink');
    expect.soft(counter(l, 'FPort')).toMatch(/^0\b/);
    expect.soft(counter(l, 'FCnt')).toBe('177');
    expect.soft(settingsText(l)).toMatch(/868\.1/);
  });
});

describe('lorawan-optimizer-dashboard-2025.json (Console event of a TTN eu1 uplink, 2025: two gateways, one without a time)', () => {
  const c = corpus('lorawan-optimizer-dashboard-2025.json');
  it('reads the uplink and the best RSSI and SNR of its two gateways', () => {
    // kerlink001: rssi -70, snr 8; eui-a84041ffff22def8: rssi -119, snr -7.8 and no `time` of its own.
    expect.soft(c.summary(0)).toMatchObject({
      name: 'as.up.data.forward',
      direction: 'up',
      fCnt: 280418,
      fPort: 3,
      rssi: -70,
      snr: 8,
      gateways: 2,
      devEui: 'A8610A3230378316',
      devAddr: '260BED96',
      application: 'pilot-test',
    });
    expect.soft(c.summary(0).gatewayIds).toEqual(expect.arrayContaining(['kerlink001', 'eui-a84041ffff22def8']));
    expect.soft(c.summary(0).correlationIds).toEqual(['gs:uplink:01JWC66PQE3XY7H2H21FASJMW9']);
    const l = c.lorawan(0);
    expect.soft(l.direction).toBe('uplink');
    expect.soft(counter(l, 'FCnt')).toMatch(/^280418\b/);
    expect.soft(counter(l, 'FPort')).toBe('3');
    // frm_payload fqUCFQlyEBgAPQAEvycAALcy is 18 bytes: 7E A5 02 15 09 72 10 18 00 3D 00 04 BF 27 00 00 B7 32.
    expect.soft(l.payload?.bytes).toBe(18);
    expect.soft(l.rx.map((r) => [r.rssi, r.snr])).toEqual([
      [-70, 8],
      [-119, -7.8],
    ]);
    expect.soft(settingsText(l)).toMatch(/867\.5/);
    expect.soft(settingsText(l)).toMatch(/SF11/);
  });

  it('a lone application-server event is its own chain, with no false "network server never handled it"', () => {
    expect.soft(c.chain(0)).toEqual([0]);
    const chain = c.analyze(0);
    expect.soft(chain.findings.map((f) => f.text).filter((t) => NS_NEVER_HANDLED.test(t))).toEqual([]);
  });
});

describe('greencity-bonn-2023.json (Console event of a TTN eu1 uplink, 2023, pre-3.28 scheme, two city gateways)', () => {
  const c = corpus('greencity-bonn-2023.json');
  it('reads the uplink and its best gateway (gateway-06: rssi -106, snr 8; gateway-02: rssi -117, snr 0.5)', () => {
    expect.soft(c.summary(0)).toMatchObject({
      name: 'as.up.data.forward',
      direction: 'up',
      fCnt: 16,
      fPort: 2,
      rssi: -106,
      snr: 8,
      gateways: 2,
      devEui: 'AC1F09FFFE08FBA1',
      devAddr: '260B160B',
      application: 'sennet',
    });
    expect
      .soft(c.summary(0).gatewayIds)
      .toEqual(expect.arrayContaining(['stadtbonn-swb-gateway-02', 'stadtbonn-swb-gateway-06']));
    const l = c.lorawan(0);
    expect.soft(l.direction).toBe('uplink');
    expect.soft(counter(l, 'FCnt')).toMatch(/^16\b/);
    expect.soft(counter(l, 'FPort')).toBe('2');
    // frm_payload "Pg==" is one byte, 0x3E (62, the decoded bodenfeuchtigkeit).
    expect.soft(l.payload?.bytes).toBe(1);
    expect.soft(l.payload?.hex).toBe('3E');
    expect.soft(l.rx.map((r) => [r.rssi, r.snr])).toEqual([
      [-117, 0.5],
      [-106, 8],
    ]);
    expect.soft(settingsText(l)).toMatch(/867\.7/);
    expect.soft(settingsText(l)).toMatch(/SF8/);
  });

  it('a lone as.up.data.forward with the NsAs/HandleUplink ID is its own chain, with no false "network server never handled it"', () => {
    expect.soft(c.chain(0)).toEqual([0]);
    const chain = c.analyze(0);
    expect.soft(chain.findings.map((f) => f.text).filter((t) => NS_NEVER_HANDLED.test(t))).toEqual([]);
  });
});
