import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright';
import { launchChromium } from '../helpers/browser.js';
import { startTestHarness } from '../helpers/harness.js';
import { addStream, rows } from '../helpers/ui.js';

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

  it('shows an empty state that says what to do, with the Demo stack profile ready', async () => {
    await page.goto(harness.url);
    await expect.poll(() => page.getByText('No events yet').isVisible()).toBe(true);
    await page.getByRole('button', { name: '+ Stream' }).click();
    await expect
      .poll(() => page.getByRole('dialog', { name: 'Add a stream' }).getByLabel('Server').textContent())
      .toContain('Demo stack');
    await page.getByRole('dialog', { name: 'Add a stream' }).getByRole('button', { name: 'Cancel' }).click();
  });

  it('streams the demo stack and lists a join-accept and an uplink with the device ID', async () => {
    await addStream(page, { preset: 'verbose' });
    await expect.poll(() => rows(page, 'js.join.accept').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    await expect.poll(() => rows(page, 'as.up.data.forward').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    const uplinkRow = rows(page, 'as.up.data.forward').first();
    await expect.poll(async () => (await uplinkRow.textContent()) ?? '').toMatch(/eui-70b3d57ed00000\d\d/);
    await expect.poll(async () => (await uplinkRow.textContent()) ?? '').toMatch(/FPort 1 · FCnt \d+/);
    await expect.poll(() => page.getByLabel('Status').textContent()).toContain('live');
    await page.screenshot({ path: 'test-results/first-event.png' });
  });

  it('opens the full event from main when a row is selected', async () => {
    await rows(page, 'as.up.data.forward').first().click();
    const detail = page.getByLabel('Event detail');
    await expect.poll(() => detail.getByLabel('LoRaWAN summary').textContent()).toMatch(/DevEUI\s*70B3D57ED00000\d\d/);
    await detail.getByRole('tab', { name: 'JSON' }).click();
    await expect
      .poll(() => detail.getByRole('tree').textContent())
      .toContain('"type.googleapis.com/ttn.lorawan.v3.ApplicationUp"');
    await expect.poll(() => detail.getByRole('tree').textContent()).toContain('decoded_payload');
  });

  it('follows the OS dark theme', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe('rgb(30, 31, 34)');
    await page.screenshot({ path: 'test-results/dark.png' });
    await page.emulateMedia({ colorScheme: 'light' });
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(255, 255, 255)');
  });

  it('colours the JSON tree for the theme chosen in Settings, not only for the OS theme', async () => {
    const key = page.getByLabel('Event detail').getByRole('tree').locator('.key').first();
    const colour = () => key.evaluate((el) => getComputedStyle(el).color);
    expect(await colour()).toBe('rgb(130, 80, 223)');
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    const theme = page.getByRole('dialog', { name: 'Settings' }).getByRole('radiogroup', { name: 'Theme' });
    await theme.getByLabel('Dark').check();
    // The OS stays light: keys must still be the light-on-dark purple, not the dark purple on a dark background.
    await expect.poll(colour).toBe('rgb(210, 168, 255)');
    await theme.getByLabel('Follow the system').check();
    await expect.poll(colour).toBe('rgb(130, 80, 223)');
    await page.getByRole('dialog', { name: 'Settings' }).getByRole('button', { name: 'Close' }).click();
  });
});
