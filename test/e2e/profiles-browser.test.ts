/**
 * Profiles in browser mode, as a user sees them: Export… ends in a download and Import… opens the page's
 * file chooser (main's open dialog is never asked).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright';
import { launchChromium } from '../helpers/browser.js';
import { startTestHarness } from '../helpers/harness.js';
import { closeProfiles, createProfile, openProfiles } from '../helpers/ui.js';

describe('profiles in browser mode', () => {
  let browser: Browser;
  let harness: Awaited<ReturnType<typeof startTestHarness>>;
  let page: Page;
  const files: string[] = [];
  const scratch = (name: string) => {
    const file = path.join(harness.dataDir, '..', `${path.basename(harness.dataDir)}-${name}`);
    files.push(file);
    return file;
  };
  const panel = () => page.getByRole('dialog', { name: 'Server profiles' });

  beforeAll(async () => {
    harness = await startTestHarness();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 850 }, acceptDownloads: true });
    await page.goto(harness.url);
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
    for (const f of files) rmSync(f, { force: true });
  });

  it('exports the profiles as a download whose message names no server-side folder, and imports through the file chooser', async () => {
    await openProfiles(page);
    await createProfile(page, 'Customer X', 'https://x.example.com');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      panel().getByRole('button', { name: 'Export…' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('event-desk-profiles.json');
    const saved = scratch('profiles.json');
    await download.saveAs(saved);
    const doc = JSON.parse(readFileSync(saved, 'utf8')) as { format: string; profiles: { name: string }[] };
    expect(doc.format).toBe('event-desk.profiles');
    expect(doc.profiles.map((p) => p.name)).toContain('Customer X');
    const message = await panel().getByRole('status').textContent();
    expect(message).toBe('Exported 1 profile (without keys); your browser saves it as event-desk-profiles.json.');
    expect(message).not.toContain(harness.dataDir);
    expect(message).not.toMatch(/\/tmp|downloads\//);
    await page.screenshot({ path: 'test-results/profiles-browser-export.png' });

    // Import… picks the file in the page; the imported copy arrives without a key.
    const renamed = scratch('renamed.json');
    writeFileSync(renamed, readFileSync(saved, 'utf8').replace('"Customer X"', '"Customer Y"'));
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser', { timeout: 5000 }),
      panel().getByRole('button', { name: 'Import…' }).click(),
    ]);
    await chooser.setFiles(renamed);
    await expect
      .poll(() => panel().getByRole('status').textContent())
      .toMatch(/Imported .*"Customer Y".*set a key for each/);
    expect(await panel().getByRole('navigation', { name: 'Profiles' }).getByText('Customer Y').count()).toBe(1);

    // A file that is not a profiles export gets the desktop app's message.
    const junk = scratch('junk.json');
    writeFileSync(junk, '{"hello": 1}');
    const [again] = await Promise.all([
      page.waitForEvent('filechooser', { timeout: 5000 }),
      panel().getByRole('button', { name: 'Import…' }).click(),
    ]);
    await again.setFiles(junk);
    await expect
      .poll(() => panel().getByRole('alert').textContent())
      .toContain('The file is not an Event Desk profiles export (it has no "format": "event-desk.profiles").');
    await page.screenshot({ path: 'test-results/profiles-browser-import.png' });
    // Main's own open dialog (which nobody can answer in a browser) was never asked.
    expect(harness.dialogs.asked.filter((a) => a.kind === 'open')).toEqual([]);
    await closeProfiles(page);
  });
});
