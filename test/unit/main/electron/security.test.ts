/**
 * The shell's guards (#13, failure 11): which links may leave the app, navigation of every frame,
 * the permission handlers, the `app://` protocol (CSP on every answer, no way out of the renderer
 * folder) and the `web-contents-created` wiring that applies the guards to every web contents.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import {
  createAppProtocolHandler,
  denyAllPermissions,
  hardenWebContents,
  installSecurityHandlers,
  PRODUCTION_CSP,
  safeExternalUrl,
} from '../../../../src-main/electron/security.js';
import { FakeApp, FakeSession, FakeWebContents } from '../../../mocks/electron.js';

vi.mock('electron', () => import('../../../mocks/electron.js'));

describe('links that may open in the system browser', () => {
  it('allows the documentation and code the app points to', () => {
    for (const url of [
      'https://www.thethingsindustries.com/docs/reference/api/events/',
      'https://thethingsindustries.com/docs',
      'https://www.thethingsnetwork.org/forum/',
      'https://github.com/TheThingsNetwork/lorawan-stack/issues',
    ])
      expect(safeExternalUrl(url)).toBe(new URL(url).toString());
  });
  it('refuses any other https site, lookalikes, credentials, ports and other schemes', () => {
    for (const url of [
      'https://evil.example/',
      'https://www.thethingsindustries.com/pricing',
      'https://thethingsnetwork.org.evil.example/',
      'https://github.com/evil/repo',
      'https://github.com/TheThingsNetworkEvil/x',
      'https://user:pw@www.thethingsnetwork.org/',
      'https://www.thethingsnetwork.org:8443/',
      'http://www.thethingsnetwork.org/',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'not a url',
    ])
      expect(safeExternalUrl(url), url).toBeUndefined();
  });
  it('a refused link is denied, not opened, and logged', () => {
    const contents = new FakeWebContents();
    const opened: string[] = [];
    const logs: string[] = [];
    hardenWebContents(
      contents as never,
      (u) => opened.push(u),
      (m) => logs.push(m),
    );
    expect(contents.windowOpenHandler?.({ url: 'https://evil.example/phish' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler?.({ url: 'https://www.thethingsnetwork.org/docs/' })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://www.thethingsnetwork.org/docs/']);
    expect(logs).toEqual(['refused to open a link outside the allowed sites: https://evil.example/phish']);
  });
});

describe('frame navigation', () => {
  it('blocks a subframe navigating away from the app (will-frame-navigate)', () => {
    const contents = new FakeWebContents();
    hardenWebContents(contents as never, () => {});
    expect(contents.emitWith('will-frame-navigate', { url: 'https://evil.example/' })).toBe(true);
    expect(contents.emitWith('will-frame-navigate', { url: 'app://event-desk/index.html' })).toBe(false);
  });
});

describe('permission handlers', () => {
  it('deny every permission request and check', () => {
    const session = new FakeSession();
    denyAllPermissions(session as never);
    for (const permission of [
      'media',
      'geolocation',
      'notifications',
      'clipboard-read',
      'openExternal',
      'fullscreen',
    ]) {
      const callback = vi.fn();
      session.permissionRequestHandler?.({}, permission, callback);
      expect(callback).toHaveBeenCalledWith(false);
      expect(session.permissionCheckHandler?.({}, permission, 'app://event-desk')).toBe(false);
    }
  });
});

describe('web-contents-created', () => {
  it('hardens every web contents the app creates, with links going through the allow-list', () => {
    const app = new FakeApp();
    const opened: string[] = [];
    installSecurityHandlers(app as never, (u) => opened.push(u));
    const contents = new FakeWebContents();
    app.emit('web-contents-created', contents);
    expect(contents.emit('will-navigate', 'https://evil.example/')).toBe(true);
    expect(contents.emitWith('will-frame-navigate', { url: 'https://evil.example/' })).toBe(true);
    expect(contents.emit('will-attach-webview')).toBe(true);
    expect(contents.windowOpenHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(opened).toEqual([]);
  });
});

describe('the app:// protocol', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'event-desk-renderer-'));
  mkdirSync(path.join(root, 'assets'));
  writeFileSync(path.join(root, 'index.html'), '<!doctype html>');
  writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(path.join(path.dirname(root), 'secret.txt'), 'outside');
  const read: string[] = [];
  const handler = createAppProtocolHandler(root, async (file) => {
    read.push(file);
    const { readFile } = await import('node:fs/promises');
    return new Response(await readFile(file), {
      headers: { 'content-type': file.endsWith('.js') ? 'text/javascript' : 'text/html' },
    });
  });

  it('serves the renderer with the production CSP on every answer', async () => {
    const r = await handler(new Request('app://event-desk/'));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-security-policy')).toBe(PRODUCTION_CSP);
    expect(await r.text()).toBe('<!doctype html>');
    const js = await handler(new Request('app://event-desk/assets/app.js'));
    expect(js.headers.get('content-type')).toBe('text/javascript');
    expect(js.headers.get('content-security-policy')).toBe(PRODUCTION_CSP);
  });

  it('never reads outside the renderer folder, however the path is spelled', async () => {
    const before = read.length;
    for (const url of [
      `app://event-desk/..%2F${path.basename(root)}%2F..%2Fsecret.txt`,
      'app://event-desk/..%2f..%2f..%2fetc%2fpasswd',
      'app://event-desk/%2e%2e/secret.txt',
      'app://event-desk/%2Fetc%2Fpasswd',
      'app://other-host/index.html',
      'app://event-desk/%E0%A4%A',
    ]) {
      const r = await handler(new Request(url));
      expect(r.status, url).toBe(404);
    }
    expect(read.slice(before).every((f) => f.startsWith(root + path.sep))).toBe(true);
  });

  it('answers 404 for a file that does not exist', async () => {
    expect((await handler(new Request('app://event-desk/missing.js'))).status).toBe(404);
  });
});
