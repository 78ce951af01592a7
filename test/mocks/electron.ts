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
    let prevented = false;
    const e = { preventDefault: () => (prevented = true) };
    for (const l of this.listeners.get(event) ?? []) l(e, ...args);
    return prevented;
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
    rendererListeners.set(channel, (rendererListeners.get(channel) ?? []).filter((x) => x !== l));
  }),
};

export const handlers = new Map<string, (event: unknown, ...args: unknown[]) => Promise<unknown>>();
export const ipcMain = {
  handle: vi.fn((channel: string, h: (event: unknown, ...args: unknown[]) => Promise<unknown>) => {
    handlers.set(channel, h);
  }),
};

export default { contextBridge, ipcRenderer, ipcMain };
