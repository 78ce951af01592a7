/**
 * How a push crosses from main to the window in the desktop app. Batches of entries go as JSON text:
 * Electron clones IPC arguments with V8's serializer, which took 4.4–6.1 µs per entry on main's thread
 * (Node's `v8.serialize`, the same serializer, over batches of 2,500), where `JSON.stringify` takes
 * ~2.2 and the text is then copied whole. At full speed that was a quarter of main's time per event.
 * Browser mode sends every push as JSON already, so both transports now carry the same text.
 */
import type { PushChannel, PushChannels } from './contract.js';

/** What main hands to IPC for a push. */
export function pushToWire<C extends PushChannel>(channel: C, payload: PushChannels[C]): unknown {
  return channel === 'events:batch' ? JSON.stringify(payload) : payload;
}

/** The push as the renderer's listeners take it (in the preload, before the context bridge). */
export function pushFromWire(channel: string, wire: unknown): unknown {
  return channel === 'events:batch' && typeof wire === 'string' ? JSON.parse(wire) : wire;
}
