/**
 * `event-desk inspect` run as a child process on the fixtures, in every file shape the app opens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { runCli } from '../../helpers/cli.js';

type Line = Record<string, any>;
const SAMPLES = JSON.parse(readFileSync('test/fixtures/sample-events.json', 'utf8')) as Line[];
const jsonLines = (stdout: string) =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);

async function inspectJson(file: string): Promise<{ events: Line[]; status: Line[]; all: Line[]; totals: Line }> {
  const r = await runCli(['inspect', file, '--json']);
  expect(r.code, r.stderr).toBe(0);
  const all = jsonLines(r.stdout);
  const totals = all.at(-1)!;
  expect(totals.kind).toBe('totals');
  const entries = all.slice(0, -1);
  entries.forEach((e, i) => expect(e.index).toBe(i));
  return {
    events: entries.filter((e) => e.kind === 'event'),
    status: entries.filter((e) => e.kind !== 'event'),
    all: entries,
    totals,
  };
}

const KEYS = [
  'kind',
  'index',
  'unique_id',
  'name',
  'time',
  'entity',
  'application_id',
  'device_id',
  'dev_eui',
  'dev_addr',
  'gateway_ids',
  'direction',
  'f_port',
  'f_cnt',
  'rssi',
  'snr',
  'gateways',
  'chain',
  'findings',
  'notes',
];

describe('event-desk inspect', { timeout: 120_000 }, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-inspect-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--json on the sample events (a JSON array like the Console export): one line per event in file order, every key present', async () => {
    const { events, totals } = await inspectJson('test/fixtures/sample-events.json');
    expect(events).toHaveLength(SAMPLES.length);
    events.forEach((e, i) => {
      expect(Object.keys(e)).toEqual(KEYS);
      expect(e.name).toBe(SAMPLES[i]!.name);
      expect(e.time).toBe(SAMPLES[i]!.time);
      expect(e.unique_id).toBe(SAMPLES[i]!.unique_id ?? null);
      expect(e.chain).toContain(i);
      for (const j of e.chain) expect(events[j], `chain member ${j} of ${i} is an event`).toBeDefined();
      if (e.direction !== null) expect(['up', 'down', 'join']).toContain(e.direction);
    });
    // A chain is the same set whichever member you look from.
    for (const e of events) for (const j of e.chain) expect(new Set(events[j]!.chain)).toEqual(new Set(e.chain));
    expect(totals).toMatchObject({
      format: 'JSON array',
      entries: SAMPLES.length,
      events: SAMPLES.length,
      status_entries: 0,
      skipped_count: 0,
      skipped: [],
    });
    expect(totals.chains).toBe(
      new Set(events.map((e) => [...e.chain].sort((a: number, b: number) => a - b).join(','))).size,
    );
  });

  it('a dropped duplicate uplink carries the drop as a finding, shared by its chain', async () => {
    const { events } = await inspectJson('test/fixtures/sample-events.json');
    const drops = events.filter((e) => e.name === 'ns.up.data.drop');
    expect(drops.length).toBeGreaterThan(0);
    for (const d of drops) {
      expect(d.findings.some((f: string) => f.startsWith('ns.up.data.drop'))).toBe(true);
      for (const m of d.chain.map((j: number) => events[j]!)) expect(m.findings).toEqual(d.findings);
    }
    // The Console's duplicate drops follow the receive of the same uplink.
    const duplicate = drops.filter((d) => d.findings.some((f: string) => /: duplicate \(/.test(f)));
    expect(duplicate.length).toBeGreaterThan(0);
    for (const d of duplicate)
      expect(
        d.chain
          .map((j: number) => events[j]!)
          .some((m: Line) => m.name === 'ns.up.data.receive' && m.device_id === d.device_id),
      ).toBe(true);
    // A gateway's uplink alone (the network server logs it under a device no stream here follows): a note, not a fault.
    const lone = events.find((e) => e.name === 'gs.up.receive' && e.chain.length === 1);
    expect(lone?.findings).toEqual([]);
    expect(lone?.notes.join(' ')).toMatch(
      /^Only the gateway server's events: the network server logs a message under its device/,
    );
  });

  it('an Event Desk capture: status entries (gap, reconnect) in place, broken lines skipped with their line number and reason', async () => {
    const file = path.join(dir, 'capture.ndjson');
    const gap = {
      kind: 'gap',
      time: '2024-03-22T10:00:00Z',
      from: '2024-03-22T09:59:00Z',
      to: '2024-03-22T10:00:00Z',
      message: 'Events between … may be missing: the server keeps no event history.',
    };
    const lines = [
      JSON.stringify({
        _eventDesk: { kind: 'stream-start', time: '2024-03-22T09:00:00Z', message: 'Stream started.' },
      }),
      ...SAMPLES.slice(0, 3).map((e) => JSON.stringify(e)),
      '{"name": "broken',
      JSON.stringify({ _eventDesk: gap }),
      JSON.stringify({ _eventDesk: { kind: 'reconnect', time: '2024-03-22T10:00:00Z', message: 'Reconnected.' } }),
      JSON.stringify({ hello: 'world' }),
      ...SAMPLES.slice(3, 6).map((e) => JSON.stringify(e)),
    ];
    writeFileSync(file, lines.join('\n') + '\n');
    const { all, status, events, totals } = await inspectJson(file);
    expect(all.map((e) => e.kind)).toEqual([
      'stream-start',
      'event',
      'event',
      'event',
      'gap',
      'reconnect',
      'event',
      'event',
      'event',
    ]);
    expect(status[1]).toEqual({
      kind: 'gap',
      index: 4,
      time: gap.time,
      message: gap.message,
      from: gap.from,
      to: gap.to,
    });
    expect(events.map((e) => e.name)).toEqual(SAMPLES.slice(0, 6).map((e) => e.name));
    expect(totals).toMatchObject({
      format: 'NDJSON',
      entries: 9,
      events: 6,
      status_entries: 3,
      status: { 'stream-start': 1, gap: 1, reconnect: 1 },
      skipped_count: 2,
    });
    expect(totals.skipped).toEqual([
      { line: 5, reason: expect.stringMatching(/^not valid JSON/) },
      { line: 8, reason: 'not an event: it has no "name" and "time"' },
    ]);
  });

  it('ttn-lw-cli output, raw stream output and a support bundle read the same events', async () => {
    const some = SAMPLES.slice(10, 30);
    const cliFile = path.join(dir, 'ttn-lw-cli.txt');
    writeFileSync(cliFile, some.map((e) => JSON.stringify(e, null, 2)).join('\n') + '\n');
    const rawFile = path.join(dir, 'stream.txt');
    writeFileSync(rawFile, some.map((e) => `{"result":${JSON.stringify(e)}}\n\n`).join(''));
    const bundleFile = path.join(dir, 'b.bundle.ndjson');
    writeFileSync(
      bundleFile,
      [
        JSON.stringify({ eventDeskBundle: { version: 1, manifest: { counts: { events: some.length } } } }),
        ...some.map((e) => JSON.stringify(e)),
      ].join('\n') + '\n',
    );
    const formats: string[] = [];
    for (const f of [cliFile, rawFile, bundleFile]) {
      const { events, totals } = await inspectJson(f);
      expect(
        events.map((e) => `${e.name}|${e.time}`),
        f,
      ).toEqual(some.map((e) => `${e.name}|${e.time}`));
      formats.push(totals.format);
    }
    expect(formats).toEqual(['concatenated JSON objects (ttn-lw-cli)', 'NDJSON', 'Event Desk support bundle']);
  });

  it('every real-data fixture (test/fixtures/real) reads without a skipped event', { timeout: 120_000 }, async () => {
    const realDir = 'test/fixtures/real';
    const files = existsSync(realDir) ? readdirSync(realDir).filter((f) => f.endsWith('.json')) : [];
    for (const f of files) {
      const { events } = JSON.parse(readFileSync(path.join(realDir, f), 'utf8')) as { events: Line[] };
      const file = path.join(dir, f);
      writeFileSync(file, JSON.stringify(events, null, 2));
      const r = await inspectJson(file);
      expect(
        r.events.map((e) => e.name),
        f,
      ).toEqual(events.map((e) => e.name));
      expect(r.totals.skipped_count, f).toBe(0);
    }
  });

  it('the table says what is there, with the chains that have findings', async () => {
    const r = await runCli(['inspect', 'test/fixtures/sample-events.json']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\s+#\s+time\s+name\s+entity/);
    expect(r.stdout).toContain('Chains with findings:');
    expect(r.stdout).toContain('! ns.up.data.drop: duplicate');
    expect(r.stdout).toMatch(
      new RegExp(
        `sample-events\\.json: JSON array; ${SAMPLES.length} entries: ${SAMPLES.length} events; \\d+ chains, \\d+ with findings; 0 skipped\\.`,
      ),
    );
  });

  it("the table's entity column keeps the end of an ID too long for it, where a fleet's IDs differ", async () => {
    const create = SAMPLES.find((e) => e.name === 'end_device.create')!;
    // Two devices whose 36-character IDs (the longest The Things Stack allows) share their first 32.
    const devices = ['0001', '0002'].map((n) =>
      JSON.stringify(create).replace('"eui-70b3d57ed0000001"', `"${'d'.repeat(32)}${n}"`),
    );
    const file = path.join(dir, 'long-ids.ndjson');
    writeFileSync(file, `${devices.join('\n')}\n`);
    const r = await runCli(['inspect', file]);
    expect(r.code, r.stderr).toBe(0);
    const entities = r.stdout.match(/end_device\.create +(\S+)/g)!.map((l) => l.split(/ +/)[1]);
    expect(entities).toEqual([`…${'d'.repeat(19)}0001`, `…${'d'.repeat(19)}0002`]);
  });

  it('a missing file exits 1, a missing argument or a folder 2, a file with no events 2, each with the reason', async () => {
    const missing = await runCli(['inspect', path.join(dir, 'nope.ndjson')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      `There is no file ${path.join(dir, 'nope.ndjson')}: check the name and the folder.`,
    );
    // A folder: said in words (it was "EISDIR: illegal operation on a directory, read"), exit 2.
    const folder = await runCli(['inspect', dir]);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain(`${path.basename(dir)} is a folder, not a file: open one of the files in it.`);
    const none = await runCli(['inspect']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/Missing the FILE to inspect/);
    const empty = path.join(dir, 'not-events.json');
    writeFileSync(empty, '{"a":1}\n');
    const r = await runCli(['inspect', empty]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/No events could be read from not-events\.json: line 1: not an event/);
  });
});
