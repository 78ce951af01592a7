/**
 * Wires a real StreamSession to a real Capture against a built-in stack, for integration tests.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import type { StreamState } from '../../src-main/shared/domain/stream.js';
import type { StreamEventsRequest } from '../../src-main/shared/tts/types.js';
import { Capture } from '../../src-main/core/capture/capture.js';
import { runStream } from '../../src-main/core/stream/stream-client.js';
import { StreamSession } from '../../src-main/core/stream/stream-session.js';

export interface SessionRig {
  session: StreamSession;
  capture: Capture;
  states: StreamState[];
  done: Promise<void>;
}

export async function rig(
  baseUrl: string,
  apiKey: string,
  request: StreamEventsRequest,
  opts: { accept?: 'json' | 'event-stream'; gzip?: boolean } = {},
): Promise<SessionRig> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-capture-'));
  const { capture } = await Capture.open(path.join(dir, 'c.ndjson'), 's1', 1_000_000_000);
  const states: StreamState[] = [];
  const session = new StreamSession({
    request,
    backoff: { baseMs: 5, capMs: 40 },
    connect: (req, signal, handlers) => runStream({ baseUrl, apiKey, request: req, signal, ...opts, ...handlers }),
    listener: {
      onEvent: (raw, ev) => capture.appendEvent(raw, ev),
      onStatus: (entry) => capture.appendStatus(entry),
      onState: (s) => states.push(s),
    },
  });
  return { session, capture, states, done: session.start() };
}

/** Poll until `check` is true (no fixed sleeps), failing with `what` after `timeoutMs`. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
