/**
 * After *Clear view* the capture still holds everything, and every surface says so: the list says when the view
 * was cleared and how many earlier events it hides (with a way back), the overview shades the cleared part,
 * Export… stays available and writes what the list shows (or, when asked, the whole capture), and the
 * close dialog counts what the header counts. A tester found each of these answering without a reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright';
import { launchChromium } from '../helpers/browser.js';
import { startTestHarness } from '../helpers/harness.js';
import { addStream } from '../helpers/ui.js';

const num = (s: string | null | undefined): number => Number((s ?? '').replace(/[^\d]/g, ''));

describe('after Clear view', () => {
  let browser: Browser;
  let harness: Awaited<ReturnType<typeof startTestHarness>>;
  let page: Page;
  const shown = () => page.getByText(/ shown$/).textContent();
  const legend = () => page.getByRole('group', { name: 'Capture overview' }).locator('.legend');
  /** The capture's event count, as the overview's header says it. */
  const headerTotal = async () =>
    num(
      await legend()
        .getByText(/^[\d,]+ events?$/)
        .textContent(),
    );

  beforeAll(async () => {
    harness = await startTestHarness();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(harness.url);
    await page.getByText('No events yet').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
  });

  it("the export dialog's count follows the capture while events stream in", async () => {
    await addStream(page);
    await expect.poll(async () => num(await shown()), { timeout: 30_000 }).toBeGreaterThan(40);
    await page.getByRole('button', { name: 'Export…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export events' });
    const count = dialog.getByText(/events? will be exported/);
    await count.waitFor();
    const first = num(await count.textContent());
    // The demo stack sends about 20 events a second: the count must grow while the dialog is open.
    await expect.poll(async () => num(await count.textContent()), { timeout: 15_000 }).toBeGreaterThan(first);
    expect(await dialog.getByText(/as of \d\d:\d\d:\d\d/).count()).toBe(1);
    await page.screenshot({ path: 'test-results/cleared-view-export-live.png' });
    await dialog.getByRole('button', { name: 'Close' }).click();
  });

  /** The capture's event count once the stream stopped and Clear view was pressed. */
  let total = 0;

  it('keeps Export… available right after Clear view', async () => {
    // On its own too: a stream (the first test may not have got that far) and no dialog left open.
    if (await page.getByRole('dialog').count()) await page.keyboard.press('Escape');
    if ((await page.getByLabel('Streams', { exact: true }).getByRole('button', { name: 'Stop' }).count()) === 0)
      await addStream(page);
    await expect.poll(async () => num(await shown()), { timeout: 30_000 }).toBeGreaterThan(40);
    const chips = page.getByLabel('Streams', { exact: true });
    await chips.getByRole('button', { name: 'Stop' }).first().click();
    await expect.poll(() => chips.locator('.chip .state').first().textContent()).toBe('stopped');
    // Stopped: the overview's count settles on the capture's.
    total = await (async () => {
      let last = -1;
      await expect
        .poll(
          async () => {
            const now = await headerTotal();
            const same = now === last;
            last = now;
            return same && now > 0;
          },
          { timeout: 20_000, interval: 2500 },
        )
        .toBe(true);
      return last;
    })();

    await page.getByRole('button', { name: 'Clear view' }).click();
    expect(await page.getByRole('button', { name: 'Export…' }).isEnabled()).toBe(true);
  });

  it('says when the view was cleared and what it hides, in the list, the overview and the export dialog', async () => {
    const bar = page.getByTestId('cleared-view');
    await expect
      .poll(() => bar.innerText().catch(() => ''))
      .toMatch(
        new RegExp(
          `View cleared at \\d\\d:\\d\\d:\\d\\d: ${total.toLocaleString('en')} earlier events? (is|are) hidden here, still in the capture`,
        ),
      );
    expect(await legend().innerText()).toContain(`${total.toLocaleString('en')} hidden by Clear view`);

    // A filter says it looked only at what came after the clear.
    await page.getByLabel('Filter', { exact: true }).fill('ns.up.*');
    await page.getByLabel('Filter', { exact: true }).press('Enter');
    await expect
      .poll(() =>
        page
          .getByText(/matches the filter/)
          .first()
          .textContent(),
      )
      .toMatch(/since Clear view/);
    await page.screenshot({ path: 'test-results/cleared-view-list.png' });

    // The export of the filter takes what the list shows: nothing came since Clear view (the stream is stopped), and
    // the dialog says so and how to get the whole capture; unticked, it counts the capture's matches.
    await page.getByRole('button', { name: 'Export…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export events' });
    const since = dialog.getByLabel(/Only since Clear view at \d\d:\d\d:\d\d, as the list shows them/);
    expect(await since.isChecked()).toBe(true);
    await expect
      .poll(() => dialog.getByRole('alert').textContent(), { timeout: 15_000 })
      .toBe('Nothing came since Clear view. Untick "Only since Clear view" to export the whole capture.');
    await page.screenshot({ path: 'test-results/cleared-view-export-since.png' });
    await since.uncheck();
    const matches = harness.core.index.page({ workspaceId: workspaceId(), query: 'ns.up.*', limit: 100_000 });
    const want = matches.ok ? matches.value.entries.length : -1;
    expect(want).toBeGreaterThan(0);
    await expect
      .poll(() => dialog.getByLabel('Redaction preview').textContent(), { timeout: 15_000 })
      .toContain(`${want.toLocaleString('en')} event${want === 1 ? '' : 's'} will be exported`);
    await page.screenshot({ path: 'test-results/cleared-view-export.png' });
    await dialog.getByRole('button', { name: 'Close' }).click();
  });

  it('counts in the close dialog what the header counts', async () => {
    await page.getByRole('button', { name: 'Close Workspace 1' }).click();
    const confirm = page.getByRole('dialog', { name: 'Close workspace' });
    await confirm.waitFor();
    expect(await confirm.innerText()).toContain(`the ${total.toLocaleString('en')} events captured stay on disk`);
    await page.screenshot({ path: 'test-results/cleared-view-close.png' });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
  });

  it('brings the cleared events back in one click', async () => {
    const bar = page.getByTestId('cleared-view');
    await page.getByLabel('Filter', { exact: true }).fill('');
    await page.getByLabel('Filter', { exact: true }).press('Enter');
    await bar.getByRole('button', { name: 'Show them again' }).click();
    await expect.poll(() => bar.count()).toBe(0);
    await expect.poll(async () => num(await shown()), { timeout: 15_000 }).toBeGreaterThanOrEqual(total);
  });

  it('exports what came since Clear view, or the whole capture when asked', async () => {
    const chips = page.getByLabel('Streams', { exact: true });
    await addStream(page);
    await expect.poll(async () => num(await shown()), { timeout: 30_000 }).toBeGreaterThan(total + 20);
    await page.getByRole('button', { name: 'Clear view' }).click();
    await expect.poll(async () => num(await shown()), { timeout: 30_000 }).toBeGreaterThan(10);
    for (const stop of await chips.getByRole('button', { name: 'Stop' }).all()) await stop.click();
    await expect.poll(() => chips.getByRole('button', { name: 'Stop' }).count()).toBe(0);
    // What the list shows once the stream stopped and the last batch arrived.
    let listed = -1;
    await expect
      .poll(
        async () => {
          const now = num(await shown());
          const same = now === listed;
          listed = now;
          return same;
        },
        { timeout: 20_000, interval: 1500 },
      )
      .toBe(true);
    const all = harness.core.index.page({ workspaceId: workspaceId(), query: 'kind:event', limit: 100_000 });
    const everything = all.ok ? all.value.entries.length : -1;
    expect(everything).toBeGreaterThan(listed);

    const exported = async (file: string, whole: boolean): Promise<string[]> => {
      await page.getByRole('button', { name: 'Export…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Export events' });
      await dialog.getByLabel('Everything captured in this workspace').check();
      await dialog.getByLabel('NDJSON (one event per line; for jq and scripts)').check();
      const since = dialog.getByLabel(/Only since Clear view/);
      if (whole) await since.uncheck();
      const n = whole ? everything : listed;
      await expect
        .poll(() => dialog.getByLabel('Redaction preview').textContent(), { timeout: 15_000 })
        .toContain(`${n.toLocaleString('en')} events will be exported`);
      harness.dialogs.saves.push(path.join(harness.dataDir, file));
      await dialog.getByRole('button', { name: 'Export…' }).click();
      await expect
        .poll(() => dialog.getByRole('status', { name: 'Export progress' }).textContent(), { timeout: 30_000 })
        .toMatch(new RegExp(`Exported ${n.toLocaleString('en')} entries to`));
      await dialog.getByRole('button', { name: 'Close' }).click();
      return readFileSync(path.join(harness.dataDir, file), 'utf8').split('\n').filter(Boolean);
    };
    // Since Clear view: the events the list shows, every one of them newer than the newest the view held.
    const sinceLines = await exported('since.ndjson', false);
    expect(sinceLines.length).toBe(listed);
    const whole = await exported('whole.ndjson', true);
    expect(whole.length).toBe(everything);
    const uid = (l: string) => (JSON.parse(l) as { unique_id: string }).unique_id;
    const wholeIds = whole.map(uid);
    // The file since Clear view is the whole capture's tail.
    expect(wholeIds.slice(-listed).sort()).toEqual(sinceLines.map(uid).sort());
  });

  function workspaceId(): string {
    return harness.core.streams.list()[0]!.spec.workspaceId;
  }
});
