/**
 * The rough edges a new user hit (#16): each test fails on the behaviour they reported.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright';
import { launchChromium } from '../helpers/browser.js';
import { startTestHarness } from '../helpers/harness.js';
import { addStream, closeProfiles, createProfile, openProfiles, rows } from '../helpers/ui.js';
import { generateApiKey } from '../../src-main/core/stack/server.js';

describe('rough edges a new user hit', () => {
  let browser: Browser;
  let harness: Awaited<ReturnType<typeof startTestHarness>>;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    harness = await startTestHarness();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(harness.url);
    await page.getByText('No events yet').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
  });

  it('switching the entity from application to device does not keep the application ID as a device ID (finding 6)', async () => {
    await page.getByRole('button', { name: '+ Stream' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a stream' });
    await expect.poll(() => dialog.getByLabel('Entity IDs').inputValue()).toBe('demo-app');
    await dialog.getByLabel('Entity kind').selectOption('device');
    expect(await dialog.getByLabel('Entity IDs').inputValue()).toBe('');
    expect(await dialog.getByLabel('Application ID').inputValue()).toBe('demo-app');
    await dialog.getByRole('button', { name: 'Start stream' }).click();
    await expect.poll(() => dialog.textContent()).toContain('Enter at least one device ID.');
    expect(await page.getByLabel('Streams', { exact: true }).textContent()).not.toContain('demo-app');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  it('asks before closing a workspace that streams, and reopens it with its stream (finding 8)', async () => {
    await addStream(page, { preset: 'verbose' });
    await expect.poll(() => rows(page, /\w/).count(), { timeout: 20_000 }).toBeGreaterThan(2);
    await page.getByRole('button', { name: 'Close Workspace 1' }).click();
    const confirm = page.getByRole('dialog', { name: 'Close workspace' });
    await expect.poll(() => confirm.textContent()).toMatch(/1 stream stop.*stay on disk/);
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    expect(await page.getByRole('tab', { name: 'Workspace 1' }).count()).toBe(1);
    expect(await page.getByLabel('Status').textContent()).toContain('live');

    await page.getByRole('button', { name: 'Close Workspace 1' }).click();
    await confirm.getByRole('button', { name: 'Close workspace' }).click();
    await expect.poll(() => page.getByRole('tab', { name: 'Workspace 1' }).count()).toBe(0);
    expect(await page.getByRole('tab').allTextContents()).toEqual(['Workspace 2']);
    const notice = page.getByRole('status', { name: 'Notice' });
    await expect.poll(() => notice.textContent()).toContain('Closed “Workspace 1”.');
    await notice.getByRole('button', { name: 'Reopen' }).click();
    await expect.poll(() => page.getByRole('tab', { name: 'Workspace 1' }).getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => page.getByLabel('Status').textContent(), { timeout: 15_000 }).toContain('live');
    await expect.poll(() => rows(page, /\w/).count(), { timeout: 20_000 }).toBeGreaterThan(2);
  });

  it('a stream the user stopped is not shown in alarm red (finding 10)', async () => {
    const chips = page.getByLabel('Streams', { exact: true });
    await chips.getByRole('button', { name: 'Stop' }).first().click();
    const state = chips.locator('.chip .state').first();
    await expect.poll(() => state.textContent()).toBe('stopped');
    const [color, error] = await state.evaluate((el) => [
      getComputedStyle(el).color,
      getComputedStyle(document.documentElement).getPropertyValue('--error').trim(),
    ]);
    const hex = (rgb: string) =>
      '#' +
      rgb
        .match(/\d+/g)!
        .slice(0, 3)
        .map((n) => Number(n).toString(16).padStart(2, '0'))
        .join('');
    expect(hex(color!)).not.toBe(error);
    expect(await page.getByLabel('Status').textContent()).not.toMatch(/Fix the key/);
  });

  it("the capture overview draws a count of none in the legend colour, not in the strip's alarm colours", async () => {
    const legend = page.getByRole('group', { name: 'Capture overview' }).locator('.legend');
    const colorOf = (text: RegExp) => legend.getByText(text).evaluate((el) => getComputedStyle(el).color);
    const muted = await legend.evaluate((el) => getComputedStyle(el).color);
    // The stream stopped above had no gap; whether an error came before it stopped depends on timing.
    expect(await colorOf(/^0 gaps$/)).toBe(muted);
    const errors = Number((await legend.getByText(/^\d+ errors?$/).textContent())!.split(' ')[0]);
    if (errors === 0) expect(await colorOf(/^0 errors$/)).toBe(muted);
    else expect(await colorOf(/^\d+ errors?$/)).not.toBe(muted);
  });

  it('an invalid filter says which filter still applies (finding 10)', async () => {
    const input = page.locator('#filter-input');
    await input.fill('ns.up');
    await page.waitForTimeout(400); // the filter applies 120 ms after the last keystroke
    await input.fill('ns.up AND (');
    await expect
      .poll(() => page.locator('#filter-error').textContent())
      .toContain('still applies the last valid filter ns.up');
    await input.fill('');
  });

  it('j and k move through the list when nothing has the focus (Esc left the filter)', async () => {
    const grid = page.getByRole('grid', { name: 'Event list' });
    // Enter applies the emptied filter at once (the test above leaves it to the debounce).
    await page.locator('#filter-input').press('Enter');
    await expect.poll(() => page.locator('#filter-error').count()).toBe(0);
    await page.keyboard.press('Escape');
    expect(await page.evaluate(() => document.activeElement === document.body)).toBe(true);
    // The selected row, by its exact time (to the nanosecond) and what it says.
    const selected = async () => {
      const row = grid.locator('[aria-selected="true"]');
      return (await row.count())
        ? `${await row.locator('.time').getAttribute('title')} ${await row.textContent()}`
        : null;
    };
    await page.keyboard.press('j');
    await expect.poll(selected).not.toBeNull();
    expect(await grid.evaluate((el) => el === document.activeElement)).toBe(true);
    const first = await selected();
    await page.keyboard.press('j');
    await expect.poll(selected).not.toBe(first);
    await page.keyboard.press('k');
    await expect.poll(selected).toBe(first);
    // Not under a dialog.
    await page.keyboard.press('?');
    const sheet = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await sheet.getByRole('heading', { name: 'Keyboard shortcuts' }).click();
    await page.keyboard.press('j');
    await page.waitForTimeout(200);
    expect(await selected()).toBe(first);
    await page.keyboard.press('Escape');
    await expect.poll(() => sheet.count()).toBe(0);
  });

  it('names a new workspace so that no two tabs share a name (finding 10)', async () => {
    await page.getByRole('button', { name: 'New workspace' }).click();
    await page.getByRole('button', { name: 'New workspace' }).click();
    const names = await page.getByRole('tab').allTextContents();
    expect(new Set(names).size).toBe(names.length);
  });

  it('a read-only workspace gets no stream from the a shortcut (finding 5)', async () => {
    const text =
      '{"name":"as.up.data.forward","time":"2026-11-29T10:00:00Z","identifiers":[],"data":{},"unique_id":"01"}\n';
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: 'Open…' }).click(),
    ]);
    await chooser.setFiles({ name: 'one.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(text) });
    await expect.poll(() => page.getByRole('tab', { name: 'one.ndjson' }).getAttribute('aria-selected')).toBe('true');
    await page.getByRole('grid', { name: 'Event list' }).focus();
    await page.keyboard.press('a');
    await page.waitForTimeout(200);
    expect(await page.getByRole('dialog', { name: 'Add a stream' }).count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('an empty list whose stream cannot connect says why, not "Waiting for events"', async () => {
    await page.getByRole('button', { name: 'New workspace' }).click();
    await openProfiles(page);
    // Port 9 (discard): nothing listens there.
    await createProfile(page, 'Nowhere', 'http://127.0.0.1:9', generateApiKey());
    await closeProfiles(page);
    await addStream(page, { server: 'Nowhere', ids: 'my-app' });
    const list = page.getByRole('region', { name: 'Events' });
    await expect
      .poll(() => list.textContent(), { timeout: 15_000 })
      .toContain('no stream of this workspace is connected');
    expect(await list.textContent()).toMatch(/Nowhere · my-app: retrying in \d+ s: Nothing is listening/);
    expect(await list.textContent()).not.toContain('Waiting for events');
    await page.screenshot({ path: 'test-results/empty-not-connected.png' });
  });

  it('with many workspaces the tabs keep their names and scroll, and the active tab is always whole in view', async () => {
    const strip = page.getByRole('tablist', { name: 'Workspaces' });
    const whole = async () => {
      const s = (await strip.boundingBox())!;
      const t = (await page.getByRole('tab', { selected: true }).boundingBox())!;
      return t.width > 20 && t.x >= s.x - 0.5 && t.x + t.width <= s.x + s.width + 0.5;
    };
    while ((await page.getByRole('tab').count()) < 16) {
      await page.getByRole('button', { name: 'New workspace' }).click();
      await expect.poll(whole).toBe(true);
    }
    // Scrolled, each name whole ("Workspace 12" and "Workspace 13" differ at their end).
    expect(await strip.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    for (const name of await strip.locator('.name').all())
      expect(await name.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    const plus = (await page.getByRole('button', { name: 'New workspace' }).boundingBox())!;
    expect(plus.x + plus.width).toBeLessThanOrEqual(
      (await page.getByRole('button', { name: '+ Stream' }).boundingBox())!.x,
    );
    await page.locator('body').click({ position: { x: 600, y: 500 } });
    await page.keyboard.press('Alt+1');
    await expect.poll(() => page.getByRole('tab').first().getAttribute('aria-selected')).toBe('true');
    await expect.poll(whole).toBe(true);
    await page.keyboard.press('[');
    await expect.poll(() => page.getByRole('tab').last().getAttribute('aria-selected')).toBe('true');
    await expect.poll(whole).toBe(true);
    await page.screenshot({ path: 'test-results/many-workspaces.png' });
  });
});
