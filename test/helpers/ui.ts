/**
 * What a user does in the app, as Playwright steps shared by the E2E tests.
 */
import { expect } from 'vitest';
import type { Locator, Page } from 'playwright';

export interface StreamChoice {
  server?: string;
  kind?: 'application' | 'device' | 'gateway' | 'organization' | 'user' | 'client';
  ids?: string;
  application?: string;
  preset?: 'console' | 'verbose' | 'custom';
  custom?: string;
}

export async function addStream(page: Page, choice: StreamChoice = {}): Promise<void> {
  await page.getByRole('button', { name: '+ Stream' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a stream' });
  if (choice.server) await dialog.getByLabel('Server').selectOption({ label: choice.server });
  // The default server is the Demo stack profile, which the window learns asynchronously: wait for it.
  else await expect.poll(() => dialog.getByLabel('Server').textContent(), { timeout: 15_000 }).toContain('Demo stack');
  if (choice.kind) await dialog.getByLabel('Entity kind').selectOption(choice.kind);
  if (choice.application) await dialog.getByLabel('Application ID').fill(choice.application);
  if (choice.ids) await dialog.getByLabel('Entity IDs').fill(choice.ids);
  if (choice.preset === 'verbose') await dialog.getByLabel('Verbose: every event the key can see').check();
  if (choice.preset === 'custom') {
    await dialog.getByLabel('Custom names or /regex/').check();
    await dialog.getByLabel('Custom names').fill(choice.custom ?? '');
  }
  await dialog.getByRole('button', { name: 'Start stream' }).click();
  // Starting a stream reads the key from the keychain (and may start the Demo stack): more than the
  // poll's default second on a busy machine; a clean-clone run once took past 15 s here. If the dialog
  // stays open, its error text says why.
  // innerText gets a short timeout of its own: the dialog may close between isVisible and innerText, and
  // Playwright's default would then wait 30 s for an element that is gone.
  const state = async () =>
    (await dialog.isVisible())
      ? `still open: ${await dialog.innerText({ timeout: 250 }).catch(() => '(closing)')}`
      : 'closed';
  await expect.poll(state, { timeout: 30_000 }).toBe('closed');
}

export async function openProfiles(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Profiles' }).click();
  await expect.poll(() => page.getByRole('dialog', { name: 'Server profiles' }).isVisible()).toBe(true);
}

export async function closeProfiles(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Close profiles' }).click();
}

/** Create a profile in the open profiles panel and set its key; returns nothing (the list shows it). */
export async function createProfile(page: Page, name: string, url: string, key?: string): Promise<void> {
  const panel = page.getByRole('dialog', { name: 'Server profiles' });
  await panel.getByRole('button', { name: 'New profile' }).click();
  const form = panel.getByRole('form', { name: 'Profile' });
  await form.getByRole('textbox', { name: 'Name' }).fill(name);
  await form.getByRole('textbox', { name: 'Base URL' }).fill(url);
  await form.getByRole('button', { name: 'Create profile' }).click();
  await expect.poll(() => panel.getByRole('button', { name: new RegExp(name) }).count()).toBeGreaterThan(0);
  if (key) await setKey(page, key);
}

export async function setKey(page: Page, key: string): Promise<void> {
  const panel = page.getByRole('dialog', { name: 'Server profiles' });
  const keyForm = panel.getByRole('form', { name: 'API key' });
  await keyForm.getByLabel('New API key').fill(key);
  await keyForm.getByRole('button', { name: /Set key|Replace key/ }).click();
  await expect.poll(() => keyForm.getByLabel('New API key').inputValue()).toBe('');
  await expect.poll(() => keyForm.textContent()).toContain('A key is set');
}

/** Rows of the event list whose text matches. */
export const rows = (page: Page, text: string | RegExp) =>
  page.getByRole('grid', { name: 'Event list' }).getByRole('row').filter({ hasText: text });

/**
 * Whether a cut text shows its end (IDs differ there): it overflows, its last character lies inside the box
 * and its first one outside.
 */
export async function cutShowingEnd(el: Locator): Promise<boolean> {
  return el.evaluate((node) => {
    const text = document.createTreeWalker(node, NodeFilter.SHOW_TEXT).nextNode() as Text | null;
    if (!text || text.length < 2) return false;
    const box = node.getBoundingClientRect();
    const at = (i: number) => {
      const range = document.createRange();
      range.setStart(text, i);
      range.setEnd(text, i + 1);
      return range.getBoundingClientRect();
    };
    const first = at(0);
    const last = at(text.length - 1);
    return node.scrollWidth > node.clientWidth && last.right <= box.right + 0.5 && first.left < box.left;
  });
}
