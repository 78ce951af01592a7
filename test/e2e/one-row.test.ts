/**
 * One event, one row (#14): an application stream and a device stream of one workspace both deliver
 * the device's events; each is one row that says both streams delivered it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright';
import { launchChromium } from '../helpers/browser.js';
import { startTestHarness } from '../helpers/harness.js';
import { addStream, closeProfiles, createProfile, openProfiles, rows } from '../helpers/ui.js';
import { startStack, type StackHandle } from '../../src-main/core/stack/server.js';

describe('the same event on two streams of a workspace', () => {
  let browser: Browser;
  let harness: Awaited<ReturnType<typeof startTestHarness>>;
  let page: Page;
  let lab: StackHandle;

  beforeAll(async () => {
    lab = await startStack({ seed: 41, rate: 0, scenario: { devices: 2, gateways: 1 } });
    harness = await startTestHarness();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    await page.goto(harness.url);
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
    await lab?.close();
  });

  it('is one row that names both streams', async () => {
    const device = lab.scenario.devices[0]!;
    await openProfiles(page);
    await createProfile(page, 'Lab', lab.url, lab.demoKey);
    await closeProfiles(page);
    await addStream(page, { server: 'Lab', kind: 'application', ids: device.appId });
    await addStream(page, { server: 'Lab', kind: 'device', application: device.appId, ids: device.deviceId });
    await expect.poll(() => rows(page, 'event-desk.stream-start').count(), { timeout: 20_000 }).toBe(2);
    const flow = lab.scenario.flow('uplink', device, 1);
    const uplinks = flow.filter((e) => e.name === 'as.up.data.forward').length;
    lab.publish(flow);
    const forwarded = rows(page, new RegExp(`${device.deviceId}.*as\\.up\\.data\\.forward`));
    await expect
      .poll(() => forwarded.locator('[aria-label="delivered by 2 streams"]').count(), { timeout: 20_000 })
      .toBe(uplinks);
    // Give a second copy time to show up, if the app made one.
    await page.waitForTimeout(500);
    expect(await forwarded.count()).toBe(uplinks);
    expect(await forwarded.first().locator('.server').getAttribute('title')).toMatch(
      new RegExp(`^Lab: ${device.appId}\\nLab: ${device.deviceId}$`),
    );
    expect(harness.core.index.retained(harness.core.streams.list()[0]!.spec.workspaceId)).toBeGreaterThan(0);
  });
});
