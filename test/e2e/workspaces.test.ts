import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright';
import { launchChromium } from '../helpers/browser.js';
import { startTestHarness } from '../helpers/harness.js';
import { addStream, closeProfiles, createProfile, openProfiles, rows } from '../helpers/ui.js';
import { startStack, type StackHandle } from '../../src-main/core/stack/server.js';
import type { StackEvent } from '../../src-main/core/stack/scenario.js';

/** A hand-made event for the stack to send as is (hostile content included). */
function rawEvent(stack: StackHandle, name: string, data: unknown, seq: number): StackEvent {
  const device = stack.scenario.devices[0]!;
  const ms = Date.now();
  const time = new Date(ms).toISOString();
  const uniqueId = `01HOSTILE${String(seq).padStart(17, '0')}`;
  const event = {
    name,
    time,
    identifiers: [
      {
        device_ids: {
          device_id: device.deviceId,
          application_ids: { application_id: device.appId },
          dev_eui: device.devEui,
        },
      },
    ],
    data,
    correlation_ids: [`as:up:01HOSTILE${seq}`],
    origin: 'stack',
    visibility: { rights: ['RIGHT_APPLICATION_TRAFFIC_READ'] },
    unique_id: uniqueId,
  };
  return {
    name,
    ms,
    time,
    uniqueId,
    entity: { kind: 'device', id: device.deviceId, application: device.appId },
    rights: ['RIGHT_APPLICATION_TRAFFIC_READ'],
    propagates: true,
    json: JSON.stringify(event),
  };
}

