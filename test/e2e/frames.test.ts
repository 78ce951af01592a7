/**
 * Frames end to end (#18): the built-in stack sends frames encrypted and signed with its devices' keys
 * (stackDeviceKeys, fixed by the seed); with the keys entered in the window the Frame tab shows the MIC
 * valid and the payload decrypted (the same bytes the Application Server forwarded), with a wrong key
 * "MIC invalid". A join-accept read with a wrong AppKey has its fields marked unverified, with the right one
 * its CFList in MHz. The keys never come back: not in any message main sends, the page, the logs or the files.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { readdirSync, readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright';
import { launchChromium } from '../helpers/browser.js';
import { startTestHarness } from '../helpers/harness.js';
import { addStream, rows } from '../helpers/ui.js';
import { stackDeviceKeys } from '../../src-main/core/stack/device-keys.js';

describe('frames decoded with device keys from the keychain', () => {
  let browser: Browser;
  let harness: Awaited<ReturnType<typeof startTestHarness>>;
  let page: Page;
  const wire: { direction: 'in' | 'out'; text: string }[] = [];
  const logs: string[] = [];
  const pageTexts: string[] = [];
  const used: string[] = [];
  const snapshot = async () => {
    pageTexts.push(
      await page.evaluate(
        () =>
          document.body.innerText +
          '\n' +
          Array.from(document.querySelectorAll('input, textarea'))
            .map((e) => (e as HTMLInputElement).value)
            .join('\n'),
      ),
    );
  };
  const detail = () => page.getByLabel('Event detail');
  const frame = () => detail().getByLabel('Frame', { exact: true });

  async function setDeviceKey(label: RegExp, hex: string) {
    const form = frame().getByRole('form', { name: 'Device keys' });
    await form.getByLabel('Key', { exact: true }).selectOption({
      label: (await form.getByLabel('Key', { exact: true }).locator('option').allTextContents()).find((t) =>
        label.test(t),
      )!,
    });
    await form.getByLabel('Key value').fill(hex);
    await snapshot(); // the field holds the key until it is sent: not part of the audit below
    pageTexts.pop();
    await form.getByRole('button', { name: /^(Set|Replace)$/ }).click();
    await expect.poll(() => form.getByLabel('Key value').inputValue()).toBe('');
    used.push(hex);
  }

  beforeAll(async () => {
    harness = await startTestHarness({
      onMessage: (direction, text) => wire.push({ direction, text }),
      log: (m) => logs.push(m),
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(harness.url);
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
  });

  let deviceId = '';
  let fCnt = '';
  let payload = '';

  it("without keys: the frame's fields and bytes, the MIC not checked", async () => {
    // A device stream: the NS's events (which carry the raw frame) reach device subscriptions only.
    await addStream(page, { kind: 'device', application: 'demo-app', ids: 'eui-70b3d57ed0000001', preset: 'verbose' });
    await expect.poll(() => rows(page, 'ns.up.data.process').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    await page.getByLabel('Filter', { exact: true }).fill('ns.up.data.process');
    await rows(page, 'ns.up.data.process').first().click();
    await detail().getByRole('tab', { name: 'Frame' }).click();
    await expect.poll(() => frame().textContent()).toContain('MIC not checked');
    const text = (await frame().textContent())!;
    expect(text).toMatch(/UNCONFIRMED_UP|CONFIRMED_UP/);
    expect(text).toContain('Payload (encrypted)');
    expect(
      await frame().getByRole('grid', { name: 'Frame bytes' }).getByRole('gridcell').count(),
    ).toBeGreaterThanOrEqual(14);
    deviceId = /Keys of (eui-[0-9a-f]{16})/.exec(text)![1]!;
    fCnt = /FCnt (\d+)/.exec(text)![1]!;
  });

  it('a wrong NwkSKey: "MIC invalid"', async () => {
    const keys = stackDeviceKeys(7, deviceId.slice(4).toUpperCase());
    const wrong = stackDeviceKeys(8, deviceId.slice(4).toUpperCase()).nwk_s_key!;
    expect(wrong).not.toBe(keys.nwk_s_key);
    await setDeviceKey(/^NwkSKey/, wrong);
    await expect.poll(() => frame().getByRole('status').textContent()).toBe('MIC invalid');
    await snapshot();
  });

  it('the device\'s keys: "MIC valid" and the payload the Application Server forwarded, decrypted', async () => {
    const keys = stackDeviceKeys(7, deviceId.slice(4).toUpperCase());
    await setDeviceKey(/^NwkSKey/, keys.nwk_s_key!);
    await expect.poll(() => frame().getByRole('status').textContent()).toBe('MIC valid');
    await setDeviceKey(/^AppSKey/, keys.app_s_key!);
    await expect.poll(() => frame().textContent()).toContain('Payload (decrypted)');
    payload = (await frame().getByLabel('Payload').textContent())!.trim();
    expect(payload).toMatch(/^[0-9A-F]{4,}$/);
    await expect
      .poll(() => frame().getByRole('form', { name: 'Device keys' }).textContent())
      .toMatch(/NwkSKey.*AppSKey/);
    await snapshot();
    await page.screenshot({ path: 'test-results/frame-tab.png' });
    // The LoRaWAN summary says it too, in short.
    await detail().getByRole('tab', { name: 'LoRaWAN' }).click();
    await expect
      .poll(() => detail().getByLabel('Frame summary').textContent())
      .toMatch(new RegExp(`MIC valid\\s*· payload decrypted: ${payload}`));

    // The same uplink as the AS forwarded it, in clear.
    await page.getByLabel('Filter', { exact: true }).fill(`as.up.data.forward device:${deviceId} f_cnt:${fCnt}`);
    await rows(page, 'as.up.data.forward').first().click();
    await detail().getByRole('tab', { name: 'LoRaWAN' }).click();
    await expect.poll(() => detail().getByLabel('LoRaWAN summary').textContent()).toContain(payload);
    await snapshot();
  });

  it('a join-accept read with a wrong AppKey is marked unverified; with the right one, its CFList in MHz', async () => {
    await page.getByLabel('Filter', { exact: true }).fill('ns.down.join.schedule.attempt');
    await rows(page, 'ns.down.join.schedule.attempt').first().click();
    await detail().getByRole('tab', { name: 'Frame' }).click();
    await expect.poll(() => frame().textContent()).toContain('JOIN_ACCEPT');
    const fields = frame().getByRole('table', { name: 'Decoded fields' });
    const unverified = frame().getByRole('note', { name: 'Unverified join-accept' });
    // Any key "decrypts" it: the DevAddr read with another seed's AppKey must not pass for the device's.
    await setDeviceKey(/^AppKey/, stackDeviceKeys(8, deviceId.slice(4).toUpperCase()).app_key!);
    await expect.poll(() => frame().getByRole('status').textContent()).toBe('MIC invalid');
    await expect.poll(() => unverified.count()).toBe(1);
    expect(await unverified.textContent()).toMatch(/Do not copy them/);
    expect(await fields.textContent()).toMatch(/DevAddr \(unverified\).*CFList \(unverified\)/);
    await snapshot();
    await page.screenshot({ path: 'test-results/frame-join-accept-unverified.png' });

    await setDeviceKey(/^AppKey/, stackDeviceKeys(7, deviceId.slice(4).toUpperCase()).app_key!);
    await expect.poll(() => frame().getByRole('status').textContent()).toBe('MIC valid');
    expect(await unverified.count()).toBe(0);
    const text = (await fields.textContent())!;
    expect(text).not.toContain('unverified');
    // The stack's join-accept gives EU868's five extra channels.
    expect(text).toContain('867.1, 867.3, 867.5, 867.7, 867.9 MHz');
    await snapshot();
  });

  it('the device keys appear in no message main sent, no page text, no log, no file', async () => {
    const outbound = wire
      .filter((m) => m.direction === 'out')
      .map((m) => m.text)
      .join('\n');
    const inbound = wire
      .filter((m) => m.direction === 'in' && !m.text.includes('"frames:set-key"'))
      .map((m) => m.text)
      .join('\n');
    const files = readdirSync(harness.dataDir, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => readFileSync(path.join(d.parentPath, d.name), 'latin1'))
      .join('\n');
    expect(wire.filter((m) => m.text.includes('"frames:set-key"')).length).toBe(5);
    expect(outbound).toContain('"mic":"valid"');
    expect(used).toHaveLength(5);
    for (const k of used) {
      for (const form of [k, k.toLowerCase()]) {
        expect(outbound).not.toContain(form);
        expect(inbound).not.toContain(form);
        expect(pageTexts.join('\n')).not.toContain(form);
        expect(logs.join('\n')).not.toContain(form);
        expect(files).not.toContain(form);
      }
    }
  });
});
