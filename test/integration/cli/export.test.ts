/**
 * `event-desk export` as a child process: every redaction leaves no original value of the fields it
 * covers anywhere in the output; formats and filters are the app's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Scenario } from '../../../src-main/core/stack/scenario.js';
import { FULL_REDACTION } from '../../../src-main/shared/export/redact.js';
import { runCli } from '../../helpers/cli.js';

type Json = Record<string, any>;
const SAMPLES = JSON.parse(readFileSync('test/fixtures/sample-events.json', 'utf8')) as Json[];

/** Every value under a key in `keys`, anywhere in `v` (with the key's parent, for `authentication.token_id`). */
function valuesOf(
  v: unknown,
  keys: (key: string, parent: string | undefined) => boolean,
  parent?: string,
  out: unknown[] = [],
): unknown[] {
  if (Array.isArray(v)) v.forEach((x) => valuesOf(x, keys, parent, out));
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (keys(k, parent)) out.push(x);
      else valuesOf(x, keys, k, out);
    }
  }
  return out;
}

/** Every string inside a value (the value itself when it is one). */
const leaves = (v: unknown): string[] =>
  typeof v === 'string'
    ? [v]
    : Array.isArray(v)
      ? v.flatMap(leaves)
      : v && typeof v === 'object'
        ? Object.values(v).flatMap(leaves)
        : [];

const FIELDS: Record<string, (k: string, parent: string | undefined) => boolean> = {
  // A Packet Broker hop's sender, a managed gateway's interfaces: IPs as much as a request's remote_ip.
  ips: (k) =>
    [
      'remote_ip',
      'ip',
      'gateway_remote_address',
      'remote_addr',
      'peer_address',
      'sender_address',
      'ip_addresses',
    ].includes(k),
  'user-agents': (k) => k === 'user_agent',
  'key-ids': (k, p) => p === 'authentication' && ['token_id', 'api_key_id', 'key_id'].includes(k),
  payloads: (k) => ['frm_payload', 'decoded_payload', 'raw_payload', 'normalized_payload'].includes(k),
  locations: (k) => ['location', 'locations', 'antenna_locations', 'latitude', 'longitude', 'altitude'].includes(k),
  // A Packet Broker relay names the forwarding gateway in its own fields (real public data has them).
  ids: (k) =>
    [
      'device_id',
      'application_id',
      'gateway_id',
      'dev_eui',
      'join_eui',
      'dev_addr',
      'forwarder_gateway_eui',
      'forwarder_gateway_id',
    ].includes(k),
};

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Whether `value` occurs in `text` as a whole token (not inside a longer ID: "indoor" in "indoor-lht-app"). */
const hasToken = (text: string, value: string) =>
  new RegExp(`(?<![A-Za-z0-9-])${escapeRe(value)}(?![A-Za-z0-9-])`, 'i').test(text);

/** Packet Broker's pseudo-gateway: it names no customer, and a redacted file keeps it (a relay stays a relay). */
const WELL_KNOWN = new Set(['packetbroker']);

/** Original values worth searching for as text (long enough not to match by chance). */
function originals(events: Json[], field: string): string[] {
  const all = valuesOf(events, FIELDS[field]!).flatMap(leaves);
  return [...new Set(all)].filter((s) => s.length >= 6 && s !== '[redacted]' && !WELL_KNOWN.has(s));
}

/** Uplinks Packet Broker relayed, as the built-in stack sends them (`stack --packet-broker 1`). */
function relayedUplinks(): Json[] {
  const scenario = new Scenario({ devices: 3, gateways: 2, seed: 11, packetBrokerShare: 1 }, () =>
    Date.parse('2026-01-01T00:00:00Z'),
  );
  const out: Json[] = [];
  while (out.length < 4)
    for (const e of scenario.nextFlow()) if (e.json.includes('"packet_broker"')) out.push(JSON.parse(e.json) as Json);
  return out;
}

/** A managed gateway's cellular backhaul (ManagedGatewayEventData): its interface's addresses. */
const MANAGED_BACKHAUL: Json = {
  name: 'gcs.managed.cellular_backhaul',
  time: '2026-01-01T00:00:01Z',
  identifiers: [{ gateway_ids: { gateway_id: 'acme-gw-7' } }],
  data: { cellular_backhaul: { network_interface: { status: 'UP', addresses: { ip_addresses: ['100.64.12.34'] } } } },
  unique_id: '01KDM0000000000000000000MG',
};

/** Every rx_metadata entry Packet Broker relayed, anywhere in `v`. */
const relays = (v: unknown): Json[] =>
  valuesOf(v, (k) => k === 'rx_metadata')
    .flat()
    .filter((r): r is Json => !!r && typeof r === 'object' && 'packet_broker' in r);

