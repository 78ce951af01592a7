/**
 * Panes that fit (#16, finding 7 and the Layout bullet): the detail pane takes room only once an event
 * is selected, the split and the columns are the user's and are remembered, the status bar never
 * scrolls sideways and keeps errors on screen, at 1024×768 and at 1920×1080.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright';
import { launchChromium } from '../helpers/browser.js';
import { startTestHarness } from '../helpers/harness.js';
import { addStream, closeProfiles, createProfile, cutShowingEnd, openProfiles, rows } from '../helpers/ui.js';
import { startStack, type StackHandle } from '../../src-main/core/stack/server.js';

/** WCAG contrast ratio of an element's text against its background. */
const contrastOf = (page: Page, selector: string) =>
  page.evaluate((sel) => {
    const el = document.querySelector(sel)!;
    const parse = (c: string) =>
      c
        .match(/[\d.]+/g)!
        .slice(0, 3)
        .map(Number);
    const lum = (rgb: number[]) => {
      const [r, g, b] = rgb.map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    const style = getComputedStyle(el);
    const [a, b] = [lum(parse(style.color)), lum(parse(style.backgroundColor))].sort((x, y) => y - x);
    return (a! + 0.05) / (b! + 0.05);
  }, selector);

describe('layout', () => {
  let browser: Browser;
  let harness: Awaited<ReturnType<typeof startTestHarness>>;
  let page: Page;
  let lab: StackHandle;

  beforeAll(async () => {
    lab = await startStack({ seed: 3, rate: 0 });
    harness = await startTestHarness();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
    await page.goto(harness.url);
    await page.getByText('No events yet').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
    await lab?.close();
  });

  it('at 1024×768: no sideways scrolling, errors on screen, a readable preview, no empty detail pane', async () => {
    await addStream(page, { preset: 'verbose' });
    await addStream(page, { kind: 'gateway', ids: 'demo-gateway-1, demo-gateway-2', preset: 'verbose' });
    await openProfiles(page);
    await createProfile(page, 'Revoked', lab.url, 'NNSXS.REVOKED.KEY');
    await closeProfiles(page);
    await addStream(page, { server: 'Revoked', ids: 'demo-app', preset: 'verbose' });
    await expect.poll(() => rows(page, 'as.up.data.forward').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    const status = page.getByLabel('Status');
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toMatch(/3 streams: 2 live, 1 stopped/);
    // The stopped stream's error is on screen, with its fix-it button inside the window.
    const fix = status.getByRole('button', { name: 'Fix the key…' });
    await expect.poll(() => fix.isVisible()).toBe(true);
    const box = (await fix.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(1024);
    expect(await status.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    // Nothing selected: no detail pane, the list has the width, and the preview is readable.
    expect(await page.getByLabel('Event detail').count()).toBe(0);
    const preview = page.getByRole('columnheader', { name: /Preview/ });
    expect((await preview.boundingBox())!.width).toBeGreaterThan(300);
    await page.screenshot({ path: 'test-results/layout-1024.png' });
    // Per-stream detail in the popover.
    await status.getByRole('button', { name: /3 streams/ }).click();
    const details = page.getByRole('group', { name: 'Streams in detail' });
    await expect.poll(() => details.isVisible()).toBe(true);
    expect(await details.textContent()).toMatch(/demo-gateway-1, demo-gateway-2: live · \d+\.\d ev\/s/);
    await page.screenshot({ path: 'test-results/layout-1024-streams.png' });
    await page.keyboard.press('Escape');
  });

  it('opens the detail pane on a selection, keeps the preview readable, and closes it again', async () => {
    await rows(page, 'as.up.data.forward').first().click();
    await expect.poll(() => page.getByLabel('Event detail').count()).toBe(1);
    expect((await page.getByRole('columnheader', { name: /Preview/ }).boundingBox())!.width).toBeGreaterThanOrEqual(
      150,
    );
    // The pane's buttons keep their labels on one line, inside the pane; a cut server name ends in "…".
    const pane = (await page.getByLabel('Event detail').boundingBox())!;
    for (const name of ['Wide', 'Copy event']) {
      const button = page.getByLabel('Event detail').getByRole('button', { name, exact: true });
      const b = (await button.boundingBox())!;
      expect(b.height, name).toBeLessThan(32);
      expect(b.y, name).toBeGreaterThanOrEqual(pane.y);
      expect(b.x + b.width, name).toBeLessThanOrEqual(pane.x + pane.width);
    }
    const server = page.locator('.server-name').first();
    expect(await server.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    expect(await server.evaluate((el) => getComputedStyle(el).textOverflow)).toBe('ellipsis');
    // A cut entity keeps its end in sight (device IDs differ there).
    expect(await cutShowingEnd(page.locator('.row .entity').filter({ hasText: /^eui-/ }).first())).toBe(true);
    await page.screenshot({ path: 'test-results/layout-1024-detail.png' });
    await page.getByRole('button', { name: 'Close the detail pane' }).click();
    await expect.poll(() => page.getByLabel('Event detail').count()).toBe(0);
  });

  it('remembers the split and the chosen columns across a reload', async () => {
    await rows(page, 'as.up.data.forward').first().click();
    const splitter = page.getByRole('separator', { name: 'Resize the list and the detail pane' });
    const before = Number(await splitter.getAttribute('aria-valuenow'));
    await splitter.focus();
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowLeft');
    await expect.poll(async () => Number(await splitter.getAttribute('aria-valuenow'))).toBe(before - 10);

    await page.getByRole('button', { name: 'Choose columns' }).click();
    const chooser = page.getByRole('group', { name: 'Columns' });
    await expect.poll(() => chooser.isVisible()).toBe(true);
    await chooser.getByRole('checkbox', { name: /RSSI/ }).check();
    await chooser.getByRole('checkbox', { name: /FCnt/ }).check();
    await page.keyboard.press('Escape');
    await expect
      .poll(() => page.getByRole('region', { name: 'Events' }).getByRole('columnheader', { name: /^RSSI/ }).count())
      .toBe(1);
    await expect
      .poll(async () => (await rows(page, 'as.up.data.forward').first().textContent()) ?? '')
      .toMatch(/-\d{2,3}/);
    const grip = page.getByRole('separator', { name: 'Resize the Event column' });
    await grip.focus();
    await page.keyboard.press('Shift+ArrowRight');
    await expect.poll(() => grip.getAttribute('aria-valuenow')).toBe('260');
    await page.waitForTimeout(500); // the preferences save a moment after the last change

    await page.reload();
    await expect
      .poll(() => page.getByRole('region', { name: 'Events' }).getByRole('columnheader', { name: /^RSSI/ }).count())
      .toBe(1);
    expect(await page.getByRole('separator', { name: 'Resize the Event column' }).getAttribute('aria-valuenow')).toBe(
      '260',
    );
    await expect.poll(() => rows(page, 'as.up.data.forward').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    await rows(page, 'as.up.data.forward').first().click();
    expect(
      Number(
        await page
          .getByRole('separator', { name: 'Resize the list and the detail pane' })
          .getAttribute('aria-valuenow'),
      ),
    ).toBe(before - 10);
  });

  it('at 1920×1080 with the chain view: the list keeps its width; dark "+ Stream" is readable', async () => {
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.getByLabel('Event detail').getByRole('tab', { name: 'Chain' }).click();
    const list = page.getByRole('region', { name: 'Events' });
    expect((await list.boundingBox())!.width).toBeGreaterThan(700);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.screenshot({ path: 'test-results/layout-1920-chain.png' });
    await page.getByLabel('Event detail').getByRole('tab', { name: 'LoRaWAN' }).click();
    await page.screenshot({ path: 'test-results/layout-1920.png' });
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await contrastOf(page, '.tools .primary')).toBeGreaterThanOrEqual(4.5);
    await page.screenshot({ path: 'test-results/layout-1920-dark.png' });
    await page.emulateMedia({ colorScheme: 'light' });
  });
});
