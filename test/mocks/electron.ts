/**
 * A test double for the `electron` module: records what the shell registers, so window options,
 * guards, IPC handlers and the preload can be checked on plain Node.
 */
import { vi } from 'vitest';

type Listener = (...args: unknown[]) => void;

export class FakeWebContents {
  readonly listeners = new Map<string, Listener[]>();
  windowOpenHandler: ((d: { url: string }) => { action: string }) | undefined;
  on(event: string, l: Listener) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), l]);
    return this;
  }
  setWindowOpenHandler(h: (d: { url: string }) => { action: string }) {
    this.windowOpenHandler = h;
  }
  /** Fire an event the way Electron would; returns whether a listener called preventDefault. */
  emit(event: string, ...args: unknown[]): boolean {
    return this.emitWith(event, {}, ...args);
  }
  /** The same, with fields on the event object (`will-frame-navigate` carries its `url` there). */
  emitWith(event: string, fields: Record<string, unknown>, ...args: unknown[]): boolean {
    let prevented = false;
    const e = { ...fields, preventDefault: () => (prevented = true) };
    for (const l of this.listeners.get(event) ?? []) l(e, ...args);
    return prevented;
  }
}

/** A session that records the permission handlers it is given. */
export class FakeSession {
  permissionRequestHandler:
    ((wc: unknown, permission: string, callback: (granted: boolean) => void, details?: unknown) => void) | undefined;
  permissionCheckHandler:
    ((wc: unknown, permission: string, origin?: string, details?: unknown) => boolean) | undefined;
  setPermissionRequestHandler(h: FakeSession['permissionRequestHandler']) {
    this.permissionRequestHandler = h;
  }
  setPermissionCheckHandler(h: FakeSession['permissionCheckHandler']) {
    this.permissionCheckHandler = h;
  }
}

/** An `app` that records its listeners and lets a test fire them. */
export class FakeApp {
  readonly listeners = new Map<string, Listener[]>();
  on(event: string, l: Listener) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), l]);
    return this;
  }
  emit(event: string, ...args: unknown[]): void {
    for (const l of this.listeners.get(event) ?? []) l({ preventDefault: () => {} }, ...args);
  }
}

export const exposed: Record<string, unknown> = {};
export const invoked: Array<{ channel: string; args: unknown[] }> = [];
export const rendererListeners = new Map<string, Listener[]>();

export const contextBridge = {
  exposeInMainWorld: vi.fn((key: string, api: unknown) => {
    exposed[key] = api;
  }),
};

export const ipcRenderer = {
  invoke: vi.fn(async (channel: string, ...args: unknown[]) => {
    invoked.push({ channel, args });
    return { ok: true, value: null };
  }),
  on: vi.fn((channel: string, l: Listener) => {
    rendererListeners.set(channel, [...(rendererListeners.get(channel) ?? []), l]);
  }),
  off: vi.fn((channel: string, l: Listener) => {
    rendererListeners.set(
      channel,
      (rendererListeners.get(channel) ?? []).filter((x) => x !== l),
    );
  }),
};

export const handlers = new Map<string, (event: unknown, ...args: unknown[]) => Promise<unknown>>();
export const ipcMain = {
  handle: vi.fn((channel: string, h: (event: unknown, ...args: unknown[]) => Promise<unknown>) => {
    handlers.set(channel, h);
  }),
};

/** The application menu the shell installed last (its template as given to buildFromTemplate). */
export const appMenu: { template: unknown[] | undefined } = { template: undefined };
export const Menu = {
  buildFromTemplate: vi.fn((template: unknown[]) => ({ template })),
  setApplicationMenu: vi.fn((menu: { template: unknown[] } | null) => {
    appMenu.template = menu?.template;
  }),
};

export default { contextBridge, ipcRenderer, ipcMain, Menu };
