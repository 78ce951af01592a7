/**
 * The window around the workspaces (#16, desktop shell bullet, as far as the browser shows it): the
 * title names the workspace, and a workspace in the background gets a badge when a stream there stops.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright';
import { launchChromium } from '../helpers/browser.js';
import { startTestHarness } from '../helpers/harness.js';
import { addStream, closeProfiles, createProfile, openProfiles } from '../helpers/ui.js';
import { startStack, type StackHandle } from '../../src-main/core/stack/server.js';

describe('window title and tab badges', () => {
  let browser: Browser;
  let harness: Awaited<ReturnType<typeof startTestHarness>>;
  let page: Page;
  let lab: StackHandle;

  beforeAll(async () => {
    lab = await startStack({ seed: 9, rate: 5 });
    harness = await startTestHarness();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(harness.url);
    await page.getByText('No events yet').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
    await lab?.close();
  });

  it('names the workspace in the title and flags a background workspace whose stream stopped', async () => {
    await expect.poll(() => page.title()).toBe('Workspace 1 — Event Desk');
    await openProfiles(page);
    await createProfile(page, 'Lab', lab.url, lab.demoKey);
    await closeProfiles(page);
    await addStream(page, { server: 'Lab', preset: 'verbose' });
    await expect.poll(() => page.getByLabel('Status').textContent()).toMatch(/1 live/);
    await page.getByRole('button', { name: 'New workspace' }).click();
    await expect.poll(() => page.title()).toBe('Workspace 2 — Event Desk');

    lab.revokeKey(lab.demoKey);
    lab.killStreams();
    const first = page.getByRole('tab', { name: /Workspace 1/ });
    await expect.poll(() => first.getByRole('img', { name: 'stream stopped' }).count(), { timeout: 20_000 }).toBe(1);
    expect(
      await page
        .getByRole('tab', { name: /Workspace 2/ })
        .getByRole('img')
        .count(),
    ).toBe(0);
    await page.screenshot({ path: 'test-results/tab-badge.png' });

    await first.click();
    await expect.poll(() => page.title()).toBe('Workspace 1 — Event Desk');
    await expect.poll(() => first.getByRole('img', { name: 'stream stopped' }).count()).toBe(0);
    await expect
      .poll(() => page.getByLabel('Status').getByRole('button', { name: 'Fix the key…' }).isVisible())
      .toBe(true);
  });
});
