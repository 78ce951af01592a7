/**
 * The network view on the built-in stack: messages with their path and latencies, the capture overview
 * filtering the list, and device and gateway panels whose numbers are known because the test decides
 * what the device sends, which frame the radio loses, and when the streams are cut (a capture gap).
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright';
import { launchChromium } from '../helpers/browser.js';
import { startTestHarness } from '../helpers/harness.js';
import { addStream, closeProfiles, createProfile, cutShowingEnd, openProfiles, rows } from '../helpers/ui.js';
import { startStack, type StackHandle } from '../../src-main/core/stack/server.js';
import type { StackEvent } from '../../src-main/core/stack/scenario.js';
import { relayedForward } from '../helpers/relayed-uplink.js';
import { consoleSimulation } from '../helpers/tts-quirks.js';

describe('network view: messages, overview, device and gateway health', () => {
  let browser: Browser;
  let harness: Awaited<ReturnType<typeof startTestHarness>>;
  let page: Page;
  let lab: StackHandle;

  beforeAll(async () => {
    // No events store: a cut stream cannot be resumed from history, so the capture records a gap.
    lab = await startStack({ seed: 33, rate: 0, store: { enabled: false }, scenario: { devices: 2, gateways: 3 } });
    harness = await startTestHarness({ backoff: { baseMs: 300, capMs: 1000 } });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
    await page.goto(harness.url);
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
    await lab?.close();
  });

  const device = () => lab.scenario.devices[0]!;
  /** What the streams delivered (the flows published while they were up): the expected numbers come from it. */
  const delivered: StackEvent[][] = [];
  /** Entries main captured with this name (the list is virtualised: rows on screen are not all of them). */
  const captured = (name: string) => {
    const ws = harness.core.streams.list()[0]?.spec.workspaceId;
    let n = 0;
    if (ws) harness.core.index.scan(ws, (v) => void (v.name === name && n++));
    return n;
  };
  const deliver = (events: StackEvent[], realistic: boolean) => {
    delivered.push(events);
    if (realistic) lab.schedule(events);
    else lab.publish(events);
  };
  const count = (pred: (e: StackEvent) => boolean) => delivered.flat().filter(pred).length;

  /** One uplink through all three gateways, each event published when its time comes. */
  async function uplink(expectForwarded: number) {
    deliver(lab.scenario.flow('uplink', device(), 3, true), true);
    await expect.poll(() => captured('as.up.data.forward'), { timeout: 15_000 }).toBe(expectForwarded);
  }

  it('captures a device that joins, sends FCnt 0–7 of which the radio loses 3 and a stream cut hides 5 and 6', async () => {
    await openProfiles(page);
    await createProfile(page, 'Lab', lab.url, lab.demoKey);
    await closeProfiles(page);
    const d = device();
    await addStream(page, { server: 'Lab', kind: 'device', application: d.appId, ids: d.deviceId, preset: 'verbose' });
    await addStream(page, {
      server: 'Lab',
      kind: 'gateway',
      ids: lab.scenario.gateways.map((g) => g.gatewayId).join(', '),
      preset: 'verbose',
    });
    await expect
      .poll(() => page.getByLabel('Status').textContent())
      .toMatch(/Lab · eui-.*live.*Lab · demo-gateway-1, demo-gateway-2, demo-gateway-3: live/);

    deliver(lab.scenario.flow('gateway-connect', d), false);
    deliver(lab.scenario.flow('join', d, 1, true), true);
    await expect.poll(() => captured('as.up.join.forward'), { timeout: 15_000 }).toBe(1);
    await uplink(1); // FCnt 0
    await uplink(2); // 1
    await uplink(3); // 2
    lab.scenario.flow('uplink', d, 3, true); // FCnt 3: sent, never heard (radio loss)
    await uplink(4); // 4
    deliver(lab.scenario.flow('downlink', d, 1, true), true);
    await expect.poll(() => captured('as.down.data.sent.forward'), { timeout: 15_000 }).toBe(1);

    // Both streams are cut; FCnt 5 and 6 happen while they are down and the server keeps no history.
    lab.killStreams();
    lab.publish(lab.scenario.flow('uplink', d, 3));
    lab.publish(lab.scenario.flow('uplink', d, 3));
    await expect.poll(() => captured('event-desk.gap'), { timeout: 15_000 }).toBe(2);
    await expect
      .poll(() => page.getByLabel('Status').textContent())
      .toMatch(/Lab · eui-.*live.*Lab · demo-gateway-1, demo-gateway-2, demo-gateway-3: live/);
    await uplink(5); // FCnt 7
    deliver(lab.scenario.flow('gateway-disconnect', d), false);
    await expect.poll(() => captured('gs.gateway.disconnect'), { timeout: 15_000 }).toBe(1);
  });

  it('messages view: one row per uplink with its GS → NS → AS path and the latency of each step', async () => {
    await page.getByRole('group', { name: 'View' }).getByRole('button', { name: 'Messages' }).click();
    const grid = page.getByRole('grid', { name: 'Messages, one row per LoRaWAN message' });
    const uplinks = grid.getByTestId('message-row').filter({ has: page.locator('.dir', { hasText: '↑' }) });
    await expect.poll(() => uplinks.count(), { timeout: 10_000 }).toBe(5);
    const fCnts = await uplinks.locator('.cells > span:nth-child(4)').allTextContents();
    expect(fCnts.map(Number).sort((a, b) => a - b)).toEqual([0, 1, 2, 4, 7]);
    for (const path of await uplinks.getByTestId('message-path').allTextContents()) {
      // The NS processes after its ~200 ms deduplication window; the AS gets it after that.
      expect(path).toMatch(/^GS → NS \+\d+(\.\d)? ms → AS \+\d+ ms$/);
      const asMs = Number(/AS \+(\d+) ms/.exec(path)![1]);
      expect(asMs).toBeGreaterThanOrEqual(150);
    }
    expect(await uplinks.first().textContent()).toMatch(/delivered/);
    expect(await uplinks.first().locator('.cells > span:nth-child(7)').textContent()).toBe('3');
    const joins = grid.getByTestId('message-row').filter({ has: page.locator('.dir', { hasText: '⇄' }) });
    expect(await joins.count()).toBe(1);
    // Expanding a row lists its events.
    await uplinks.first().locator('.cells').click();
    const first = delivered.find((f) => f.some((e) => e.name === 'as.up.data.forward'))!;
    await expect
      .poll(() => grid.getByRole('list', { name: 'Events of this message' }).getByRole('button').count())
      .toBe(first.length);
    // The detail pane is open now and the device column narrow: the device's link is cut inside itself, with "…".
    const link = uplinks.first().locator('.device .link');
    expect(await link.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    expect(await link.evaluate((el) => getComputedStyle(el).textOverflow)).toBe('ellipsis');
    // …at its start: the end of a device ID is what tells devices apart.
    expect(await cutShowingEnd(link)).toBe(true);
    // At 1280 px with the detail pane open, the outcome (the column that says "failed") is still whole on screen.
    await page.setViewportSize({ width: 1280, height: 900 });
    const outcome = uplinks.first().locator('.outcome');
    await expect
      .poll(async () => {
        const [o, pane] = [(await outcome.boundingBox())!, (await page.locator('#detail-pane').boundingBox())!];
        return o.x + o.width <= pane.x && (await outcome.evaluate((el) => el.scrollWidth <= el.clientWidth));
      })
      .toBe(true);
    await page.setViewportSize({ width: 1500, height: 900 });
    // The time column says which clock it shows, as the event list's does.
    expect(await page.locator('.messages .head span').first().textContent()).toBe('time (UTC)');
    await page.screenshot({ path: 'test-results/network-messages.png' });
  });

  it('device panel: 5 frames received, 1 lost on the radio, 2 unknown inside the capture gap', async () => {
    await page.getByRole('group', { name: 'View' }).getByRole('button', { name: 'Devices' }).click();
    await page.getByTestId('devices-table').getByRole('button', { name: device().deviceId }).waitFor();
    await page.screenshot({ path: 'test-results/network-devices-list.png' });
    await page.getByTestId('devices-table').getByRole('button', { name: device().deviceId }).click();
    const panel = page.getByTestId('device-panel');
    await expect
      .poll(() => panel.getByTestId('stat-uplinks').textContent(), { timeout: 10_000 })
      .toMatch(/^5\s*uplinks/);
    expect(await panel.getByTestId('stat-lost').textContent()).toMatch(/^1\s*lost/);
    expect(await panel.getByTestId('stat-unknown').textContent()).toMatch(/^2\s*unknown/);
    expect(await panel.getByTestId('stat-per').textContent()).toMatch(/^16\.7%\s*PER/);
    expect(await panel.getByTestId('stat-joins').textContent()).toMatch(/^1 \/ 1/);
    expect(await panel.getByTestId('stat-downlinks').textContent()).toMatch(/^1 \/ 1 \/ 0/);
    // One series per gateway in the RSSI chart's legend.
    await expect
      .poll(() => panel.locator('.u-legend .u-series').filter({ hasText: 'demo-gateway' }).count())
      .toBeGreaterThanOrEqual(3);
    await page.screenshot({ path: 'test-results/network-device.png' });
  });

  it('gateway panel: receptions, the device named from its DevAddr, connects and downlinks', async () => {
    // The gateway that heard the join and sent the join-accept (the stack picks the device's nearest).
    const gw = delivered.flat().find((e) => e.name === 'gs.down.send')!.entity.id;
    const on = (name: string) => count((e) => e.name === name && e.entity.id === gw);
    expect(on('gs.up.receive')).toBeGreaterThanOrEqual(5);
    await page.getByRole('group', { name: 'View' }).getByRole('button', { name: 'Gateways' }).click();
    await page.getByTestId('gateways-table').getByRole('button', { name: gw }).waitFor();
    await page.screenshot({ path: 'test-results/network-gateways-list.png' });
    await page.getByTestId('gateways-table').getByRole('button', { name: gw }).click();
    const panel = page.getByTestId('gateway-panel');
    await expect
      .poll(() => panel.getByTestId('gw-uplinks').textContent(), { timeout: 10_000 })
      .toMatch(new RegExp(`^${on('gs.up.receive')}\\s*uplinks`));
    expect(await panel.getByTestId('gw-devices').textContent()).toMatch(/^1\s*devices/);
    expect(await panel.getByTestId('gw-connects').textContent()).toMatch(
      new RegExp(`^${on('gs.gateway.connect')} / ${on('gs.gateway.disconnect')}`),
    );
    // It sent the join-accept (and maybe the application's downlink).
    expect(on('gs.down.send')).toBeGreaterThanOrEqual(1);
    expect(await panel.getByTestId('gw-down-sent').textContent()).toMatch(
      new RegExp(`^${on('gs.down.send')}\\s*downlinks`),
    );
    expect(await panel.getByTestId('gw-heard').textContent()).toContain(device().deviceId);
    // The device's ID is one line (a button used to break it at its hyphens).
    const heard = panel.getByTestId('gw-heard').getByRole('button', { name: device().deviceId });
    expect((await heard.boundingBox())!.height).toBeLessThan(24);
    await page.screenshot({ path: 'test-results/network-gateway.png' });
  });

  it('overview: dragging across the strip filters the list to that window; "All time" brings it back', async () => {
    await page.getByRole('group', { name: 'View' }).getByRole('button', { name: 'Events' }).click();
    // The legend keys the strip's colours: the capture's two gaps are drawn as the shaded gaps are.
    const legend = page.getByRole('group', { name: 'Capture overview' }).locator('.legend');
    const gapColor = await legend.getByText(/^2 gaps$/).evaluate((el) => getComputedStyle(el).color);
    expect(gapColor).not.toBe(await legend.evaluate((el) => getComputedStyle(el).color));
    const over = page.getByTestId('overview-strip').locator('.u-over');
    const box = (await over.boundingBox())!;
    // The time labels are drawn centred on their ticks: the plot leaves room for the first and last one whole.
    const room = await over.evaluate((el) => {
      const o = el as HTMLElement;
      return { left: o.offsetLeft, right: o.parentElement!.clientWidth - o.offsetLeft - o.offsetWidth };
    });
    expect(room.left).toBeGreaterThanOrEqual(20);
    expect(room.right).toBeGreaterThanOrEqual(20);
    // Two events the list must show or hide: the join (at the start) and the disconnect (at the end).
    await page.getByLabel('Filter', { exact: true }).fill('as.up.join.forward OR gs.gateway.disconnect');
    await expect.poll(() => rows(page, /as\.up\.join\.forward|gs\.gateway\.disconnect/).count()).toBe(2);
    // The later half of the capture: the join (at its start) is outside the window.
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.8, box.y + box.height / 2, { steps: 8 });
    await page.mouse.move(box.x + box.width - 1, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    await expect.poll(() => page.getByTestId('overview-window').isVisible()).toBe(true);
    await expect
      .poll(() => page.getByLabel('Filter', { exact: true }).inputValue())
      .toMatch(/^\(as\.up\.join\.forward OR gs\.gateway\.disconnect\) time>=\S+ time<\S+$/);
    await expect.poll(() => rows(page, 'as.up.join.forward').count()).toBe(0);
    expect(await rows(page, 'gs.gateway.disconnect').count()).toBe(1);
    await page.screenshot({ path: 'test-results/network-overview-window.png' });
    await page.getByRole('button', { name: 'All time' }).click();
    await expect.poll(() => rows(page, 'as.up.join.forward').count()).toBe(1);
    expect(await page.getByLabel('Filter', { exact: true }).inputValue()).toBe(
      'as.up.join.forward OR gs.gateway.disconnect',
    );
  });
  it('an expanded message stays open when a filter change brings its earlier events into view', async () => {
    await page.getByLabel('Filter', { exact: true }).fill('as.up.join.forward');
    await page.getByRole('group', { name: 'View' }).getByRole('button', { name: 'Messages' }).click();
    const grid = page.getByRole('grid', { name: 'Messages, one row per LoRaWAN message' });
    const join = grid.getByTestId('message-row').filter({ has: page.locator('.dir', { hasText: '⇄' }) });
    await expect.poll(() => grid.getByTestId('message-row').count()).toBe(1);
    await join.locator('.cells').click();
    const events = grid.getByRole('list', { name: 'Events of this message' }).getByRole('button');
    await expect.poll(() => events.count()).toBe(1);
    // The whole join comes into view: its row is now named by an earlier event, and stays expanded.
    await page.getByLabel('Filter', { exact: true }).fill('');
    await expect.poll(() => grid.getByTestId('message-row').count()).toBeGreaterThan(3);
    await expect.poll(() => events.count()).toBeGreaterThan(1);
    expect(await join.getAttribute('aria-expanded')).toBe('true');
    await join.locator('.cells').click();
    await expect.poll(() => events.count()).toBe(0);
  });

  it('jump: an event of an expanded message opens in the event list, selected and scrolled into view', async () => {
    await page.getByLabel('Filter', { exact: true }).fill('');
    await page.getByRole('group', { name: 'View' }).getByRole('button', { name: 'Messages' }).click();
    const grid = page.getByRole('grid', { name: 'Messages, one row per LoRaWAN message' });
    // Wait until the cleared filter applies: under the last test's filter the join message began at its
    // as.up.join.forward, and a message is named by its first event, so a click before the filter clears
    // expands a row that regrouping then renames.
    await expect.poll(() => grid.getByTestId('message-row').count()).toBeGreaterThan(3);
    // The join is the oldest message: its events are far from the live edge the event list follows.
    await grid
      .getByTestId('message-row')
      .filter({ has: page.locator('.dir', { hasText: '⇄' }) })
      .locator('.cells')
      .click();
    const target = grid.getByRole('list', { name: 'Events of this message' }).getByRole('button').first();
    const name = (await target.locator('.name').textContent())!;
    await target.click();
    await expect
      .poll(() =>
        page.getByRole('group', { name: 'View' }).getByRole('button', { name: 'Events' }).getAttribute('aria-pressed'),
      )
      .toBe('true');
    const list = page.getByRole('grid', { name: 'Event list' });
    // Far more rows than the list shows at once: the row had to be scrolled to.
    const visibleRows = Math.floor((await list.boundingBox())!.height / 24);
    expect(Number(await list.getAttribute('aria-rowcount'))).toBeGreaterThan(visibleRows * 2);
    const selected = list.locator('[role="row"][aria-selected="true"]');
    await expect.poll(() => selected.count(), { timeout: 10_000 }).toBe(1);
    expect(await selected.textContent()).toContain(name);
    const row = (await selected.boundingBox())!;
    const view = (await list.boundingBox())!;
    expect(row.y).toBeGreaterThanOrEqual(view.y);
    expect(row.y + row.height).toBeLessThanOrEqual(view.y + view.height);
    await expect.poll(() => page.getByLabel('Event detail').locator('h2').textContent()).toBe(name);
    await page.screenshot({ path: 'test-results/network-jump.png' });
  });

  it('device health from an event: the detail pane offers it, by keyboard too, and opens the device panel', async () => {
    await page.getByRole('group', { name: 'View' }).getByRole('button', { name: 'Events' }).click();
    await page.getByLabel('Filter', { exact: true }).fill('as.up.data.forward');
    await expect.poll(() => rows(page, 'as.up.data.forward').count()).toBe(5);
    await rows(page, 'as.up.data.forward').first().click();
    const button = page.getByLabel('Event detail').getByTestId('device-health');
    await expect.poll(() => button.textContent()).toBe(`device ${device().deviceId}`);
    await button.focus();
    await page.keyboard.press('Enter');
    const panel = page.getByTestId('device-panel');
    await expect
      .poll(() => panel.getByTestId('stat-uplinks').textContent(), { timeout: 10_000 })
      .toMatch(/^5\s*uplinks/);
    expect(await panel.getByTestId('stat-lost').textContent()).toMatch(/^1\s*lost/);
    await page.screenshot({ path: 'test-results/network-health-from-event.png' });
  });

  it('gateways: each LoRaWAN relay of an opened capture is a row of its own, named as the end device it is', async () => {
    // Three uplinks two relays forwarded (TTS v3.28.1+: every one from the pseudo-gateway `relay`).
    const dir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-e2e-relays-'));
    const file = path.join(dir, 'relays.ndjson');
    const ups = [
      relayedForward({ device: 'behind-a', relay: 'relay-1', fCnt: 1, atS: 1, devAddr: '260BAA01' }),
      relayedForward({ device: 'behind-b', relay: 'relay-1', fCnt: 1, atS: 2, devAddr: '260BAA02' }),
      relayedForward({ device: 'behind-c', relay: 'relay-2', fCnt: 1, atS: 3, devAddr: '260BAA03' }),
    ];
    writeFileSync(file, `${ups.map((e) => JSON.stringify(e)).join('\n')}\n`);
    try {
      const [chooser] = await Promise.all([
        page.waitForEvent('filechooser'),
        page.getByRole('button', { name: 'Open…' }).click(),
      ]);
      await chooser.setFiles(file);
      await page.getByRole('tab', { name: /relays/, selected: true }).waitFor();
      await page.getByRole('group', { name: 'View' }).getByRole('button', { name: 'Gateways' }).click();
      const table = page.getByTestId('gateways-table');
      await table.getByRole('button', { name: 'relay device relay-1' }).waitFor({ timeout: 15_000 });
      const names = () => table.locator('tbody tr td:first-child').allTextContents();
      expect((await names()).map((n) => n.trim())).toEqual(['relay device relay-1', 'relay device relay-2']);
      await page.screenshot({ path: 'test-results/network-relays.png' });
      await table.getByRole('button', { name: 'relay device relay-1' }).click();
      const panel = page.getByTestId('gateway-panel');
      await expect
        .poll(() => panel.getByTestId('gw-uplinks').textContent(), { timeout: 10_000 })
        .toMatch(/^2\s*uplinks/);
      expect(await panel.getByTestId('gw-devices').textContent()).toMatch(/^2\s*devices/);
      await expect.poll(() => panel.textContent()).toContain('relay device relay-1');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it("messages: the Console's simulated uplink says it never came over the air", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-e2e-simulated-'));
    const file = path.join(dir, 'simulated.ndjson');
    writeFileSync(
      file,
      `${consoleSimulation(Date.parse('2026-03-01T10:00:00Z'))
        .map((e) => JSON.stringify(e))
        .join('\n')}\n`,
    );
    try {
      const [chooser] = await Promise.all([
        page.waitForEvent('filechooser'),
        page.getByRole('button', { name: 'Open…' }).click(),
      ]);
      await chooser.setFiles(file);
      await page.getByRole('tab', { name: /simulated/, selected: true }).waitFor();
      await page.getByRole('group', { name: 'View' }).getByRole('button', { name: 'Messages' }).click();
      const paths = page.getByTestId('message-path');
      await expect.poll(() => paths.count(), { timeout: 15_000 }).toBe(5);
      const texts = await paths.allTextContents();
      expect(texts.filter((t) => t.includes('simulated in the Console, not radio traffic'))).toHaveLength(1);
      await page.screenshot({ path: 'test-results/network-simulated.png' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
