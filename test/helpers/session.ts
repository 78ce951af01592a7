/**
 * Wires a real StreamSession to the app's CaptureIndex against a built-in stack, for integration tests.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import type { StreamState } from '../../src-main/shared/domain/stream.js';
import type { StreamEventsRequest } from '../../src-main/shared/tts/types.js';
import type { EventSummary } from '../../src-main/shared/domain/summary.js';
import { CaptureIndex } from '../../src-main/core/capture/capture-index.js';
import { runStream } from '../../src-main/core/stream/stream-client.js';
import { StreamSession } from '../../src-main/core/stream/stream-session.js';

export interface SessionRig {
  session: StreamSession;
  index: CaptureIndex;
  /** Every entry captured so far, in file order. */
  entries: () => EventSummary[];
  /** Resolves once every captured line is written; gives the capture's file. */
  written: () => Promise<string>;
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
  const index = new CaptureIndex({ dir });
  const opened = await index.open('s1', 'w', 'stream');
  if (!opened.ok) throw new Error(opened.error.message);
  const states: StreamState[] = [];
  const session = new StreamSession({
    request,
    backoff: { baseMs: 5, capMs: 40 },
    connect: (req, signal, handlers) => runStream({ baseUrl, apiKey, request: req, signal, ...opts, ...handlers }),
    listener: {
      onEvent: (raw, ev) => void index.appendEvent('s1', raw, ev),
      onStatus: (entry) => void index.appendStatus('s1', entry),
      onState: (s) => states.push(s),
    },
  });
  const entries = () => {
    const out: EventSummary[] = [];
    index.scan('w', (v) => out.push(index.get(v.id)!));
    return out;
  };
  const written = async () => {
    await index.written();
    return index.segmentsOf('w')[0]!.file!.path;
  };
  return { session, index, entries, written, states, done: session.start() };
}

/** Poll until `check` is true (no fixed sleeps), failing with `what` after `timeoutMs`. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
