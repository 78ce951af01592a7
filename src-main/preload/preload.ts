/**
 * Exposes the IPC contract as `window.eventDesk`: one method per channel, nothing generic,
 * no raw IPC event objects (Electron checklist §20). Bundled into one sandbox-safe CJS file.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { INVOKE_METHODS, PUSH_METHODS, type RendererApi } from '../shared/ipc/contract.js';
import { pushFromWire } from '../shared/ipc/push-wire.js';

function buildApi(): RendererApi {
  const api: Record<string, unknown> = {};
  for (const [channel, method] of Object.entries(INVOKE_METHODS)) {
    api[method] = (...args: unknown[]) => ipcRenderer.invoke(channel, ...args);
  }
  for (const [channel, method] of Object.entries(PUSH_METHODS)) {
    api[method] = (listener: (payload: unknown) => void) => {
      const wrapped = (_event: unknown, payload: unknown) => listener(pushFromWire(channel, payload));
      ipcRenderer.on(channel, wrapped);
      return () => void ipcRenderer.off(channel, wrapped);
    };
  }
  return api as RendererApi;
}

contextBridge.exposeInMainWorld('eventDesk', buildApi());
