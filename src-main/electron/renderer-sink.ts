import type { WebContents } from 'electron';
import type { PushChannel, PushChannels, PushSink } from '../shared/ipc/contract.js';
import { pushToWire } from '../shared/ipc/push-wire.js';

/** Pushes to the window; dropped silently once the window is gone (GitHub Desktop ipc-webcontents). */
export class RendererSink implements PushSink {
  #target: WebContents | undefined;

  attach(contents: WebContents): void {
    this.#target = contents;
  }

  send<C extends PushChannel>(channel: C, payload: PushChannels[C]): void {
    const t = this.#target;
    if (!t || t.isDestroyed()) return;
    // Batches as JSON text, not a structured clone of thousands of objects (push-wire.ts).
    t.send(channel, pushToWire(channel, payload));
  }
}
