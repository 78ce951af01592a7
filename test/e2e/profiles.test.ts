import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { readdirSync, readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright';
import { launchChromium } from '../helpers/browser.js';
import { startTestHarness } from '../helpers/harness.js';
import { addStream, closeProfiles, createProfile, openProfiles, rows, setKey } from '../helpers/ui.js';
import { generateApiKey, startStack, type StackHandle } from '../../src-main/core/stack/server.js';

describe('profiles and keys, end to end', () => {
  let browser: Browser;
  let harness: Awaited<ReturnType<typeof startTestHarness>>;
  let page: Page;
  const stacks: StackHandle[] = [];
  const keys = { full: generateApiKey(), partial: generateApiKey(), none: generateApiKey() };
  const wire: { direction: 'in' | 'out'; text: string }[] = [];
  const logs: string[] = [];
  const pageTexts: string[] = [];
  const secretOf = (k: string) => k.split('.')[2]!;

  /** Everything the page shows or holds in inputs right now. */
  const snapshot = async () => {
    pageTexts.push(
      await page.evaluate(
        () =>
          document.body.innerText +
          '\n' +
          Array.from(document.querySelectorAll('input, textarea'))
            .map((e) => (e as HTMLInputElement).value)
            .join('\n'),
      ),
    );
  };

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      stacks.push(
        await startStack({
          seed: 70 + i,
          rate: 25,
          store: { enabled: true },
          scenario: { devices: 3, gateways: 2 },
          keys: [
            {
              key: keys.full,
              rights: { application: { '*': ['RIGHT_APPLICATION_ALL'] }, gateway: { '*': ['RIGHT_GATEWAY_ALL'] } },
              owner: { kind: 'user', id: 'support' },
            },
            {
              key: keys.partial,
              rights: { application: { 'demo-app': ['RIGHT_APPLICATION_INFO', 'RIGHT_APPLICATION_DEVICES_READ'] } },
              owner: { kind: 'application', id: 'demo-app' },
            },
            { key: keys.none, rights: {}, owner: { kind: 'application', id: 'demo-app' } },
          ],
        }),
      );
    }
    harness = await startTestHarness({
      onMessage: (direction, text) => wire.push({ direction, text }),
      log: (m) => logs.push(m),
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    await page.goto(harness.url);
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
    for (const s of stacks) await s.close();
  });

  it('validates the form inline before anything is saved', async () => {
    await openProfiles(page);
    const panel = page.getByRole('dialog', { name: 'Server profiles' });
    await panel.getByRole('button', { name: 'New profile' }).click();
    const form = panel.getByRole('form', { name: 'Profile' });
    await form.getByRole('textbox', { name: 'Base URL' }).fill('eu1 cloud');
    await form.getByRole('button', { name: 'Create profile' }).click();
    await expect.poll(() => form.textContent()).toContain('Give the profile a name');
    await expect.poll(() => form.textContent()).toContain('The base URL is not a URL');
    await page.screenshot({ path: 'test-results/profiles-validation.png' });
    // The Demo stack's profile exists: a second of that name (in any case) is refused where the name is typed.
    await form.getByRole('textbox', { name: 'Name' }).fill('demo STACK');
    await form.getByRole('textbox', { name: 'Base URL' }).fill('https://eu1.cloud.thethings.network');
    await form.getByRole('button', { name: 'Create profile' }).click();
    const nameError = form.getByText('A profile is named "Demo stack" already: give this one another name.');
    await expect.poll(() => nameError.count()).toBe(1);
    expect(await panel.getByRole('button', { name: /demo STACK/ }).count()).toBe(0);
    await page.screenshot({ path: 'test-results/profiles-duplicate-name.png' });
  });

  it('check connection shows rights and warnings for full, partial and no rights', async () => {
    await createProfile(page, 'Server A', stacks[0]!.url, keys.full);
    await snapshot();
    const panel = page.getByRole('dialog', { name: 'Server profiles' });
    const check = panel.getByRole('region', { name: 'Connection check' });
    await check.getByRole('button', { name: 'Check connection' }).click();
    await expect.poll(() => check.textContent()).toContain('Reached');
    await expect.poll(() => check.textContent()).toContain('APPLICATION_ALL');
    expect(await check.locator('li.warning').count()).toBe(0);
    await page.screenshot({ path: 'test-results/profiles-check-full.png' });

    await setKey(page, keys.partial);
    await check.getByRole('button', { name: 'Check connection' }).click();
    await expect.poll(() => check.textContent()).toContain('of application “demo-app”');
    await expect.poll(() => check.textContent()).toContain('No uplinks, downlinks and joins');
    await page.screenshot({ path: 'test-results/profiles-check-partial.png' });
    // The list says which profiles lack a key in the error colour, and the Demo stack's (made on first use) not.
    const keyColor = (name: string) =>
      panel
        .getByRole('button', { name: new RegExp(`^${name}`) })
        .locator('.key')
        .evaluate((el) => getComputedStyle(el).color);
    const errorColor = await page.evaluate(() => {
      const probe = document.createElement('span');
      probe.style.color = 'var(--error)';
      document.body.append(probe);
      const c = getComputedStyle(probe).color;
      probe.remove();
      return c;
    });
    expect(await panel.getByRole('button', { name: /^Demo stack/ }).textContent()).toContain('key made on first use');
    expect(await keyColor('Demo stack')).not.toBe(errorColor);
    expect(await keyColor('Server A')).not.toBe(errorColor);

    await setKey(page, keys.none);
    await check.getByRole('button', { name: 'Check connection' }).click();
    await expect.poll(() => check.textContent()).toContain('no rights at all');
    await page.screenshot({ path: 'test-results/profiles-check-none.png' });

    await setKey(page, generateApiKey());
    await check.getByRole('button', { name: 'Check connection' }).click();
    await expect.poll(() => check.textContent()).toContain('does not know this API key');
    await setKey(page, keys.full);
    await snapshot();
  });

  it('two profiles on two stack instances stream at the same time in one workspace', async () => {
    await createProfile(page, 'Server B', stacks[1]!.url, keys.full);
    await snapshot();
    await closeProfiles(page);
    await addStream(page, { server: 'Server A', preset: 'verbose' });
    await addStream(page, { server: 'Server B', preset: 'verbose' });
    await expect
      .poll(() => rows(page, /Server A.*as\.up\.data\.forward/).count(), { timeout: 20_000 })
      .toBeGreaterThan(0);
    await expect
      .poll(() => rows(page, /Server B.*as\.up\.data\.forward/).count(), { timeout: 20_000 })
      .toBeGreaterThan(0);
    await expect
      .poll(() => page.getByLabel('Status').textContent())
      .toMatch(/Server A · demo-app: live.*Server B · demo-app: live/);
    await snapshot();
    await page.screenshot({ path: 'test-results/profiles-two-servers.png' });
  });

  it('a stream whose key is revoked stops with the reason and a fix-it action', async () => {
    stacks[1]!.revokeKey(keys.full);
    await expect
      .poll(() => page.getByLabel('Status').textContent(), { timeout: 20_000 })
      .toMatch(/Server B · demo-app: stopped: .*(no longer valid|rejected|does not know)/);
    await page.getByRole('button', { name: 'Fix the key…' }).click();
    await expect
      .poll(() =>
        page.getByRole('dialog', { name: 'Server profiles' }).getByRole('heading', { name: 'Server B' }).isVisible(),
      )
      .toBe(true);
    await snapshot();
    await closeProfiles(page);
  });

  it('the keys appear in no message main sent, no page text, no log, no profile or capture file', async () => {
    const secrets = Object.values(keys).map(secretOf);
    const outbound = wire
      .filter((m) => m.direction === 'out')
      .map((m) => m.text)
      .join('\n');
    // Inbound: the only messages allowed to carry a key are the set-key calls themselves.
    const inbound = wire
      .filter((m) => m.direction === 'in' && !m.text.includes('"profiles:set-key"'))
      .map((m) => m.text)
      .join('\n');
    const files = [
      'profiles.json',
      'workspaces.json',
      ...readdirSync(path.join(harness.dataDir, 'captures')).map((f) => path.join('captures', f)),
    ]
      .map((f) => {
        try {
          return readFileSync(path.join(harness.dataDir, f), 'utf8');
        } catch {
          return '';
        }
      })
      .join('\n');
    expect(wire.filter((m) => m.text.includes('"profiles:set-key"')).length).toBe(6);
    expect(outbound.length).toBeGreaterThan(1000);
    for (const s of secrets) {
      expect(outbound).not.toContain(s);
      expect(inbound).not.toContain(s);
      expect(pageTexts.join('\n')).not.toContain(s);
      expect(logs.join('\n')).not.toContain(s);
      expect(files).not.toContain(s);
    }
  });
});
