/**
 * The settings page (#16): each setting changes what the user sees, and survives a reload.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright';
import { launchChromium } from '../helpers/browser.js';
import { startTestHarness } from '../helpers/harness.js';

describe('settings', () => {
  let browser: Browser;
  let harness: Awaited<ReturnType<typeof startTestHarness>>;
  let page: Page;
  const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

  beforeAll(async () => {
    harness = await startTestHarness();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
    await page.goto(harness.url);
    await page.getByText('No events yet').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
  });

  it('sets theme, time zone, default names filter and retention, and shows the data folder', async () => {
    await page.getByRole('button', { name: 'Settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    expect(await dialog.textContent()).toContain(harness.dataDir);
    await dialog.getByRole('radiogroup', { name: 'Theme' }).getByLabel('Dark').check();
    await expect.poll(bg).toBe('rgb(30, 31, 34)');
    await dialog
      .getByRole('radiogroup', { name: 'Time zone' })
      .getByLabel(/Times in local time/)
      .check();
    await dialog.getByLabel('Verbose (every event)').check();
    await dialog.getByLabel('RSSI (dBm) good from').fill('-80');
    await dialog.getByLabel('RSSI (dBm) good from').blur();
    await dialog.getByLabel('Events per stream').fill('500000');
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => dialog.getByRole('status').textContent()).toBe('Saved.');
    await page.screenshot({ path: 'test-results/settings.png' });
    await dialog.getByRole('button', { name: 'Close' }).click();

    expect(await page.getByRole('columnheader', { name: /Time/ }).first().textContent()).toContain('Time (local)');
    expect(await page.getByLabel('Status').textContent()).toContain('Retention: 500,000 events');
    await page.getByRole('button', { name: '+ Stream' }).click();
    expect(
      await page
        .getByRole('dialog', { name: 'Add a stream' })
        .getByLabel('Verbose: every event the key can see')
        .isChecked(),
    ).toBe(true);
    await page.keyboard.press('Escape');
  });

  it('keeps them across a reload', async () => {
    await page.waitForTimeout(500); // preferences save a moment after the last change
    await page.reload();
    await page.getByText('No events yet').waitFor();
    await expect.poll(bg).toBe('rgb(30, 31, 34)');
    await page.getByRole('button', { name: 'Settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    expect(await dialog.getByLabel('RSSI (dBm) good from').inputValue()).toBe('-80');
    await dialog.getByRole('radiogroup', { name: 'Theme' }).getByLabel('Follow the system').check();
    await expect.poll(bg).toBe('rgb(255, 255, 255)');
  });
});
