/**
 * `event-desk report` run as a child process on a capture whose devices, gaps and gateways are known by
 * construction (test/helpers/health-capture.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { runCli } from '../../helpers/cli.js';
import { writeHealthCapture } from '../../helpers/health-capture.js';

type Line = Record<string, any>;

describe('event-desk report', () => {
  let dir: string;
  let file: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-report-'));
    file = path.join(dir, 'capture.ndjson');
    await writeHealthCapture(file);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--json: frames lost on the radio apart from frames the capture missed in its gap, retransmissions and the roll-over not counted as loss', async () => {
    const r = await runCli(['report', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { devices: Line[]; gateways: Line[]; gaps: Line[] };
    const dev1 = out.devices.find((d) => d.device_id === 'dev-01')!;
    // 20 frames sent, 15 seen: 3–4 lost on the radio, 10–12 inside the capture gap.
    expect(dev1).toMatchObject({
      application_id: 'app1',
      dev_eui: '70B3D57ED0000001',
      uplinks: 15,
      f_cnt_first: 0,
      f_cnt_last: 19,
      lost: 2,
      unknown: 3,
      joins: 1,
      retransmissions: 1,
      gateways: ['gw1', 'gw2'],
    });
    expect(dev1.per).toBeCloseTo(2 / 17, 4);
    expect(dev1.rssi).toEqual({ min: -89, median: -81, max: -70 });
    // FCnt 19 at 30 s + 19 min, processed 0.2 s after the gateway got it.
    expect(dev1.last_seen).toBe('2026-03-01T10:19:30.200Z');
    const dev2 = out.devices.find((d) => d.device_id === 'dev-02')!;
    expect(dev2).toMatchObject({
      uplinks: 4,
      lost: 0,
      unknown: 0,
      per: 0,
      f_cnt_first: 65534,
      f_cnt_last: 1,
      rssi: { min: -118, median: -118, max: -118 },
      snr: { min: -14, median: -14, max: -14 },
      gateways: ['gw2'],
      data_rates: { SF12BW125: 4 },
    });
    const gw1 = out.gateways.find((g) => g.gateway_id === 'gw1')!;
    // gw1's own receptions: 15 frames of dev-01 (named through its DevAddr), two connects, one disconnect.
    expect(gw1).toMatchObject({
      uplinks: 15,
      devices: 1,
      connects: 2,
      disconnects: 1,
      status_messages: 1,
      rssi: { min: -89, max: -70 },
    });
    const gw2 = out.gateways.find((g) => g.gateway_id === 'gw2')!;
    // No gateway stream for gw2: its uplinks come from the NS events that name it (both devices).
    expect(gw2).toMatchObject({ uplinks: 19, devices: 2, rssi: { min: -118, max: -110 } });
    expect(out.gaps).toEqual([{ from: '2026-03-01T10:10:20.000Z', to: '2026-03-01T10:13:10.000Z' }]);
  });

  it('without --json: a table a person reads, with the gap explained', async () => {
    const r = await runCli(['report', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Devices \(2\)/);
    expect(r.stdout).toMatch(/app1\/dev-01\s+15\s+2\s+3\s+11\.8%/);
    expect(r.stdout).toMatch(/1 capture gap: frames missing inside them are counted as unknown, not lost\./);
  });

  it('a device with no uplink has no packet error rate to show ("—"; 0 in --json); IDs keep their end', async () => {
    const events = JSON.parse(readFileSync('test/fixtures/sample-events.json', 'utf8')) as Line[];
    const create = events.find((e) => e.name === 'end_device.create')!;
    // The longest IDs The Things Stack allows: 36 characters each.
    const long = JSON.parse(
      JSON.stringify(create)
        .replace('"demo-app"', `"${'a'.repeat(27)}-app-0001"`)
        .replace('"eui-70b3d57ed0000001"', `"${'d'.repeat(32)}0002"`),
    ) as Line;
    const created = path.join(dir, 'created.ndjson');
    writeFileSync(created, `${JSON.stringify(create)}\n${JSON.stringify(long)}\n`);
    const json = await runCli(['report', created, '--json']);
    expect(json.code, json.stderr).toBe(0);
    expect((JSON.parse(json.stdout) as { devices: Line[] }).devices[0]).toMatchObject({ uplinks: 0, lost: 0, per: 0 });
    const table = await runCli(['report', created]);
    // The whole ID (longer than the column's 28 characters): IDs differ at their end.
    expect(table.stdout).toMatch(/^demo-app\/eui-70b3d57ed0000001\s+0\s+0\s+0\s+—\s/m);
    // 73 characters: cut to 48 at its start, so the device ID stays whole.
    expect(table.stdout).toMatch(new RegExp(`^…a-app-0001/d{32}0002 +0 +0 +0 +— `, 'm'));
  });

  it('real 3.0 data: ns.up.merge_metadata is no uplink (it logs a gateway count, for join-requests too)', async () => {
    // The TTS Console story of 2019: one join, then one data uplink of admin-dev-otaa, each merged once.
    const story = JSON.parse(readFileSync('test/fixtures/real/tts-console-story-2019.json', 'utf8')) as {
      events: Line[];
    };
    expect(story.events.filter((e) => e.name === 'ns.up.merge_metadata')).toHaveLength(2);
    const console = path.join(dir, 'story.json');
    writeFileSync(console, JSON.stringify(story.events));
    const r = await runCli(['report', console, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { devices: Line[]; gateways: Line[] };
    expect(out.devices.find((d) => d.device_id === 'admin-dev-otaa')).toMatchObject({
      uplinks: 1,
      f_cnt_first: 0,
      f_cnt_last: 0,
      joins: 1,
    });
  });

  it('the table shows RSSI and SNR spreads whole, however wide (weak links have the widest)', async () => {
    const events = JSON.parse(readFileSync('test/fixtures/sample-events.json', 'utf8')) as Line[];
    const up = events.find((e) => e.name === 'as.up.data.forward')!;
    const weak = [
      [-17.25, -133],
      [-14.25, -127.5],
      [-10.75, -120],
    ].map(([snr, rssi], i) => {
      const e = JSON.parse(JSON.stringify(up)) as Line;
      e.data.uplink_message.f_cnt = 100 + i;
      e.data.uplink_message.rx_metadata[0].snr = snr;
      e.data.uplink_message.rx_metadata[0].rssi = rssi;
      e.time = new Date(Date.parse(up.time) + i * 60_000).toISOString();
      e.unique_id = `weak-${i}`;
      return JSON.stringify(e);
    });
    const weakFile = path.join(dir, 'weak.ndjson');
    writeFileSync(weakFile, weak.join('\n') + '\n');
    const r = await runCli(['report', weakFile]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ -133\/-127\.5\/-120 +-17\.25\/-14\.25\/-10\.75 /);
    expect(r.stdout).not.toMatch(/\d…/);
  });

  it('says what is wrong with a missing file and exits non-zero', async () => {
    const r = await runCli(['report', path.join(dir, 'nope.ndjson')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/nope\.ndjson/);
  });
});
