/**
 * A file that cannot be opened says why in a red banner on the tab it was opened from; the next file the
 * user opens replaces it, and other tabs never show it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { rmSync, writeFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright';
import { launchChromium } from '../helpers/browser.js';
import { startTestHarness } from '../helpers/harness.js';

describe('the banner of a file that could not be opened', () => {
  let browser: Browser;
  let harness: Awaited<ReturnType<typeof startTestHarness>>;
  let page: Page;
  const files: string[] = [];
  const scratch = (name: string, body: string | Buffer) => {
    const file = path.join(harness.dataDir, '..', `${path.basename(harness.dataDir)}-${name}`);
    writeFileSync(file, body);
    files.push(file);
    return file;
  };
  const open = async (file: string) => {
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: 'Open…' }).click(),
    ]);
    await chooser.setFiles(file);
  };
  // Any red banner (nothing else on this page raises one).
  const banner = () => page.getByRole('alert');
  const tab = (name: string | RegExp) => page.getByRole('tablist', { name: 'Workspaces' }).getByRole('tab', { name });

  beforeAll(async () => {
    harness = await startTestHarness();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
    await page.goto(harness.url);
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
    for (const f of files) rmSync(f, { force: true });
  });

  it('stays on its tab, and goes when the next file opens', async () => {
    const binary = scratch(
      'photo.bin',
      Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0, 1, 2, 3, 0, 0, 0, 0]),
    );
    // Once the app has its first tab (a file opened before then has no tab to show its failure on but the next).
    await expect.poll(() => tab('Workspace 1').getAttribute('aria-selected')).toBe('true');
    await open(binary);
    await expect.poll(() => banner().count()).toBe(1);
    await page.screenshot({ path: 'test-results/import-error-banner.png' });

    // Another tab does not show it; back on the first one it is still there.
    await page.getByRole('button', { name: 'New workspace' }).click();
    await expect.poll(() => tab('Workspace 2').getAttribute('aria-selected')).toBe('true');
    expect(await banner().count()).toBe(0);
    await tab('Workspace 1').click();
    expect(await banner().count()).toBe(1);

    // A file that opens takes its place: its tab, and the first one, show no banner.
    const good = scratch(
      'good.ndjson',
      JSON.stringify({ name: 'as.up.data.forward', time: '2026-01-01T00:00:00Z', unique_id: 'u1' }) + '\n',
    );
    await open(good);
    await expect.poll(() => tab(path.basename(good)).getAttribute('aria-selected')).toBe('true');
    expect(await banner().count()).toBe(0);
    await tab('Workspace 1').click();
    expect(await banner().count()).toBe(0);
  });
});
