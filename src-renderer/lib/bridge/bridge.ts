/**
 * The only file that finds the IPC bridge: the preload's `window.eventDesk` in the desktop app, or the
 * harness WebSocket when the page was opened with `#harness=<token>`.
 */
import type { RendererApi } from '../../../src-main/shared/ipc/contract';
import { createWsBridge } from './ws-bridge';

declare global {
  interface Window {
    eventDesk?: RendererApi;
  }
}

export function findBridge(): RendererApi | undefined {
  if (window.eventDesk) return window.eventDesk;
  const token = new URLSearchParams(location.hash.slice(1)).get('harness');
  if (token) return createWsBridge(`ws://${location.host}/ipc`, token);
  return undefined;
}
