/**
 * Browser mode: the page served by the harness (`npm run harness`) and connected to it over a
 * WebSocket. What differs from the desktop app: files are picked in the page and exports arrive as
 * downloads, and the backend can go away while the page stays open.
 */

/** The harness token from the page's fragment (`#harness=…`); undefined in the desktop app. */
export function harnessToken(): string | undefined {
  if (typeof window === 'undefined' || window.eventDesk) return undefined;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- read once, never rendered
  return new URLSearchParams(location.hash.slice(1)).get('harness') ?? undefined;
}

export const isBrowserMode = (): boolean => harnessToken() !== undefined;

/** Whether the page still talks to its backend; a truly global fact, so a module-level singleton. */
class Connection {
  lost = $state(false);
}

export const connection = new Connection();

/** Lets the browser save a finished export: the one-time URL main gave, with this page's token. */
export function saveDownload(download: string): void {
  const token = harnessToken();
  if (!token || !download.startsWith('/download/')) return;
  const a = document.createElement('a');
  a.href = `${download}?token=${encodeURIComponent(token)}`;
  a.download = '';
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
}
