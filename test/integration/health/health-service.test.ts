/**
 * The health service over a real capture index (files on disk, columns, postings): the same numbers as
 * the CLI report on the same capture, per-gateway readings read back from the stored events, gap
 * windows read from the status lines, and the overview over the whole capture.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptureIndex } from '../../../src-main/core/capture/capture-index.js';
import { HealthService } from '../../../src-main/core/health/health-service.js';
import type { StatusEntry } from '../../../src-main/core/capture/capture-file.js';
import type { TtsEvent } from '../../../src-main/shared/tts/types.js';
import { healthCapture, processed } from '../../helpers/health-capture.js';
import { consoleSimulation, duplicateDataCopies, duplicateJoinCopies } from '../../helpers/tts-quirks.js';

describe('health over the capture index', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-health-'));
  const index = new CaptureIndex({ dir });
  const service = new HealthService(index);
  beforeAll(async () => {
    const r = await index.open('i1', 'w', 'import');
    if (!r.ok) throw new Error(r.error.message);
    for (const e of healthCapture()) {
      const status = (e as { _eventDesk?: StatusEntry })._eventDesk;
      if (status) index.appendStatus('i1', status);
      else index.appendEvent('i1', JSON.stringify(e), e as TtsEvent);
    }
    await index.written();
  });
  afterAll(async () => {
    await index.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('device panel: frames lost vs unknown from the recorded gap, and each gateway’s RSSI over time from the stored events', async () => {
    const r = await service.device('w', 'app1/dev-01');
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.health.frames).toMatchObject({ frames: 15, lost: 2, unknown: 3, retransmissions: 1 });
    const gw2 = r.value.series.perGateway.find((g) => g.gatewayId === 'gw2')!;
    // Every frame both gateways heard carries gw2's own reading (-110), not the best of the two.
    expect(new Set(gw2.rssi)).toEqual(new Set([-110]));
    expect(gw2.rssi).toHaveLength(15);
    expect(r.value.series.timeline.unknown.reduce((a, x) => a + x, 0)).toBe(3);
  });

  it('gateway panel: receptions, devices named through their DevAddr, connects and the latest status metrics', async () => {
    const r = await service.gateway('w', 'gw1');
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.health).toMatchObject({
      uplinks: 15,
      devices: 1,
      connects: 2,
      disconnects: 1,
      statusMessages: 1,
      lastStatus: { metrics: { rxin: 10, rxok: 9 } },
    });
    expect(r.value.health.heard[0]).toMatchObject({ label: 'dev-01', devAddr: '260B0001' });
  });

  it('list and overview: every device and gateway, and the event rate with the gap marked', async () => {
    const list = await service.list('w');
    if (!list.ok) throw new Error(list.error.message);
    expect(list.value.devices.map((d) => d.deviceId).sort()).toEqual(['dev-01', 'dev-02']);
    expect(list.value.gaps).toBe(1);
    const o = await service.overview('w', 100);
    if (!o.ok) throw new Error(o.error.message);
    expect(o.value.total).toBe(healthCapture().length - 1);
    expect(o.value.events.reduce((a, x) => a + x, 0)).toBe(o.value.total);
    expect(o.value.marks).toEqual([
      expect.objectContaining({
        kind: 'gap',
        fromMs: Date.parse('2026-03-01T10:10:20Z'),
        toMs: Date.parse('2026-03-01T10:13:10Z'),
      }),
    ]);
  });

  it('list again after the capture grew: only the new rows are read, and the numbers follow', async () => {
    const before = await service.list('w');
    if (!before.ok) throw new Error(before.error.message);
    expect(before.value.devices.find((d) => d.deviceId === 'dev-01')!.frames.frames).toBe(15);
    // FCnt 21 arrives (20 never does): one more frame, one more lost.
    const e = processed('dev-01', '260B0001', 21, 30 + 21 * 60, [{ id: 'gw1', rssi: -80, snr: 5 }]);
    index.appendEvent('i1', JSON.stringify(e), e as TtsEvent);
    const after = await service.list('w');
    if (!after.ok) throw new Error(after.error.message);
    expect(after.value.devices.find((d) => d.deviceId === 'dev-01')!.frames).toMatchObject({
      frames: 16,
      lost: 3,
      unknown: 3,
    });
  });

  it('gateway panel once the list is built: read from the list’s aggregates, the same as from the gateway’s rows', async () => {
    const listed = await service.list('w');
    if (!listed.ok || listed.value.building) throw new Error('list not built');
    const compare = async () => {
      for (const id of ['gw1', 'gw2']) {
        const fromList = await service.gateway('w', id);
        const fromRows = await new HealthService(index).gateway('w', id);
        if (!fromList.ok || !fromRows.ok) throw new Error(`gateway ${id} failed`);
        expect(fromList.value).toEqual(fromRows.value);
      }
    };
    await compare();
    // A new uplink both gateways heard: the panel catches the list up first.
    const e = processed('dev-01', '260B0001', 22, 30 + 22 * 60, [
      { id: 'gw1', rssi: -70, snr: 6 },
      { id: 'gw2', rssi: -100, snr: -2 },
    ]);
    index.appendEvent('i1', JSON.stringify(e), e as TtsEvent);
    await compare();
    const gw1 = await service.gateway('w', 'gw1');
    if (!gw1.ok) throw new Error(gw1.error.message);
    expect(gw1.value.health.lastStatus).toMatchObject({ metrics: { rxin: 10, rxok: 9 } });
  });

  it('a v3.12 server logging each gateway’s copy: one join attempt, and no error in the list or the overview', async () => {
    const r = await index.open('old', 'old-server', 'import');
    if (!r.ok) throw new Error(r.error.message);
    for (const e of [...duplicateDataCopies(), ...duplicateJoinCopies(Date.parse('2026-03-01T10:00:00Z'))])
      index.appendEvent('old', JSON.stringify(e), e);
    const list = await service.list('old-server');
    if (!list.ok) throw new Error(list.error.message);
    const devices = Object.fromEntries(list.value.devices.map((d) => [d.deviceId, [d.joins.attempts, d.errors]]));
    expect(devices).toEqual({ 'old-joiner': [1, 0], 'test-dev-01': [0, 0] });
    const o = await service.overview('old-server', 100);
    if (!o.ok) throw new Error(o.error.message);
    expect([o.value.total, o.value.errors.reduce((a, x) => a + x, 0)]).toEqual([13, 0]);
  });

  it('a Console simulated uplink among real ones: no lost frames, no second session, no gateway `test`', async () => {
    const r = await index.open('sim', 'simulating', 'import');
    if (!r.ok) throw new Error(r.error.message);
    for (const e of consoleSimulation(Date.parse('2026-03-01T10:00:00Z')))
      index.appendEvent('sim', JSON.stringify(e), e);
    const list = await service.list('simulating');
    if (!list.ok) throw new Error(list.error.message);
    const [d] = list.value.devices;
    expect([d!.events, d!.frames.lost, d!.frames.sessions, d!.rssi?.max]).toEqual([5, 0, 1, -100]);
    expect(list.value.gateways.map((g) => g.gatewayId)).toEqual(['gw-real']);
    const panel = await service.device('simulating', 'app-sim/console-tested');
    if (!panel.ok) throw new Error(panel.error.message);
    expect(panel.value.health.gateways.map((g) => g.gatewayId)).toEqual(['gw-real']);
  });

  it('says so when a device is not in the capture', async () => {
    const r = await service.device('w', 'app1/nope');
    expect(r.ok).toBe(false);
  });
});
