import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright';
import { launchChromium } from '../helpers/browser.js';
import { startTestHarness } from '../helpers/harness.js';

describe('first live events on screen', () => {
  let browser: Browser;
  let harness: Awaited<ReturnType<typeof startTestHarness>>;
  let page: Page;

  beforeAll(async () => {
    harness = await startTestHarness();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
  });

  it('shows an empty state that says what to do', async () => {
    await page.goto(harness.url);
    await expect.poll(() => page.getByText('No events yet').isVisible()).toBe(true);
    await expect.poll(() => page.getByLabel('Server').inputValue()).toBe('demo');
  });

  it('streams the demo stack and lists a join-accept and an uplink with the device ID', async () => {
    await page.getByRole('button', { name: 'Start stream' }).click();
    const list = page.getByRole('grid');
    await expect.poll(() => list.getByText('js.join.accept').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    await expect.poll(() => list.getByText('as.up.data.forward').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    const uplinkRow = page.getByRole('row').filter({ hasText: 'as.up.data.forward' }).first();
    await expect.poll(async () => (await uplinkRow.textContent()) ?? '').toMatch(/eui-70b3d57ed00000\d\d/);
    await expect.poll(async () => (await uplinkRow.textContent()) ?? '').toMatch(/FPort 1 · FCnt \d+/);
    await expect.poll(() => page.getByLabel('Status').textContent()).toContain('live');
    await page.screenshot({ path: 'test-results/first-event.png' });
  });

  it('opens the full event from main when a row is selected', async () => {
    await page.getByRole('row').filter({ hasText: 'as.up.data.forward' }).first().click();
    const detail = page.getByLabel('Event detail');
    await expect.poll(() => detail.textContent()).toContain('"@type": "type.googleapis.com/ttn.lorawan.v3.ApplicationUp"');
    await expect.poll(() => detail.textContent()).toContain('"decoded_payload"');
  });
});
