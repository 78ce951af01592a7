import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright';
import { launchChromium } from '../helpers/browser.js';
import { startTestHarness } from '../helpers/harness.js';
import { addStream, closeProfiles, createProfile, openProfiles, rows } from '../helpers/ui.js';
import { startStack, type StackHandle } from '../../src-main/core/stack/server.js';

describe('correlation view, export of a chain, and import', () => {
  let browser: Browser;
  let harness: Awaited<ReturnType<typeof startTestHarness>>;
  let page: Page;
  let lab: StackHandle;

  beforeAll(async () => {
    lab = await startStack({ seed: 21, rate: 0, store: { enabled: true }, scenario: { devices: 2, gateways: 3 } });
    harness = await startTestHarness();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
    await page.goto(harness.url);
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
    await lab?.close();
  });

  it('links a three-gateway uplink from device and gateway streams into one chain with three gateway lanes', async () => {
    await openProfiles(page);
    await createProfile(page, 'Lab', lab.url, lab.demoKey);
    await closeProfiles(page);
    const device = lab.scenario.devices[0]!;
    await addStream(page, {
      server: 'Lab',
      kind: 'device',
      application: device.appId,
      ids: device.deviceId,
      preset: 'verbose',
    });
    await addStream(page, {
      server: 'Lab',
      kind: 'gateway',
      ids: lab.scenario.gateways.map((g) => g.gatewayId).join(', '),
      preset: 'verbose',
    });
    await expect
      .poll(() => page.getByLabel('Status').textContent())
      .toMatch(/Lab · eui-.*live.*Lab · demo-gateway-1, demo-gateway-2, demo-gateway-3: live/);
    // Flows with real timing, each event published when its time comes (as the Demo stack does).
    lab.schedule(lab.scenario.flow('join', device, 1, true));
    await expect.poll(() => rows(page, 'as.up.join.forward').count(), { timeout: 15_000 }).toBe(1);
    lab.schedule(lab.scenario.flow('uplink', device, 3, true));
    await expect.poll(() => rows(page, 'as.up.data.forward').count(), { timeout: 15_000 }).toBe(1);
    await rows(page, 'as.up.data.forward').click();
    await page.getByLabel('Event detail').getByRole('tab', { name: 'Chain' }).click();
    const chain = page.getByLabel('Correlation chain');
    await expect
      .poll(() => chain.getByRole('table', { name: 'Chain events' }).locator('tbody tr').count())
      .toBeGreaterThan(8);
    const lanes = await chain.locator('.lane-label').allTextContents();
    expect(lanes.filter((l) => l.startsWith('Gateway Server · '))).toEqual([
      'Gateway Server · demo-gateway-1',
      'Gateway Server · demo-gateway-2',
      'Gateway Server · demo-gateway-3',
    ]);
    expect(lanes).toContain('Network Server');
    expect(lanes).toContain('Application Server');
    expect(await chain.getByRole('list', { name: 'Findings' }).count()).toBe(0);
    // The steps take real time: the NS processes after its ~200 ms deduplication window.
    await expect.poll(() => chain.textContent()).toMatch(/ 2\d\d ms end to end/);
    await page.screenshot({ path: 'test-results/chain-timeline.png' });
    await chain.getByRole('tab', { name: 'Graph' }).click();
    await expect.poll(() => chain.locator('g.node').count()).toBeGreaterThan(8);
    await page.screenshot({ path: 'test-results/chain-graph.png' });
    // Zoom and fit (#16, finding 10): the graph fits the pane, and zooms in and out on request.
    const svg = chain.getByRole('img', { name: 'Graph of events linked by correlation IDs' });
    const paneWidth = (await chain.boundingBox())!.width;
    expect((await svg.boundingBox())!.width).toBeLessThanOrEqual(paneWidth);
    const fitted = (await svg.boundingBox())!.width;
    await chain.getByRole('button', { name: 'Zoom in' }).click();
    await expect.poll(async () => (await svg.boundingBox())!.width).toBeGreaterThan(fitted * 1.2);
    await chain.getByRole('button', { name: 'Fit' }).click();
    await expect.poll(async () => Math.round((await svg.boundingBox())!.width)).toBe(Math.round(fitted));
  });

  it('flags an uplink the network server dropped', async () => {
    lab.publish(lab.scenario.flow('errors', lab.scenario.devices[0]!));
    const drop = rows(page, 'ns.up.data.drop');
    await expect.poll(() => drop.count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await drop.first().click();
    await page.getByLabel('Event detail').getByRole('tab', { name: 'Chain' }).click();
    await expect
      .poll(() => page.getByLabel('Correlation chain').getByRole('list', { name: 'Findings' }).textContent())
      .toMatch(/ns\.up\.data\.drop: duplicate_uplink/);
    await page.screenshot({ path: 'test-results/chain-drop.png' });
  });

  it('exports the chain as a redacted support bundle and opens it as a read-only workspace', async () => {
    await rows(page, 'as.up.data.forward').click();
    const chain = page.getByLabel('Correlation chain');
    await expect
      .poll(() => chain.getByRole('table', { name: 'Chain events' }).locator('tbody tr').count())
      .toBeGreaterThan(8);
    const chainCount = await chain.getByRole('table', { name: 'Chain events' }).locator('tbody tr').count();
    await chain.getByRole('button', { name: 'Export this chain…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export events' });
    await expect.poll(() => dialog.getByLabel('The correlation chain of the selected event').isChecked()).toBe(true);
    await expect
      .poll(() =>
        dialog.getByLabel('Support bundle (manifest with servers, streams, gaps, then the events)').isChecked(),
      )
      .toBe(true);
    await dialog.getByLabel('Replace EUIs, DevAddr and IDs by pseudonyms (stable in this file)').check();
    await expect
      .poll(() => dialog.getByLabel('Redaction preview').textContent())
      .toContain(`${chainCount} events will be exported`);
    await expect.poll(() => dialog.getByLabel('Redaction preview').textContent()).toMatch(/device-[0-9a-f]{10}/);
    // The sample event is shown as the file has it: one screen line per line of JSON (a long correlation ID
    // scrolls sideways instead of leaving its indentation behind on a line of its own). A narrow window
    // makes the longest lines longer than the preview is wide.
    const viewport = page.viewportSize()!;
    await page.setViewportSize({ width: 900, height: viewport.height });
    const layout = await dialog
      .getByLabel('Redaction preview')
      .locator('pre')
      .evaluate((el) => {
        const range = document.createRange();
        range.selectNodeContents(el);
        const tops = new Set(Array.from(range.getClientRects(), (r) => Math.round(r.top)));
        return { lines: el.textContent!.split('\n').length, shown: tops.size, widest: el.scrollWidth > el.clientWidth };
      });
    expect(layout).toEqual({ lines: layout.lines, shown: layout.lines, widest: true });
    await page.setViewportSize(viewport);
    await page.screenshot({ path: 'test-results/export-dialog.png' });
    const file = path.join(harness.dataDir, 'chain-bundle.ndjson');
    harness.dialogs.saves.push(file);
    await dialog.getByRole('button', { name: 'Export…' }).click();
    await expect
      .poll(() => dialog.getByRole('status', { name: 'Export progress' }).textContent())
      .toMatch(/Exported \d+ entries to/);
    expect(existsSync(file)).toBe(true);
    const text = readFileSync(file, 'utf8');
    expect(text.split('\n')[0]).toContain('"eventDeskBundle"');
    expect(text).not.toContain(lab.scenario.devices[0]!.deviceId);
    await dialog.getByRole('button', { name: 'Close' }).click();

    // Browser mode: Open… is the page's file chooser (the file is streamed to main in chunks).
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: 'Open…' }).click(),
    ]);
    await chooser.setFiles(file);
    await expect
      .poll(() => page.getByRole('tab', { name: 'chain-bundle.ndjson' }).getAttribute('aria-selected'))
      .toBe('true');
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Read-only' }).textContent())
      .toMatch(new RegExp(`Read-only: ${chainCount} events .*Event Desk support bundle`));
    expect(await page.getByRole('button', { name: '+ Stream' }).isDisabled()).toBe(true);
    await rows(page, 'as.up.data.forward').click();
    await page.getByLabel('Event detail').getByRole('tab', { name: 'Chain' }).click();
    await expect
      .poll(() =>
        page.getByLabel('Correlation chain').getByRole('table', { name: 'Chain events' }).locator('tbody tr').count(),
      )
      .toBe(chainCount);
    expect(
      (await page.getByLabel('Correlation chain').locator('.lane-label').allTextContents()).filter((l) =>
        l.startsWith('Gateway Server'),
      ),
    ).toHaveLength(3);
    await page.screenshot({ path: 'test-results/import-bundle.png' });
  });

  it('opens a file dropped on the window as another read-only workspace', async () => {
    const text = readFileSync(path.join(harness.dataDir, 'chain-bundle.ndjson'), 'utf8');
    await page.evaluate(`(() => {
      const dt = new DataTransfer();
      dt.items.add(new File([${JSON.stringify(text)}], 'dropped.ndjson', { type: 'application/x-ndjson' }));
      window.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, cancelable: true }));
      window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, cancelable: true }));
    })()`);
    await expect
      .poll(() => page.getByRole('tab', { name: 'dropped.ndjson' }).getAttribute('aria-selected'))
      .toBe('true');
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Read-only' }).textContent())
      .toMatch(/Read-only: \d+ events .*dropped\.ndjson/);
  });
  it('says why a backfill added nothing, and forgets it when another event is selected (#16, finding 10)', async () => {
    await page.getByRole('tab', { name: 'Workspace 1' }).click();
    await rows(page, 'as.up.data.forward').click();
    await page.getByLabel('Event detail').getByRole('tab', { name: 'Chain' }).click();
    const chain = page.getByLabel('Correlation chain');
    await chain.getByRole('button', { name: 'Fill in from the server' }).click();
    const note = chain.getByRole('status');
    await expect.poll(() => note.textContent()).toMatch(/added \d+ event|nothing this chain lacks/);
    expect(await note.textContent()).not.toContain('added 0 events');
    await rows(page, 'ns.up.data.drop').first().click();
    await expect.poll(() => page.getByLabel('Correlation chain').getByRole('status').count()).toBe(0);
  });
});
