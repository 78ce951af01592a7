/**
 * The RendererApi over the test harness's loopback WebSocket (only used when the page is served by
 * the harness; the desktop app uses the preload's `window.eventDesk`).
 */
import {
  INVOKE_METHODS,
  MAX_BRIDGE_FRAME_BYTES,
  PUSH_METHODS,
  type RendererApi,
} from '../../../src-main/shared/ipc/contract';
import type { Result } from '../../../src-main/shared/result';
import { connection } from './browser-mode.svelte';

export function createWsBridge(url: string, token: string): RendererApi {
  const socket = new WebSocket(url, [`token.${token}`]);
  const open = new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error('bridge connection failed')), { once: true });
  });
  const pending = new Map<number, (r: Result<unknown>) => void>();
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  let next = 1;
  socket.addEventListener('message', (e: MessageEvent<string>) => {
    const msg = JSON.parse(e.data) as { id?: number; result?: Result<unknown>; push?: string; payload?: unknown };
    if (msg.push) listeners.get(msg.push)?.forEach((l) => l(msg.payload));
    else if (msg.id !== undefined) {
      pending.get(msg.id)?.(msg.result ?? { ok: false, error: { code: 'internal', message: 'empty reply' } });
      pending.delete(msg.id);
    }
  });
  socket.addEventListener('close', () => {
    connection.lost = true;
    for (const resolve of pending.values())
      resolve({
        ok: false,
        error: { code: 'network', message: 'The connection to the core was lost. Reload the window.' },
      });
    pending.clear();
  });
  const api: Record<string, unknown> = {};
  for (const [channel, method] of Object.entries(INVOKE_METHODS)) {
    api[method] = async (...args: unknown[]) => {
      try {
        await open;
      } catch {
        return { ok: false, error: { code: 'network', message: 'The core is not reachable.' } };
      }
      const id = next++;
      const frame = JSON.stringify({ id, channel, args });
      // The harness closes a socket that sends a bigger frame: refuse this one request, keep the connection.
      if (
        frame.length * 3 > MAX_BRIDGE_FRAME_BYTES &&
        new TextEncoder().encode(frame).length > MAX_BRIDGE_FRAME_BYTES
      ) {
        const mb = (MAX_BRIDGE_FRAME_BYTES / 1024 / 1024).toFixed(0);
        return {
          ok: false,
          error: { code: 'invalid-input', message: `That is too large to send to the backend (more than ${mb} MB).` },
        };
      }
      return new Promise<Result<unknown>>((resolve) => {
        pending.set(id, resolve);
        socket.send(frame);
      });
    };
  }
  for (const [channel, method] of Object.entries(PUSH_METHODS)) {
    api[method] = (listener: (p: unknown) => void) => {
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    };
  }
  return api as RendererApi;
}
