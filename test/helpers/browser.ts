/**
 * Debian's Chromium driven by Playwright, with the flags these offline machines need.
 */
import { chromium, type Browser } from 'playwright';

export const CHROMIUM_PATH = process.env.EVENT_DESK_CHROMIUM ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}
