/**
 * Browser mode as a user runs it (`npm run harness`): Export… ends in a download streamed by main,
 * Open… uses the page's file chooser, and a backend that goes away is impossible to miss.
 * Nothing here queues answers at main's dialogs: the page does everything itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright';
import { launchChromium } from '../helpers/browser.js';
import { startTestHarness } from '../helpers/harness.js';
import { addStream, closeProfiles, createProfile, openProfiles, rows } from '../helpers/ui.js';
import { startStack, type StackHandle } from '../../src-main/core/stack/server.js';

const PROFILE = 'Customer X on-prem';

describe('browser mode', () => {
  let browser: Browser;
  let harness: Awaited<ReturnType<typeof startTestHarness>>;
  let page: Page;
  let lab: StackHandle;
  let bundle = '';
  let closed = false;

  beforeAll(async () => {
    lab = await startStack({ seed: 5, rate: 0, store: { enabled: true }, scenario: { devices: 1, gateways: 2 } });
    harness = await startTestHarness();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 850 }, acceptDownloads: true });
    await page.goto(harness.url);
  });

  afterAll(async () => {
    await browser?.close();
    if (!closed) await harness?.close();
    await lab?.close();
    if (bundle) rmSync(bundle, { force: true });
  });

  it('exports a fully redacted support bundle as a download that names no server, URL or session key', async () => {
    await openProfiles(page);
    await createProfile(page, PROFILE, lab.url, lab.demoKey);
    await closeProfiles(page);
    const device = lab.scenario.devices[0]!;
    await addStream(page, {
      server: PROFILE,
      kind: 'device',
      application: device.appId,
      ids: device.deviceId,
      preset: 'verbose',
    });
    await expect.poll(() => page.getByLabel('Status').textContent()).toMatch(/live/);
    lab.publish([...lab.scenario.flow('join', device), ...lab.scenario.flow('uplink', device, 2)]);
    await expect.poll(() => rows(page, 'as.up.data.forward').count(), { timeout: 15_000 }).toBe(1);

    await page.getByRole('button', { name: 'Export…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export events' });
    await dialog.getByLabel('Support bundle (manifest with servers, streams, gaps, then the events)').check();
    for (const box of await dialog.getByRole('checkbox').all()) await box.check();
    await expect.poll(() => dialog.getByLabel('Redaction preview').textContent()).toMatch(/device-[0-9a-f]{10}/);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      dialog.getByRole('button', { name: 'Export…' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.bundle\.ndjson$/);
    bundle = path.join(harness.dataDir, '..', `${path.basename(harness.dataDir)}-${download.suggestedFilename()}`);
    await download.saveAs(bundle);
    await expect
      .poll(() => dialog.getByRole('status', { name: 'Export progress' }).textContent())
      .toMatch(/your browser saves them as .*\.bundle\.ndjson/);
    await dialog.getByRole('button', { name: 'Close' }).click();

    const text = readFileSync(bundle, 'utf8');
    expect(text.split('\n')[0]).toContain('"eventDeskBundle"');
    expect(text).toContain('"frm_payload":"[redacted]"');
    for (const secret of [PROFILE, lab.url, new URL(lab.url).host, device.deviceId, 'session_key_id":"0'])
      expect(text).not.toContain(secret);
    expect(text).toContain('"session_key_id":"[redacted]"');
  });

  it('serves each download once, only with the page token', async () => {
    const res = await fetch(`${harness.origin}/download/${'0'.repeat(32)}?token=${harness.token}`);
    expect(res.status).toBe(404);
    const noToken = await fetch(`${harness.origin}/download/${'0'.repeat(32)}`);
    expect(noToken.status).toBe(404);
  });

  it('re-opens the bundle through the file chooser and shows the redacted payload as text, not bytes', async () => {
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: 'Open…' }).click(),
    ]);
    await chooser.setFiles(bundle);
    const name = path.basename(bundle);
    await expect.poll(() => page.getByRole('tab', { name }).getAttribute('aria-selected')).toBe('true');
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Read-only' }).textContent())
      .toMatch(/Read-only: \d+ events .*Event Desk support bundle/);
    await rows(page, 'as.up.data.forward').click();
    const summary = page.getByLabel('Event detail').getByLabel('LoRaWAN summary');
    await expect.poll(() => summary.textContent()).toContain('[redacted]');
    expect(await summary.textContent()).not.toMatch(/Payload \(\d+ bytes\)/);
  });

  it('shows how far the opening of a big file is (#16, finding 10)', async () => {
    const big = path.join(harness.dataDir, '..', `${path.basename(harness.dataDir)}-big.ndjson`);
    const line = (i: number) =>
      JSON.stringify({
        name: 'as.up.data.forward',
        time: new Date(Date.UTC(2026, 10, 29, 10, 0, 0, i)).toISOString(),
        identifiers: [{ device_ids: { device_id: `dev-${i % 50}`, application_ids: { application_id: 'app' } } }],
        data: { filler: 'x'.repeat(300) },
        unique_id: `u${i}`,
      });
    writeFileSync(big, Array.from({ length: 60_000 }, (_, i) => line(i)).join('\n') + '\n');
    try {
      const [chooser] = await Promise.all([
        page.waitForEvent('filechooser'),
        page.getByRole('button', { name: 'Open…' }).click(),
      ]);
      await chooser.setFiles(big);
      const progress = page.getByRole('status', { name: `Opening ${path.basename(big)}` });
      await expect.poll(() => progress.textContent(), { timeout: 20_000 }).toMatch(/\d+%.*MB · [\d,]+ events/);
      await expect
        .poll(() => page.getByRole('tab', { name: path.basename(big) }).getAttribute('aria-selected'), {
          timeout: 60_000,
        })
        .toBe('true');
      await expect.poll(() => progress.count(), { timeout: 60_000 }).toBe(0);
    } finally {
      rmSync(big, { force: true });
    }
  });

  it('says plainly when the backend is gone instead of showing streams as live', async () => {
    expect(await page.getByRole('alert', { name: 'Backend stopped' }).count()).toBe(0);
    closed = true;
    await harness.close();
    await expect
      .poll(() => page.getByRole('alert', { name: 'Backend stopped' }).textContent())
      .toContain('The Event Desk backend has stopped');
    // The first workspace's stream is no longer called live, in the chip or the status bar.
    await page.getByRole('tablist', { name: 'Workspaces' }).getByRole('tab').first().click();
    const bar = page.getByRole('contentinfo');
    await expect.poll(() => bar.innerText()).toMatch(/^1 stream: 0 live, 1 stopped/);
    expect(await page.getByText(/^live$/).count()).toBe(0);
    await page.screenshot({ path: 'test-results/backend-gone.png' });
  });
});
