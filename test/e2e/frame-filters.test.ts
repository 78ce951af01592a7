/**
 * `mic:` and `mac:` filters end to end (#18): the stack sends real frames of two devices; one device's
 * right NwkSKey and the other's wrong one are entered in the Frame tab; `mic:fail` then lists only the
 * frames of the device whose MIC does not check, `mac:LinkADRReq` only the downlink that carried the NS's
 * LinkADR request (in FOpts, after `ns.mac.link_adr.request`), and `mac:LinkADRAns` the device's answer.
 * The window asks main's decoder for these verdicts (frames:facts); nothing is decoded in the page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright';
import { launchChromium } from '../helpers/browser.js';
import { startTestHarness } from '../helpers/harness.js';
import { addStream, closeProfiles, createProfile, openProfiles, rows } from '../helpers/ui.js';
import { startStack, type StackHandle } from '../../src-main/core/stack/server.js';
import { stackDeviceKeys } from '../../src-main/core/stack/device-keys.js';
import { deviceAccount } from '../../src-main/core/frames/frame-service.js';
import { KeytarSecretStore } from '../../src-main/core/secrets/secret-store.js';

describe('mic: and mac: filters over the stack’s frames', () => {
  let browser: Browser;
  let harness: Awaited<ReturnType<typeof startTestHarness>>;
  let page: Page;
  let lab: StackHandle;
  const wire: string[] = [];
  const detail = () => page.getByLabel('Event detail');
  const frame = () => detail().getByLabel('Frame', { exact: true });
  const filter = (q: string) => page.getByLabel('Filter', { exact: true }).fill(q);
  /** Text of every event row in view. */
  const listed = async () =>
    (await page.getByRole('grid', { name: 'Event list' }).getByRole('row').allTextContents()).filter((t) =>
      /eui-/.test(t),
    );

  async function setNwkSKey(deviceId: string, hex: string) {
    await filter(`ns.up.data.process device:${deviceId}`);
    // The filter applies after a short pause: wait until the list is that device's.
    await expect.poll(async () => (await listed()).every((t) => t.includes(deviceId))).toBe(true);
    await rows(page, 'ns.up.data.process').first().click();
    await detail().getByRole('tab', { name: 'Frame' }).click();
    const form = frame().getByRole('form', { name: 'Device keys' });
    await expect.poll(() => form.textContent()).toContain(`Keys of ${deviceId}`);
    const key = form.getByLabel('Key', { exact: true });
    const label = (await key.locator('option').allTextContents()).find((t) => t.startsWith('NwkSKey'))!;
    await key.selectOption({ label });
    await form.getByLabel('Key value').fill(hex);
    await form.getByRole('button', { name: /^(Set|Replace)$/ }).click();
    await expect.poll(() => form.getByLabel('Key value').inputValue()).toBe('');
  }

  /**
   * Device keys live in the OS keychain, which outlives a test: start without this stack's devices' keys
   * and leave none behind (test/e2e/frames.test.ts expects its device to have none at first).
   */
  const forgetKeys = async () => {
    const keychain = new KeytarSecretStore();
    for (const d of ['eui-70b3d57ed0000001', 'eui-70b3d57ed0000002'])
      await keychain.delete(deviceAccount('demo-app', d));
  };

  beforeAll(async () => {
    await forgetKeys();
    lab = await startStack({ seed: 51, rate: 0, store: { enabled: false }, scenario: { devices: 2, gateways: 1 } });
    harness = await startTestHarness({ onMessage: (direction, text) => direction === 'in' && wire.push(text) });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(harness.url);
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
    await lab?.close();
    await forgetKeys();
  });

  it('mic:fail lists only the frames whose MIC is wrong for the keys entered', async () => {
    await openProfiles(page);
    await createProfile(page, 'Lab', lab.url, lab.demoKey);
    await closeProfiles(page);
    const [a, b] = [lab.scenario.devices[0]!, lab.scenario.devices[1]!];
    await addStream(page, {
      server: 'Lab',
      kind: 'device',
      application: a.appId,
      ids: `${a.deviceId}, ${b.deviceId}`,
      preset: 'verbose',
    });
    await expect.poll(() => page.getByLabel('Status').textContent(), { timeout: 15_000 }).toMatch(/live/);
    const s = lab.scenario;
    for (const flow of [
      s.flow('join', a),
      s.flow('join', b),
      s.flow('uplink', a),
      s.flow('uplink', b),
      s.flow('mac', a),
      s.flow('downlink', a),
      s.flow('uplink', a),
      s.flow('uplink', b),
    ])
      lab.publish(flow);
    await expect.poll(() => rows(page, 'ns.up.data.process').count(), { timeout: 20_000 }).toBe(5);

    await setNwkSKey(a.deviceId, stackDeviceKeys(51, a.devEui).nwk_s_key!);
    await expect.poll(() => frame().getByRole('status').textContent()).toBe('MIC valid');
    await setNwkSKey(b.deviceId, stackDeviceKeys(52, b.devEui).nwk_s_key!);
    await expect.poll(() => frame().getByRole('status').textContent()).toBe('MIC invalid');

    await filter('mic:fail');
    const onlyB = (l: string[]) => l.length >= 3 && l.every((t) => t.includes(b.deviceId) && !t.includes(a.deviceId));
    await expect.poll(async () => onlyB(await listed()), { timeout: 15_000 }).toBe(true);
    const failed = await listed();
    // Both of b's uplinks, as the NS received and processed them.
    expect(failed.filter((t) => t.includes('ns.up.data.process'))).toHaveLength(2);
    await page.screenshot({ path: 'test-results/filter-mic-fail.png' });
    // The window asked main; the keys never came to it.
    expect(wire.some((m) => m.includes('"frames:facts"'))).toBe(true);

    await filter('mic:valid dir:up');
    await expect
      .poll(async () => {
        const l = await listed();
        return l.length >= 3 && l.every((t) => t.includes(a.deviceId));
      })
      .toBe(true);
  });

  it('mac:LinkADRReq lists the downlink that carried the request, mac:LinkADRAns the answer', async () => {
    const a = lab.scenario.devices[0]!;
    await filter('mac:LinkADRReq');
    const all = (l: string[], test: (t: string) => boolean) => l.length > 0 && l.every(test);
    await expect
      .poll(async () => all(await listed(), (t) => t.includes(a.deviceId) && /\.down\./.test(t)), { timeout: 15_000 })
      .toBe(true);
    const req = await listed();
    expect(req.some((t) => t.includes('ns.down.data.schedule.attempt'))).toBe(true);
    await page.screenshot({ path: 'test-results/filter-mac-linkadrreq.png' });
    await filter('mac:LinkADRAns');
    await expect
      .poll(async () => all(await listed(), (t) => t.includes(a.deviceId) && /\.up\./.test(t)), { timeout: 15_000 })
      .toBe(true);
    // A term the decoder cannot answer is explained in the bar, not silently empty.
    await filter('mic:perhaps');
    await expect.poll(() => page.locator('#filter-error').textContent()).toMatch(/mic takes valid/);
  });
});
