import path from 'node:path';
import type { App, Session, WebContents } from 'electron';

/** The origin the renderer is served from (custom protocol, Electron checklist §18). */
export const APP_ORIGIN = 'app://event-desk';

/** True if a URL belongs to our own renderer. */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}` === APP_ORIGIN;
  } catch {
    return false;
  }
}

/**
 * Where links may take the user: the documentation and code the app itself points to (Electron
 * checklist §15, "do not use shell.openExternal with untrusted content"). A server-sent string that
 * became a link must not open an arbitrary site, so anything else is refused (#13).
 */
const EXTERNAL_ALLOWED: ReadonlyArray<{ host: RegExp; path?: RegExp }> = [
  { host: /^(www\.)?thethingsindustries\.com$/, path: /^\/docs(\/|$)/ },
  { host: /^(www\.)?thethingsnetwork\.org$/ },
  { host: /^github\.com$/, path: /^\/TheThingsNetwork(\/|$)/ },
];

/** An https link to an allowed host and path, normalised; undefined for anything else. */
export function safeExternalUrl(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  // No credentials or odd ports in a link we hand to the system browser.
  if (u.protocol !== 'https:' || u.username || u.password || u.port) return undefined;
  const allowed = EXTERNAL_ALLOWED.some((r) => r.host.test(u.hostname) && (!r.path || r.path.test(u.pathname)));
  return allowed ? u.toString() : undefined;
}

/**
 * Deny navigation (of the window and of any frame), new windows, webviews (checklist §13, §14).
 * Allowed links open in the system browser; others are refused and logged.
 */
export function hardenWebContents(
  contents: WebContents,
  openExternal: (url: string) => void,
  log: (m: string) => void = () => {},
): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  // Subframes navigate without 'will-navigate' (Electron ≥ 25 emits this one for every frame).
  contents.on('will-frame-navigate', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const safe = safeExternalUrl(url);
    if (safe) openExternal(safe);
    else log(`refused to open a link outside the allowed sites: ${url.slice(0, 200)}`);
    return { action: 'deny' };
  });
}

export function denyAllPermissions(session: Session): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

/** Apply the guards to every web contents the app ever creates. */
export function installSecurityHandlers(
  app: App,
  openExternal: (url: string) => void,
  log?: (m: string) => void,
): void {
  app.on('web-contents-created', (_e, contents) => hardenWebContents(contents, openExternal, log));
}

/** Content-Security-Policy of the production renderer (no remote code, no network). */
export const PRODUCTION_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The `app://event-desk/…` protocol: files of the built renderer only, each with the production CSP
 * (checklist §7, §18). `fetchFile` reads one file (net.fetch of a file URL in the shell).
 */
export function createAppProtocolHandler(
  rendererDir: string,
  fetchFile: (file: string) => Promise<Response>,
): (request: Request) => Promise<Response> {
  const root = path.resolve(rendererDir);
  const notFound = () => new Response('not found', { status: 404 });
  return async (request) => {
    let rel: string;
    try {
      const u = new URL(request.url);
      if (`${u.protocol}//${u.host}` !== APP_ORIGIN) return notFound();
      // Decoded, so an encoded `..%2F` is judged as the path it names.
      rel = decodeURIComponent(u.pathname).replace(/^\/+/, '') || 'index.html';
    } catch {
      return notFound();
    }
    const file = path.resolve(root, rel);
    if (!file.startsWith(root + path.sep)) return notFound();
    const r = await fetchFile(file).catch(() => undefined);
    if (!r || !r.ok) return notFound();
    return new Response(r.body, {
      headers: {
        'Content-Type': r.headers.get('content-type') ?? 'text/plain',
        'Content-Security-Policy': PRODUCTION_CSP,
      },
    });
  };
}
