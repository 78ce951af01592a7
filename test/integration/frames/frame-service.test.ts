/**
 * The FrameService in main: device keys in the OS keychain (service `event-desk`, account
 * `device:<app>/<device>`, run under scripts/with-keyring.sh), written one at a time and never returned;
 * an event's frame decoded with them from the capture index; and with only a root key, the session keys
 * derived from the device's join found in the capture.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureIndex } from '../../../src-main/core/capture/capture-index.js';
import { FrameService, deviceAccount } from '../../../src-main/core/frames/frame-service.js';
import { captureJoins, joinLookup } from '../../../src-main/core/frames/join-lookup.js';
import { KeytarSecretStore } from '../../../src-main/core/secrets/secret-store.js';
import { Scenario } from '../../../src-main/core/stack/scenario.js';
import type { TtsEvent } from '../../../src-main/shared/tts/types.js';
import { MemorySecretStore } from '../../helpers/memory-secrets.js';

const index = new CaptureIndex({ dir: mkdtempSync(path.join(os.tmpdir(), 'frames-service-')) });
afterAll(() => index.dispose());

/** A capture of the stack's flows for one device; returns the ids of the named events. */
async function capture(
  id: string,
  seed: number,
  keep: (e: { name: string; propagates: boolean }) => boolean = () => true,
) {
  const r = await index.open(id, `ws-${id}`, 'import');
  if (!r.ok) throw new Error(r.error.message);
  const s = new Scenario({ devices: 1, gateways: 1, seed }, () => Date.parse('2026-01-01T00:00:00Z'));
  const ids = new Map<string, number>();
  for (const e of [...s.flow('join'), ...s.flow('uplink'), ...s.flow('uplink')]) {
    if (!keep(e)) continue;
    const summary = index.appendEvent(id, e.json, JSON.parse(e.json) as TtsEvent);
    if (summary) ids.set(e.name, summary.id); // the last of each name: the second uplink
  }
  return { s, device: s.devices[0]!, ids };
}

describe('FrameService', () => {
  it('keeps device keys in the OS keychain under device:<app>/<device>, never returning them', async () => {
    const secrets = new KeytarSecretStore();
    const { s, device, ids } = await capture('k', 21);
    const frames = new FrameService(secrets, (id) => index.event(id));
    const keys = s.keysOf(device);
    const set = await frames.setKey(
      device.appId,
      device.deviceId,
      'nwk_s_key',
      keys.nwk_s_key!.toLowerCase().match(/../g)!.join(':'),
    );
    expect(set).toEqual({
      ok: true,
      value: { applicationId: device.appId, deviceId: device.deviceId, set: ['nwk_s_key'] },
    });
    const stored = await secrets.get(deviceAccount(device.appId, device.deviceId));
    expect(stored.ok && JSON.parse(stored.value!)).toEqual({ nwk_s_key: keys.nwk_s_key });
    expect((await frames.setKey(device.appId, device.deviceId, 'app_s_key', 'not hex')).ok).toBe(false);

    const view = await frames.decodeEvent(ids.get('ns.up.data.receive')!);
    if (!view.ok) throw new Error(view.error.message);
    expect(view.value.frame).toMatchObject({ mic: 'valid', frm_payload_decrypted: false });
    expect(view.value.keys).toEqual(['nwk_s_key']);
    expect(JSON.stringify(view.value)).not.toContain(keys.nwk_s_key);

    await frames.clearKeys(device.appId, device.deviceId);
    const after = await secrets.get(deviceAccount(device.appId, device.deviceId));
    expect(after.ok && after.value).toBeUndefined();
  });

  it('with only the AppKey: the session keys from the join in the capture check the MIC and decrypt', async () => {
    const secrets = new MemorySecretStore();
    const { s, device, ids } = await capture('r', 22);
    const frames = new FrameService(
      secrets,
      (id) => index.event(id),
      joinLookup(() => captureJoins(index)),
    );
    await frames.setKey(device.appId, device.deviceId, 'app_key', s.keysOf(device).app_key!);
    const view = await frames.decodeEvent(ids.get('ns.up.data.receive')!);
    if (!view.ok) throw new Error(view.error.message);
    expect(view.value.frame).toMatchObject({ mic: 'valid', frm_payload_decrypted: true });
    expect(view.value.note).toMatch(/derived from the root key and the join-accept of 2026-01-01/);
    expect(view.value.keys).toEqual(['app_key']);
    // Nothing derived was stored.
    expect(Object.keys(JSON.parse(secrets.secrets.get(deviceAccount(device.appId, device.deviceId))!))).toEqual([
      'app_key',
    ]);

    const wrong = new FrameService(
      new MemorySecretStore(),
      (id) => index.event(id),
      joinLookup(() => captureJoins(index)),
    );
    await wrong.setKey(device.appId, device.deviceId, 'app_key', '00'.repeat(16));
    const bad = await wrong.decodeEvent(ids.get('ns.up.data.receive')!);
    if (!bad.ok) throw new Error(bad.error.message);
    // Keys from a join-accept the wrong key cannot prove would be wrong keys: not "MIC invalid", but why not.
    expect(bad.value.frame).toMatchObject({ mic: 'unchecked', frm_payload_decrypted: false });
    expect(bad.value.frame?.mic_reason).toMatch(/only from a join-accept whose MIC the root key proves/);
    expect(bad.value.note).toMatch(
      /^No session keys from the join-accept of 2026-01-01.*: The join-accept's MIC does not verify with the root key/,
    );
  });

  it('with only the AppKey and an application stream: the join-accept is found on the gateway that sent it', async () => {
    // An application's stream gets only the device events that propagate to it, and none of those carries
    // the join-accept's frame; the gateways' streams carry it, naming no device, with the request's uplink ID.
    const secrets = new MemorySecretStore();
    const { s, device, ids } = await capture('a', 23, (e) => e.propagates || !e.name.startsWith('ns.'));
    expect([...ids.keys()]).not.toContain('ns.down.join.schedule.attempt');
    const frames = new FrameService(
      secrets,
      (id) => index.event(id),
      joinLookup(() => captureJoins(index)),
    );
    await frames.setKey(device.appId, device.deviceId, 'app_key', s.keysOf(device).app_key!);
    const up = ids.get('gs.up.receive')!;
    // The gateway's uplink names only a DevAddr: opening the device's forwarded uplink teaches it.
    expect((await frames.decodeEvent(ids.get('as.up.data.forward')!)).ok).toBe(true);
    const view = await frames.decodeEvent(up);
    if (!view.ok) throw new Error(view.error.message);
    expect(view.value.frame).toMatchObject({ mic: 'valid' });
    expect(view.value.note).toMatch(/derived from the root key and the join-accept of 2026-01-01/);
  });
});
