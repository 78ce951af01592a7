/**
 * Profiles in browser mode, as a user sees them: Export… ends in a download and Import… opens the page's
 * file chooser (main's dialogs are never asked), and deleting a profile that streams use says so, stops
 * them and keeps calling them by the profile's name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright';
import { launchChromium } from '../helpers/browser.js';
import { startTestHarness } from '../helpers/harness.js';
import { addStream, closeProfiles, createProfile, openProfiles } from '../helpers/ui.js';
import { generateApiKey } from '../../src-main/core/stack/server.js';

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
    // A short backoff: the unreachable profile's stream is "retrying" within a second.
    harness = await startTestHarness({ backoff: { baseMs: 200, capMs: 1000 } });
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

  it('deleting a profile names the streams that use it, stops them and keeps calling them by its name', async () => {
    await openProfiles(page);
    await createProfile(page, 'Unreachable', 'http://127.0.0.1:9', generateApiKey());
    await closeProfiles(page);
    await addStream(page, { server: 'Unreachable', kind: 'application', ids: 'app1' });
    await addStream(page, { kind: 'application', ids: 'demo-app' });
    const bar = page.getByRole('contentinfo');
    await expect.poll(() => bar.innerText(), { timeout: 15_000 }).toMatch(/Unreachable · app1: retrying/);
    const picker = page.getByLabel('Show events from');
    await expect.poll(() => picker.textContent()).toContain('Unreachable');

    await openProfiles(page);
    await panel()
      .getByRole('button', { name: /^Unreachable key/ })
      .click();
    const asked: string[] = [];
    page.once('dialog', (d) => {
      asked.push(d.message());
      void d.accept();
    });
    await panel().getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => asked.length).toBe(1);
    expect(asked[0]).toMatch(/Delete "Unreachable" and its key\?/);
    expect(asked[0]).toMatch(/1 stream .*"Workspace 1".*stopped/s);
    await expect
      .poll(() =>
        panel()
          .getByRole('button', { name: /^Unreachable key/ })
          .count(),
      )
      .toBe(0);
    await closeProfiles(page);

    // Stopped (no longer a problem the bar shows by itself): the bar's detail lists it under the profile's name.
    await expect.poll(() => bar.innerText(), { timeout: 10_000 }).toMatch(/2 streams: 1 live, 1 stopped/);
    await bar.getByRole('button', { name: /2 streams/ }).click();
    const detail = page.getByRole('group', { name: 'Streams in detail' });
    await expect.poll(() => detail.innerText()).toMatch(/Unreachable · app1: stopped/);
    const stopped = detail.getByText(/Unreachable · app1/);
    expect(await stopped.locator('xpath=..').getAttribute('title')).toMatch(
      /stopped: The profile "Unreachable" was deleted; the captured events stay/,
    );
    await page.screenshot({ path: 'test-results/profiles-browser-deleted.png' });
    // Stopped for good: still stopped after what would have been several retries.
    await page.waitForTimeout(1500);
    expect(await detail.innerText()).toMatch(/Unreachable · app1: stopped/);
    expect(await page.locator('body').innerText()).not.toMatch(/p-[0-9a-z]{20,}/);
    await page.keyboard.press('Escape');
    expect(await picker.textContent()).toContain('Unreachable');
    // Its chip keeps the name too, and offers no Restart (its profile is gone; removing it is what is left).
    expect(await page.getByText('Unreachable', { exact: true }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Restart' }).count()).toBe(0);
  });
});