describe('workspaces: the live view a support engineer lives in', () => {
  let browser: Browser;
  let harness: Awaited<ReturnType<typeof startTestHarness>>;
  let page: Page;
  let lab: StackHandle;
  const dialogs: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    // No event store: a dropped connection leaves a gap the capture must show.
    lab = await startStack({ seed: 11, rate: 12, store: { enabled: false }, scenario: { devices: 4, gateways: 3 } });
    harness = await startTestHarness();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    // Any error in the page (an effect loop, an exception) fails the run: users would hit it too.
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(`${m.text()} ${JSON.stringify(m.location())}`);
    });
    await page.goto(harness.url);
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
    await lab?.close();
  });

  it('streams into the first workspace and shows the Console-filtered names the server confirmed', async () => {
    await openProfiles(page);
    await createProfile(page, 'Lab', lab.url, lab.demoKey);
    await closeProfiles(page);
    await addStream(page, { server: 'Lab' });
    await expect.poll(() => rows(page, 'event-desk.stream-start').count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => rows(page, 'as.up.data.forward').count(), { timeout: 20_000 }).toBeGreaterThan(2);
  });

  it('shows an uplink received by three gateways with a reception row per gateway', async () => {
    lab.publish(lab.scenario.flow('uplink', lab.scenario.devices[1]!, 3));
    const row = rows(page, /as\.up\.data\.forward.*3 gateways/).first();
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
    await row.click();
    const detail = page.getByLabel('Event detail');
    await expect.poll(() => detail.getByText('Received by 3 gateways').isVisible()).toBe(true);
    expect(await detail.getByRole('table', { name: 'Gateway reception' }).locator('tbody tr').count()).toBe(3);
    const reception = (await detail.getByRole('table', { name: 'Gateway reception' }).textContent()) ?? '';
    for (const g of ['demo-gateway-1', 'demo-gateway-2', 'demo-gateway-3']) expect(reception).toContain(g);
    expect(await detail.getByText('best RSSI and best SNR may come from different gateways').isVisible()).toBe(true);
    // The note goes under the heading rather than either of them breaking over two lines beside the other.
    const title = detail.getByText('Received by 3 gateways', { exact: true });
    const note = detail.getByText('(best RSSI and best SNR may come from different gateways)');
    const line = await title.evaluate((el) => parseFloat(getComputedStyle(el).fontSize) * 1.6);
    expect((await title.boundingBox())!.height).toBeLessThan(line);
    expect((await note.boundingBox())!.height).toBeLessThan(line);
    await page.screenshot({ path: 'test-results/workspace-three-gateways.png' });
  });

  it('an uplink received by one gateway: its heading on one line, without the note about several gateways', async () => {
    lab.publish(lab.scenario.flow('uplink', lab.scenario.devices[2]!, 1));
    // An uplink of several gateways says "N gateways" in its preview.
    const row = rows(page, 'as.up.data.forward').filter({ hasNotText: 'gateways' }).first();
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
    await row.click();
    const detail = page.getByLabel('Event detail');
    const heading = detail.getByRole('heading', { name: 'Received by 1 gateway' });
    await expect.poll(() => heading.isVisible()).toBe(true);
    expect(await detail.getByText('may come from different gateways').count()).toBe(0);
    const lineHeight = await heading.evaluate((el) => parseFloat(getComputedStyle(el).fontSize) * 1.6);
    expect((await heading.boundingBox())!.height).toBeLessThan(lineHeight);
  });

  it('filters with the query language, explains an invalid query where it is wrong, and keeps the last valid filter', async () => {
    const filter = page.getByLabel('Filter', { exact: true });
    await filter.fill('as.up.* gateways>=3');
    await filter.press('Enter');
    await expect
      .poll(async () => (await rows(page, /./).allTextContents()).every((t) => /as\.up\..*3 gateways/.test(t)))
      .toBe(true);
    expect(await rows(page, /./).count()).toBeGreaterThan(0);
    await filter.fill('as.up.* f_port:abc');
    await filter.press('Enter');
    const error = page.getByRole('alert').filter({ hasText: 'f_port takes a number' });
    await expect.poll(() => error.isVisible()).toBe(true);
    expect(await error.locator('mark').textContent()).toBe('abc');
    expect((await rows(page, /./).allTextContents()).every((t) => /3 gateways/.test(t))).toBe(true);
    await page.screenshot({ path: 'test-results/workspace-invalid-filter.png' });
    await filter.fill('');
    await filter.press('Enter');
  });

  it('autocompletes field names and event-name families', async () => {
    const filter = page.getByLabel('Filter', { exact: true });
    await filter.fill('');
    await filter.pressSequentially('ns.u');
    await expect.poll(() => page.getByRole('listbox', { name: 'Suggestions' }).textContent()).toContain('ns.up.*');
    await filter.press('Tab');
    await expect.poll(() => filter.inputValue()).toBe('ns.up.*');
    await filter.fill('');
    await filter.press('Enter');
  });

  it('follows a device from the detail pane', async () => {
    const row = rows(page, /eui-70b3d57ed0000002.*as\.up\.data\.forward/).first();
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
    await row.click();
    await page.getByLabel('Event detail').getByRole('button', { name: 'this device' }).click();
    await expect
      .poll(() => page.getByLabel('Filter', { exact: true }).inputValue())
      .toBe('device:eui-70b3d57ed0000002');
    await expect
      .poll(async () => (await rows(page, /./).allTextContents()).every((t) => t.includes('eui-70b3d57ed0000002')))
      .toBe(true);
    await page.getByRole('button', { name: 'Clear filter' }).click();
  });

  it('pauses the view (not the capture) and counts what arrived meanwhile', async () => {
    const shown = async () =>
      Number(
        ((await page.getByText(/^[\d,]+( of [\d,]+)? shown$/).textContent()) ?? '').split(' ')[0]!.replace(/,/g, ''),
      );
    await page.getByRole('button', { name: 'Pause' }).click();
    const before = await shown();
    const counter = page.getByRole('status').filter({ hasText: 'new while paused' });
    await expect
      .poll(async () => Number(((await counter.textContent()) ?? '0').replace(/\D+/g, '')), { timeout: 15_000 })
      .toBeGreaterThan(3);
    expect(await shown()).toBe(before);
    await page.screenshot({ path: 'test-results/workspace-paused.png' });
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(shown).toBeGreaterThan(before + 3);
  });

  it('shows a gap row, impossible to miss, when the connection drops and the server keeps no history', async () => {
    lab.killStreams();
    const gap = rows(page, 'event-desk.gap');
    await expect.poll(() => gap.count(), { timeout: 20_000 }).toBe(1);
    expect(await gap.first().getAttribute('class')).toContain('gap');
    await expect.poll(() => page.getByLabel('Status').textContent()).toMatch(/1 gap/);
    await gap.first().click();
    await expect
      .poll(() => page.getByLabel('Event detail').textContent())
      .toMatch(/may be missing: the server keeps no event history/);
    await page.screenshot({ path: 'test-results/workspace-gap.png' });
  });

  it('moves through the list with the keyboard and opens the detail', async () => {
    const grid = page.getByRole('grid', { name: 'Event list' });
    await rows(page, /./).nth(2).click();
    await grid.focus();
    // Pause (the capture keeps going) so the rows hold still while we move.
    await page.keyboard.press('p');
    await expect.poll(() => page.getByRole('button', { name: 'Resume' }).isVisible()).toBe(true);
    await page.keyboard.press('Home');
    const firstName = (await rows(page, /./).nth(0).locator('.name').textContent())!;
    await expect
      .poll(() => page.getByLabel('Event detail').getByRole('heading', { level: 2 }).textContent())
      .toBe(firstName);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('j');
    const selected = page.getByRole('row', { selected: true });
    await expect
      .poll(() => selected.locator('.name').textContent())
      .toBe(await rows(page, /./).nth(2).locator('.name').textContent());
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('detail-pane');
    await page.keyboard.press('Escape');
    await page.keyboard.press('/');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('filter-input');
    await page.keyboard.press('Escape');
    await page.keyboard.press('?');
    await expect.poll(() => page.getByRole('dialog', { name: 'Keyboard shortcuts' }).isVisible()).toBe(true);
    // Esc and then p at once: the dialog is closed, but its close event (a task later) has not run yet.
    // The p is the user's and must not be lost.
    await page.evaluate(() => {
      document.querySelector<HTMLDialogElement>('dialog[open]')!.close();
      const list = document.querySelector('[aria-label="Event list"]')!;
      list.dispatchEvent(new KeyboardEvent('keydown', { key: 'p', bubbles: true }));
    });
    await expect.poll(() => page.getByRole('button', { name: 'Pause' }).isVisible()).toBe(true);
    await expect.poll(() => page.getByRole('dialog', { name: 'Keyboard shortcuts' }).count()).toBe(0);
    await grid.focus();
    await page.keyboard.press('p');
    await expect.poll(() => page.getByRole('button', { name: 'Resume' }).isVisible()).toBe(true);
  });

  it('keeps two workspaces apart, switches with Alt+number, and restores them after a reload', async () => {
    await page.getByRole('button', { name: 'New workspace' }).click();
    await expect.poll(() => page.getByRole('tab', { name: 'Workspace 2' }).getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => page.getByText('No events yet').isVisible()).toBe(true);
    await page.getByRole('tab', { name: 'Workspace 2' }).dblclick();
    await page.getByLabel('Workspace name').fill('Gateways');
    await page.getByLabel('Workspace name').press('Enter');
    await addStream(page, { server: 'Demo stack', kind: 'gateway', ids: 'demo-gateway-1', preset: 'verbose' });
    await expect.poll(() => rows(page, /demo-gateway-1/).count(), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(await rows(page, 'Lab').count()).toBe(0);
    await page.getByLabel('Filter', { exact: true }).fill('gs.*');
    await page.getByLabel('Filter', { exact: true }).press('Enter');
    await page.keyboard.press('Escape');
    await page.getByRole('grid', { name: 'Event list' }).focus();
    await page.keyboard.press('Alt+1');
    await expect.poll(() => page.getByRole('tab', { name: 'Workspace 1' }).getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => rows(page, 'Lab').count()).toBeGreaterThan(0);
    await page.screenshot({ path: 'test-results/workspace-two.png' });

    // The save is coalesced: wait until main has written it, as a user's next start would find it.
    await expect
      .poll(() => {
        try {
          return readFileSync(path.join(harness.dataDir, 'workspaces.json'), 'utf8');
        } catch {
          return '';
        }
      })
      .toContain('"filter": "gs.*"');
    await page.reload();
    await expect.poll(() => page.getByRole('tab', { name: 'Gateways' }).isVisible(), { timeout: 10_000 }).toBe(true);
    await page.getByRole('tab', { name: 'Gateways' }).click();
    await expect.poll(() => page.getByLabel('Filter', { exact: true }).inputValue(), { timeout: 10_000 }).toBe('gs.*');
    // The streams main was still running are adopted, not started twice.
    await expect.poll(() => page.getByLabel('Streams').locator('.chip').count()).toBe(1);
    expect((await harness.core.streams.list()).filter((s) => s.state.kind !== 'stopped')).toHaveLength(2);
    // …and what they captured before the reload comes back from main's index (the gap included).
    await page.getByRole('tab', { name: 'Workspace 1' }).click();
    await page.screenshot({ path: 'test-results/workspace-after-reload.png' });
    await expect.poll(() => rows(page, 'event-desk.gap').count()).toBe(1);
    // The status bar counts the view's entries and its gap, a space on each side of the dot.
    expect(await page.getByLabel('Status').textContent()).toMatch(/events in view \(<1% full\)\s· 1 gap/);
  });

  it('renders hostile content as inert text, cut where needed, without freezing', async () => {
    await page.getByRole('tab', { name: 'Workspace 1' }).click();
    let nested: unknown = 'bottom';
    for (let i = 0; i < 400; i++) nested = { n: nested };
    const hostile = {
      '@type': 'type.googleapis.com/ttn.lorawan.v3.ApplicationUp',
      end_device_ids: { device_id: '<img src=x onerror="window.__pwned=1">' },
      uplink_message: {
        f_port: 9,
        f_cnt: 1,
        frm_payload: 'PHNjcmlwdD4=',
        decoded_payload: {
          html: '<script>window.__pwned=2</script><img src=x onerror="window.__pwned=3">',
          huge: 'A'.repeat(1024 * 1024),
          nested,
        },
        rx_metadata: [{ gateway_ids: { gateway_id: '<b>gw</b>' }, rssi: -50, snr: 5 }],
      },
    };
    lab.publish([rawEvent(lab, 'as.up.data.forward', hostile, 1)]);
    const row = rows(page, /FPort 9/).first();
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
    await row.click();
    const detail = page.getByLabel('Event detail');
    await expect
      .poll(() => detail.getByLabel('LoRaWAN summary').textContent())
      .toContain('<script>window.__pwned=2</script>');
    await expect.poll(() => detail.getByLabel('LoRaWAN summary').textContent()).toContain('cut for display');
    await detail.getByRole('tab', { name: 'JSON' }).click();
    await detail.getByRole('button', { name: 'Expand decoded_payload' }).click();
    await expect.poll(() => detail.getByRole('tree').textContent()).toContain('1,048,576 characters, cut for display');
    await detail.getByRole('button', { name: 'Expand nested' }).click();
    await expect.poll(() => detail.getByRole('tree').textContent()).toContain('1 key}');
    const t0 = Date.now();
    expect(await page.evaluate(() => 1 + 1)).toBe(2);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('main img, section img, aside img, script:not([src])').count()).toBe(0);
    expect(dialogs).toEqual([]);
    await page.screenshot({ path: 'test-results/workspace-hostile.png' });
  });

  it('shows capture retention and changes it, refusing limits that are too small', async () => {
    const button = page.getByRole('button', { name: /^Retention: 2,000,000 events \/ 4\.0 GB per stream$/ });
    await button.click();
    const dialog = page.getByRole('dialog', { name: 'Capture retention' });
    await dialog.getByLabel('Events per stream').fill('500');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => dialog.getByRole('alert').textContent())
      .toContain('Keep at least 10,000 events per stream.');
    await dialog.getByLabel('Events per stream').fill('250,000');
    await dialog.getByLabel('Disk per stream (GB)').fill('1');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => page.getByRole('button', { name: /^Retention: 250,000 events \/ 1\.0 GB per stream$/ }).isVisible())
      .toBe(true);
    expect(harness.core.index.retention).toEqual({ maxEvents: 250_000, maxBytes: 1024 ** 3 });
  });

  it('raised no error in the page along the way', () => {
    expect(pageErrors).toEqual([]);
  });
});
