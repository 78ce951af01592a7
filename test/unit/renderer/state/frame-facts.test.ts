/**
 * The window's live filter with `mic:` and `mac:` (#18): the workspace view asks main about the entries
 * it holds (frames:facts) and shows what main's own paged query shows, for entries already in view and
 * for live arrivals; a key change in the window makes it ask again. Main here is the real frame
 * decoder over a real capture index of the stack's frames.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../../../src-renderer/lib/state/workspace.svelte';
import { FrameFactsView } from '../../../../src-renderer/lib/state/frame-facts.svelte';
import { CaptureIndex } from '../../../../src-main/core/capture/capture-index.js';
import { openFrames } from '../../../../src-main/core/frames/frames-core.js';
import { Scenario } from '../../../../src-main/core/stack/scenario.js';
import { stackDeviceKeys } from '../../../../src-main/core/stack/device-keys.js';
import type { EventSummary } from '../../../../src-main/shared/domain/summary.js';
import type { TtsEvent } from '../../../../src-main/shared/tts/types.js';
import { MemorySecretStore } from '../../../helpers/memory-secrets.js';

const index = new CaptureIndex({ dir: mkdtempSync(path.join(os.tmpdir(), 'frames-window-')) });
afterAll(() => index.dispose());

describe("the window's mic: filter", async () => {
  await index.open('cap', 'w', 'import');
  const s = new Scenario({ devices: 2, gateways: 1, seed: 44 }, () => Date.parse('2026-01-01T00:00:00Z'));
  const [good, bad] = [s.devices[0]!, s.devices[1]!];
  const append = (flows: ReturnType<Scenario['flow']>[]) => {
    const out: EventSummary[] = [];
    for (const flow of flows)
      for (const e of flow) {
        const summary = index.appendEvent('cap', e.json, JSON.parse(e.json) as TtsEvent);
        if (summary) out.push(summary);
      }
    return out;
  };
  const first = append([s.flow('join', good), s.flow('join', bad), s.flow('uplink', good), s.flow('uplink', bad)]);
  const secrets = new MemorySecretStore();
  const { service, facts } = await openFrames(index, secrets);
  await service.setKey(good.appId, good.deviceId, 'nwk_s_key', stackDeviceKeys(44, good.devEui).nwk_s_key!);
  await service.setKey(bad.appId, bad.deviceId, 'nwk_s_key', stackDeviceKeys(45, bad.devEui).nwk_s_key!);
  let requests = 0;
  const view = new FrameFactsView({
    getFrameFacts: async (ids: number[]) => {
      requests++;
      return facts.factsFor(ids);
    },
  });
  const w = new Workspace({ id: 'w', name: 'W', streams: [], filter: 'mic:fail', savedFilters: [] });
  w.frameFacts = view;
  const mainPage = async (query: string) => {
    const p = await facts.page({ workspaceId: 'w', query, limit: 1000 });
    if (!p.ok) throw new Error(p.error.message);
    return p.value.entries.map((e) => e.id);
  };
  const settle = () => expect.poll(() => view.waiting === 0 && requests > 0).toBe(true);

  it('shows the entries main finds, and none before main has answered', async () => {
    w.ingest(first);
    expect(w.filterError).toBeUndefined();
    expect(w.visible).toEqual([]);
    await settle();
    await expect.poll(() => w.visible.map((e) => e.id)).toEqual(await mainPage('mic:fail'));
    expect(w.visible.length).toBeGreaterThan(0);
    expect(w.visible.every((e) => e.devAddr === bad.devAddr)).toBe(true);
  });

  it('decides live arrivals the same way, after asking about them only', async () => {
    const before = requests;
    w.ingest(append([s.flow('uplink', bad), s.flow('uplink', good)]));
    await expect.poll(() => requests).toBeGreaterThan(before);
    await expect.poll(() => w.visible.map((e) => e.id)).toEqual(await mainPage('mic:fail'));
    w.setFilter('mic:valid');
    await expect.poll(() => w.visible.map((e) => e.id)).toEqual(await mainPage('mic:valid'));
    expect(w.visible.every((e) => e.devAddr === good.devAddr)).toBe(true);
  });

  it('asks again when a key changes in the window', async () => {
    await service.setKey(bad.appId, bad.deviceId, 'nwk_s_key', stackDeviceKeys(44, bad.devEui).nwk_s_key!);
    w.setFilter('mic:fail');
    view.invalidate();
    await expect.poll(() => w.visible.length).toBe(0);
    w.setFilter('mic:valid');
    await expect.poll(() => w.visible.some((e) => e.devAddr === bad.devAddr)).toBe(true);
    expect(w.visible.map((e) => e.id)).toEqual(await mainPage('mic:valid'));
  });

  it('without main (no decoder wired) the filter explains itself instead of hiding everything', () => {
    const lone = new Workspace({ id: 'x', name: 'X', streams: [], filter: '', savedFilters: [] });
    lone.setFilter('mac:LinkADRReq');
    expect(lone.filterError?.message).toMatch(/only the app's event list does/);
  });
});