describe('event-desk export', { timeout: 120_000 }, () => {
  let dir: string;
  let source: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-export-'));
    // The sample events plus the real-data corpus, when present: every field kind occurs.
    const events = [...SAMPLES, ...relayedUplinks(), MANAGED_BACKHAUL];
    const real = 'test/fixtures/real';
    if (existsSync(real))
      for (const f of readdirSync(real).filter((x) => x.endsWith('.json')))
        events.push(...(JSON.parse(readFileSync(path.join(real, f), 'utf8')).events as Json[]));
    source = path.join(dir, 'source.ndjson');
    writeFileSync(source, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const sourceEvents = () =>
    readFileSync(source, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Json);

  for (const field of Object.keys(FIELDS)) {
    it(`--redact ${field}: no original value of those fields anywhere in the output, other fields untouched`, async () => {
      const events = sourceEvents();
      const secrets = originals(events, field);
      expect(secrets.length, `the source has ${field} to redact`).toBeGreaterThan(0);
      const out = path.join(dir, `${field}.ndjson`);
      const r = await runCli(['export', source, '-o', out, '--redact', field]);
      expect(r.code, r.stderr).toBe(0);
      const text = readFileSync(out, 'utf8');
      for (const s of secrets) expect(hasToken(text, s), `${field} value "${s}" left in the output`).toBe(false);
      const written = text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Json);
      expect(written).toHaveLength(events.length);
      // Numbers too (coordinates, payload numbers): every value under those keys is replaced whole.
      if (field !== 'ids')
        for (const v of valuesOf(written, FIELDS[field]!))
          expect(
            [v].flat().every((x) => x === '[redacted]'),
            `${field}: ${JSON.stringify(v)}`,
          ).toBe(true);
      // What this option does not cover is kept as it was.
      const other = field === 'ids' ? 'user-agents' : 'ids';
      expect(valuesOf(written, FIELDS[other]!)).toEqual(valuesOf(events, FIELDS[other]!));
    });
  }

  it('--redact all into a bundle: no original value of any redacted field, a manifest saying what was done', async () => {
    const events = sourceEvents();
    const out = path.join(dir, 'all.bundle.ndjson');
    const r = await runCli(['export', source, '-o', out, '--format', 'bundle', '--redact', 'all']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`Exported ${events.length.toLocaleString('en')} entries to `));
    const text = readFileSync(out, 'utf8');
    for (const field of Object.keys(FIELDS))
      for (const s of originals(events, field))
        expect(hasToken(text, s), `${field} value "${s}" left in the bundle`).toBe(false);
    const [head] = text.split('\n');
    const manifest = JSON.parse(readFileSync(out, 'utf8').split('\n')[0]!).eventDeskBundle.manifest;
    expect(head).toContain('eventDeskBundle');
    expect(manifest.counts.events).toBe(events.length);
    expect(manifest.redaction).toMatchObject(FULL_REDACTION);
    // Packet Broker's own names are not the customer's: kept whole, not turned into a pseudonym's look-alike.
    const rx = relays(
      text
        .split('\n')
        .slice(1)
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Json),
    );
    expect(rx.length).toBeGreaterThan(4);
    for (const r of rx) {
      expect(r.gateway_ids.gateway_id).toBe('packetbroker');
      for (const hop of (r.packet_broker.hops ?? []) as Json[]) {
        expect(hop.sender_address).toBe('[redacted]');
        expect(hop.receiver_name).toBe('router.eu.packetbroker.net');
      }
    }
    expect(text).not.toMatch(/router\.eu\.gateway-/);
  });

  it('pseudonyms are stable within one file: one device is one pseudonym everywhere', async () => {
    const out = path.join(dir, 'ids.ndjson');
    await runCli(['export', source, '-o', out, '--redact', 'ids']);
    const before = sourceEvents();
    const after = readFileSync(out, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Json);
    const map = new Map<string, Set<string>>();
    before.forEach((e, i) => {
      const dev = e.identifiers?.[0]?.device_ids;
      if (!dev) return;
      const key = `${dev.application_ids?.application_id}/${dev.device_id}`;
      (map.get(key) ?? map.set(key, new Set()).get(key)!).add(after[i]!.identifiers[0].device_ids.device_id);
    });
    expect(map.size).toBeGreaterThan(3);
    for (const [dev, pseudonyms] of map) expect(pseudonyms.size, dev).toBe(1);
  });

  it('--filter and --format json: a JSON array of only the matching events', async () => {
    const out = path.join(dir, 'drops.json');
    const r = await runCli(['export', 'test/fixtures/sample-events.json', '-o', out, '--filter', '*.drop']);
    expect(r.code, r.stderr).toBe(0);
    const arr = JSON.parse(readFileSync(out, 'utf8')) as Json[];
    const expected = SAMPLES.filter((e) => e.name.endsWith('.drop'));
    expect(expected.length).toBeGreaterThan(0);
    expect(arr.map((e) => `${e.name}|${e.time}`).sort()).toEqual(expected.map((e) => `${e.name}|${e.time}`).sort());
  });

  it('a capture with gaps: the bundle keeps its status entries, the NDJSON export only events and says so', async () => {
    const cap = path.join(dir, 'gappy.ndjson');
    const gap = {
      kind: 'gap',
      time: '2024-03-22T10:00:00Z',
      from: '2024-03-22T09:59:00Z',
      to: '2024-03-22T10:00:00Z',
      message: 'Events between … may be missing.',
    };
    writeFileSync(
      cap,
      // An event before the gap and one after it (the gap falls among what is exported).
      [
        JSON.stringify(SAMPLES[0]),
        JSON.stringify({ _eventDesk: gap }),
        JSON.stringify({ ...SAMPLES[1], time: '2024-03-22T10:05:00Z' }),
      ].join('\n') + '\n',
    );
    const bundle = path.join(dir, 'gappy.bundle.ndjson');
    expect((await runCli(['export', cap, '-o', bundle, '--format', 'bundle'])).code).toBe(0);
    const lines = readFileSync(bundle, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Json);
    expect(lines[0]!.eventDeskBundle.manifest.counts).toMatchObject({ events: 2, gaps: 1 });
    expect(lines.filter((l) => l._eventDesk).map((l) => l._eventDesk)).toEqual([gap]);
    const nd = path.join(dir, 'gappy-events.ndjson');
    const plain = await runCli(['export', cap, '-o', nd]);
    expect(plain.code).toBe(0);
    // Said, not silent: a report on the events alone would count the gap's frames as lost.
    expect(plain.stderr).toMatch(
      new RegExp(
        'The gap the capture recorded is not in it \\(an NDJSON export holds events only\\), so frames the capture ' +
          'missed will read as lost: export a support bundle to keep them\\.',
      ),
    );
    expect((await runCli(['export', cap, '-o', path.join(dir, 'gappy.json'), '--format', 'json'])).stderr).toMatch(
      /a JSON export holds events only/,
    );
    expect(
      (await runCli(['export', cap, '-o', path.join(dir, 'again.bundle.ndjson'), '--format', 'bundle'])).stderr,
    ).not.toMatch(/the capture recorded/);
    // A filter whose events all come before the gap: nothing of it is missing from that file.
    const before = await runCli(['export', cap, '-o', path.join(dir, 'first.ndjson'), '--filter', SAMPLES[0]!.name]);
    expect(before.code, before.stderr).toBe(0);
    expect(before.stderr).not.toMatch(/the capture recorded/);
    expect(
      readFileSync(nd, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).name),
    ).toEqual([SAMPLES[0]!.name, SAMPLES[1]!.name]);
  });

  it('a folder that does not exist: said once, in words, without the temporary file', async () => {
    const out = path.join(dir, 'no', 'such', 'folder', 'x.ndjson');
    const r = await runCli(['export', source, '-o', out]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines.filter((l) => /does not exist/.test(l))).toEqual([
      `event-desk export: The folder ${path.dirname(out)} does not exist: the export was not saved. Choose an existing folder; the capture is untouched.`,
    ]);
    expect(r.stderr).not.toMatch(/\.part-|ENOENT/);
  });

  it('names the bad flag: unknown redaction, bad filter, missing -o, nothing matching', async () => {
    const bad = await runCli(['export', source, '-o', path.join(dir, 'x.ndjson'), '--redact', 'ids,names']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /--redact "names" is not known: use all, or a comma list of ids, ips, payloads, locations, user-agents, key-ids/,
    );
    const filter = await runCli(['export', source, '-o', path.join(dir, 'x.ndjson'), '--filter', 'rssi<']);
    expect(filter.code).toBe(2);
    expect(filter.stderr).toMatch(/--filter: /);
    const noOut = await runCli(['export', source]);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toMatch(/-o OUT is required/);
    const none = await runCli(['export', source, '-o', path.join(dir, 'none.ndjson'), '--filter', 'nothing.like.this']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/No event in this workspace matches/);
    expect(existsSync(path.join(dir, 'none.ndjson'))).toBe(false);
  });
});
