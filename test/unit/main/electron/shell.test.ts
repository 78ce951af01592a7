import { describe, expect, it, vi } from 'vitest';
import { createMainWindowOptions } from '../../../../src-main/electron/window-options.js';
import {
  hardenWebContents,
  isAppUrl,
  PRODUCTION_CSP,
  safeExternalUrl,
} from '../../../../src-main/electron/security.js';
import { isTrustedSender, registerIpcHandlers } from '../../../../src-main/electron/ipc-main.js';
import { INVOKE_CHANNELS, type InvokeHandlers } from '../../../../src-main/shared/ipc/contract.js';
import { ok } from '../../../../src-main/shared/result.js';
import { FakeWebContents, handlers, ipcMain } from '../../../mocks/electron.js';

vi.mock('electron', () => import('../../../mocks/electron.js'));

describe('main window options', () => {
  const options = createMainWindowOptions('/app/preload.cjs');
  it('isolates and sandboxes the renderer, with no Node', () => {
    expect(options.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
    });
    expect(options.webPreferences?.preload).toBe('/app/preload.cjs');
  });
  it('shows the window only when it is ready', () => {
    expect(options.show).toBe(false);
  });
});

describe('navigation guards', () => {
  const contents = new FakeWebContents();
  const opened: string[] = [];
  hardenWebContents(contents as never, (u) => opened.push(u));

  it('blocks navigation away from the app', () => {
    expect(contents.emit('will-navigate', 'https://evil.example/')).toBe(true);
    expect(contents.emit('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(contents.emit('will-redirect', 'http://127.0.0.1:1/')).toBe(true);
    expect(contents.emit('will-navigate', 'app://event-desk/index.html')).toBe(false);
  });

  it('blocks webviews', () => {
    expect(contents.emit('will-attach-webview')).toBe(true);
  });

  it('denies new windows and sends only https links to the system browser', () => {
    expect(contents.windowOpenHandler?.({ url: 'https://www.thethingsindustries.com/docs/' })).toEqual({
      action: 'deny',
    });
    expect(contents.windowOpenHandler?.({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://www.thethingsindustries.com/docs/']);
  });

  it('recognises only its own origin and https links', () => {
    expect(isAppUrl('app://event-desk/x')).toBe(true);
    expect(isAppUrl('app://other/x')).toBe(false);
    expect(safeExternalUrl('http://example.com')).toBeUndefined();
  });

  it('ships a CSP with no network and no remote scripts', () => {
    expect(PRODUCTION_CSP).toContain("connect-src 'none'");
    expect(PRODUCTION_CSP).toContain("script-src 'self'");
    expect(PRODUCTION_CSP).not.toMatch(/unsafe-eval|https?:/);
  });
});

describe('IPC sender and payload validation', () => {
  const calls: unknown[][] = [];
  const fake = Object.fromEntries(
    INVOKE_CHANNELS.map((c) => [
      c,
      async (...args: unknown[]) => {
        calls.push([c, ...args]);
        return ok(c);
      },
    ]),
  ) as unknown as InvokeHandlers;
  registerIpcHandlers(ipcMain, fake, () => {});
  const fromApp = { senderFrame: { url: 'app://event-desk/index.html', parent: null } };

  it('registers a handler for every channel of the contract', () => {
    expect([...handlers.keys()].sort()).toEqual([...INVOKE_CHANNELS].sort());
  });

  it('answers our own main frame', async () => {
    expect(await handlers.get('streams:list')!(fromApp)).toEqual({ ok: true, value: 'streams:list' });
  });

  it('refuses other origins, subframes and missing frames without calling the handler', async () => {
    const before = calls.length;
    for (const event of [
      { senderFrame: { url: 'https://evil.example/', parent: null } },
      { senderFrame: { url: 'app://event-desk/x', parent: {} } },
      { senderFrame: null },
    ]) {
      const r = (await handlers.get('streams:list')!(event)) as { ok: boolean; error: { code: string } };
      expect(r.ok).toBe(false);
      expect(r.error.code).toBe('forbidden');
    }
    expect(calls.length).toBe(before);
    expect(isTrustedSender({ senderFrame: null } as never)).toBe(false);
  });

  it('refuses invalid payloads with a readable error', async () => {
    const r = (await handlers.get('streams:start')!(fromApp, {
      workspaceId: 'w',
      profileId: 'p',
      entities: [{ kind: 'bogus', id: 'x' }],
      names: [],
    })) as { ok: boolean; error: { code: string } };
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    const r2 = (await handlers.get('events:get')!(fromApp, '1; DROP')) as { ok: boolean };
    expect(r2.ok).toBe(false);
    const r3 = (await handlers.get('streams:list')!(fromApp, 'extra')) as { ok: boolean };
    expect(r3.ok).toBe(false);
  });

  it('turns a throwing handler into an internal error instead of crashing', async () => {
    const throwing = {
      ...fake,
      'streams:list': async () => {
        throw new Error('boom');
      },
    } as InvokeHandlers;
    handlers.clear();
    registerIpcHandlers(ipcMain, throwing, () => {});
    expect(await handlers.get('streams:list')!(fromApp)).toMatchObject({ ok: false, error: { code: 'internal' } });
  });
});
