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

/** Only plain https links may leave the app, and only to the system browser. */
export function safeExternalUrl(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Deny navigation, new windows and every permission request (checklist §5, §13, §14).
 * Links with https: open in the system browser.
 */
export function hardenWebContents(contents: WebContents, openExternal: (url: string) => void): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const safe = safeExternalUrl(url);
    if (safe) openExternal(safe);
    return { action: 'deny' };
  });
}

export function denyAllPermissions(session: Session): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

/** Apply the guards to every web contents the app ever creates. */
export function installSecurityHandlers(app: App, openExternal: (url: string) => void): void {
  app.on('web-contents-created', (_e, contents) => hardenWebContents(contents, openExternal));
}

/** Content-Security-Policy of the production renderer (no remote code, no network). */
export const PRODUCTION_CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
