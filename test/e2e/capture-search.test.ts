/**
 * A filter searches the whole capture. The view holds a file's newest 100,000 entries; a device seen only
 * at the file's start was "0 shown" before, and "No event in view matches the filter" while main's index
 * held 3,000 of its events.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright';
import { launchChromium } from '../helpers/browser.js';
import { startTestHarness } from '../helpers/harness.js';
import { rows } from '../helpers/ui.js';

const EVENTS = 130_000;
const OLD = 3_000;

/** An uplink event of a device at second `i` after the start (the first `OLD` are `old-dev`'s). */
function line(i: number): string {
  const device = i < OLD ? 'old-dev' : `dev-${i % 20}`;
  return JSON.stringify({
    name: 'as.up.data.forward',
    time: new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString(),
    identifiers: [{ device_ids: { device_id: device, application_ids: { application_id: 'field' } } }],
    unique_id: `01K${String(i).padStart(23, '0')}`,
  });
}

describe('a filter over a capture larger than the view', () => {
  const files = mkdtempSync(path.join(os.tmpdir(), 'event-desk-e2e-search-'));
  const file = path.join(files, 'week.ndjson');
  let browser: Browser;
  let harness: Awaited<ReturnType<typeof startTestHarness>>;
  let page: Page;
  const count = () => page.getByText(/ shown$/).textContent();

  beforeAll(async () => {
    writeFileSync(file, Array.from({ length: EVENTS }, (_, i) => line(i)).join('\n') + '\n');
    harness = await startTestHarness();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(harness.url);
    await page.getByText('No events yet').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
    rmSync(files, { recursive: true, force: true });
  });

  it("finds a device's events older than the view's newest 100,000 entries", async () => {
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: 'Open…' }).click(),
    ]);
    await chooser.setFiles(file);
    await expect.poll(count, { timeout: 60_000 }).toBe('100,000 shown');
    const bar = page.getByText(/The view shows the newest 100,000 entries/);
    await expect
      .poll(() => bar.innerText())
      .toMatch(/capture on disk holds older ones\. A filter searches all of them/);

    await page.getByLabel('Filter', { exact: true }).fill('device:old-dev');
    await page.getByLabel('Filter', { exact: true }).press('Enter');
    const found = page.getByTestId('older-matches');
    await expect
      .poll(() => found.innerText(), { timeout: 20_000 })
      .toMatch(/^\s*3,000 matches from the capture on disk, older than the view's newest 100,000 entries\.\s*$/);
    expect(await count()).toBe('3,000 (3,000 older than the view) shown');
    expect(await rows(page, /./).first().textContent()).toContain('old-dev');
    await page.screenshot({ path: 'test-results/capture-search-older.png' });

    // A device with events in view and before it: both, each once.
    await page.getByLabel('Filter', { exact: true }).fill('device:dev-7');
    await page.getByLabel('Filter', { exact: true }).press('Enter');
    await expect
      .poll(() => found.innerText(), { timeout: 20_000 })
      .toMatch(/^\s*1,350 matches from the capture on disk, older than the view's/);
    // dev-7 sends every 20th event from the 3,000th on: 1,350 before the view's first entry (the 30,000th).
    expect(await count()).toBe('6,350 (1,350 older than the view) shown');

    // Nothing anywhere: the list says so for the whole capture, not only for the view.
    await page.getByLabel('Filter', { exact: true }).fill('device:nobody');
    await page.getByLabel('Filter', { exact: true }).press('Enter');
    await expect.poll(() => page.getByText('No event in the capture matches the filter.').count()).toBe(1);
    expect(await found.innerText()).toMatch(/No older event in the capture matches the filter/);

    await page.getByLabel('Filter', { exact: true }).fill('');
    await page.getByLabel('Filter', { exact: true }).press('Enter');
    await expect.poll(count).toBe('100,000 shown');
    expect(await found.count()).toBe(0);

    // A time window dragged on the overview over the file's first tenth (the view starts at 23 %): its events.
    const over = page.getByTestId('overview-strip').locator('.u-over');
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.1, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    await expect.poll(() => page.getByLabel('Filter', { exact: true }).inputValue()).toMatch(/^time>=\S+ time<\S+$/);
    await expect.poll(() => found.innerText(), { timeout: 20_000 }).toMatch(/^\s*[\d,]+ matches from the capture/);
    const inWindow = Number((await count())!.split(' ')[0]!.replace(/,/g, ''));
    expect(inWindow).toBeGreaterThan(10_000);
    expect(inWindow).toBeLessThan(14_000);
    expect(await count()).toBe(
      `${inWindow.toLocaleString('en')} (${inWindow.toLocaleString('en')} older than the view) shown`,
    );
    await page.screenshot({ path: 'test-results/capture-search-window.png' });
  });
});
