/**
 * `mic:` and `mac:` over a capture in main (#18): the frame decoder's verdicts per entry, computed with
 * the device keys the first time a query asks, cached, and used by the index's paged queries. Nothing is
 * decoded for any other query. The stack's frames are real (device-keys.ts), so the expected verdicts
 * follow from which key each device was given.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureIndex } from '../../../src-main/core/capture/capture-index.js';
import { openFrames } from '../../../src-main/core/frames/frames-core.js';
import { Scenario } from '../../../src-main/core/stack/scenario.js';
import { stackDeviceKeys } from '../../../src-main/core/stack/device-keys.js';
import type { EventSummary } from '../../../src-main/shared/domain/summary.js';
import type { TtsEvent } from '../../../src-main/shared/tts/types.js';
import { MemorySecretStore } from '../../helpers/memory-secrets.js';

const index = new CaptureIndex({ dir: mkdtempSync(path.join(os.tmpdir(), 'frames-facts-')) });
afterAll(() => index.dispose());

describe('mic: and mac: in main', async () => {
  const r = await index.open('cap', 'w', 'import');
  if (!r.ok) throw new Error(r.error.message);
  const s = new Scenario({ devices: 2, gateways: 2, seed: 31 }, () => Date.parse('2026-01-01T00:00:00Z'));
  const [good, bad] = [s.devices[0]!, s.devices[1]!];
  for (const flow of [
    s.flow('join', good),
    s.flow('join', bad),
    s.flow('uplink', good),
    s.flow('uplink', bad),
    s.flow('confirmed-uplink', good),
    s.flow('uplink', bad),
    s.flow('downlink', good),
  ])
    for (const e of flow) index.appendEvent('cap', e.json, JSON.parse(e.json) as TtsEvent);
  const secrets = new MemorySecretStore();
  const { service, facts } = await openFrames(index, secrets);
  const page = async (query: string, limit = 1000, before?: { ms: number; id: number }) => {
    const p = await facts.page({ workspaceId: 'w', query, limit, ...(before ? { before } : {}) });
    if (!p.ok) throw new Error(p.error.message);
    return p.value.entries;
  };
  const all = await page('');
  /** Entries that carry a device's data frame on the air (`raw_payload`: the GS's and NS's events). */
  const raw = new Set<number>();
  for (const e of all) if ((await index.raw(e.id))?.includes('"raw_payload"')) raw.add(e.id);
  const dataFramesOf = (entries: EventSummary[], devAddr: string) =>
    entries.filter((e) => raw.has(e.id) && e.devAddr === devAddr && /^(?:UNCONFIRMED|CONFIRMED)_/.test(mtypeOf(e)));
  const mtypeOf = (e: EventSummary) =>
    ['', 'JOIN_REQUEST', 'JOIN_ACCEPT', 'UNCONFIRMED_UP', 'UNCONFIRMED_DOWN', 'CONFIRMED_UP', 'CONFIRMED_DOWN'][
      (e.frame ?? 0) & 0x0f
    ] ?? '';

  it('decodes nothing for queries without mic: or mac:', async () => {
    expect((await page('mtype:*_up adr:true')).length).toBeGreaterThan(0);
    expect(facts.size).toBe(0);
  });

  it("mic:invalid pages only the frames whose MIC is wrong for the device's key; mic:valid the others", async () => {
    const k = stackDeviceKeys(31, good.devEui);
    await service.setKey(good.appId, good.deviceId, 'nwk_s_key', k.nwk_s_key!);
    await service.setKey(bad.appId, bad.deviceId, 'nwk_s_key', stackDeviceKeys(32, bad.devEui).nwk_s_key!);
    const invalid = await page('mic:invalid');
    const valid = await page('mic:fail OR mic:valid');
    expect(invalid.length).toBeGreaterThan(0);
    expect(invalid.every((e) => e.devAddr === bad.devAddr)).toBe(true);
    // Every data frame of the device with the wrong key, the uplinks' NS events included.
    const badFrames = dataFramesOf(all, bad.devAddr).filter((e) => e.name.startsWith('ns.'));
    expect(badFrames.length).toBeGreaterThanOrEqual(4);
    expect(invalid.map((e) => e.id)).toEqual(expect.arrayContaining(badFrames.map((e) => e.id)));
    // Its uplinks and downlinks both: the good device's frames are all valid.
    const goodFrames = dataFramesOf(all, good.devAddr).filter((e) => e.name.startsWith('ns.'));
    expect(valid.map((e) => e.id)).toEqual(expect.arrayContaining(goodFrames.map((e) => e.id)));
    expect(goodFrames.some((e) => e.direction === 'down')).toBe(true);
    expect((await page('mic:valid')).every((e) => e.devAddr === good.devAddr)).toBe(true);
    // Joins have no root key here: their MIC is not checked.
    const unchecked = await page('mic:unchecked');
    expect(unchecked.every((e) => /^JOIN_/.test(mtypeOf(e)))).toBe(true);
    // Combined with other terms, and with NOT.
    expect((await page(`mic:invalid dir:up device:${good.deviceId}`)).length).toBe(0);
    const notInvalid = await page('mtype:*_up -mic:invalid');
    expect(notInvalid.some((e) => e.devAddr === bad.devAddr)).toBe(false);
    expect(facts.size).toBeGreaterThan(0);
  });

  it('pages backwards through mic: results like any filter, the same entries as one big page', async () => {
    const whole = (await page('mic:invalid')).map((e) => e.id);
    const seen: number[] = [];
    let before: { ms: number; id: number } | undefined;
    for (;;) {
      const p = await page('mic:invalid', 3, before);
      if (p.length === 0) break;
      seen.unshift(...p.map((e) => e.id));
      before = { ms: p[0]!.ms, id: p[0]!.id };
    }
    expect(seen).toEqual(whole);
  });

  it('decodes again after a key changes: with the right key nothing is invalid', async () => {
    const version = facts.version;
    await service.setKey(bad.appId, bad.deviceId, 'nwk_s_key', stackDeviceKeys(31, bad.devEui).nwk_s_key!);
    expect(facts.version).toBeGreaterThan(version);
    expect(await page('mic:invalid')).toEqual([]);
    expect((await page('mic:valid')).some((e) => e.devAddr === bad.devAddr)).toBe(true);
  });

  it("answers the window's questions per entry with the same verdicts", async () => {
    const ids = all.map((e) => e.id);
    const r = await facts.factsFor(ids);
    if (!r.ok) throw new Error(r.error.message);
    const validIds = new Set((await page('mic:valid')).map((e) => e.id));
    for (const e of all) {
      if (!e.frame) continue;
      expect(r.value.facts[e.id]?.mic === 'valid', e.name).toBe(validIds.has(e.id));
    }
    expect(r.value.version).toBe(facts.version);
  });

  it('refuses a mic: value it does not know, naming the ones it does', async () => {
    const p = await facts.page({ workspaceId: 'w', query: 'mic:maybe', limit: 10 });
    expect(!p.ok && p.error.message).toMatch(/mic takes valid, invalid \(or fail\) or unchecked, not "maybe"/);
  });
});
