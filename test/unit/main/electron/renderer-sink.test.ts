/**
 * The desktop app's pushes (renderer-sink.ts): batches leave main as JSON text (a structured clone of
 * thousands of entries cost main's thread twice as much), every other push as it is, none once the
 * window is gone.
 */
import { describe, expect, it } from 'vitest';
import type { WebContents } from 'electron';
import { RendererSink } from '../../../../src-main/electron/renderer-sink.js';
import { pushFromWire } from '../../../../src-main/shared/ipc/push-wire.js';

function window() {
  const sent: { channel: string; arg: unknown }[] = [];
  let destroyed = false;
  const contents = {
    send: (channel: string, arg: unknown) => sent.push({ channel, arg }),
    isDestroyed: () => destroyed,
  } as unknown as WebContents;
  return { contents, sent, close: () => (destroyed = true) };
}

describe('RendererSink', () => {
  it('sends batches as JSON text the preload reads back, other pushes as they are, nothing to a closed window', () => {
    const w = window();
    const sink = new RendererSink();
    sink.attach(w.contents);
    const batch = { workspaceId: 'w1', summaries: [] };
    sink.send('events:batch', batch);
    const progress = { jobId: 'j', kind: 'import', state: 'running', done: 1 } as never;
    sink.send('jobs:progress', progress);
    expect(typeof w.sent[0]!.arg).toBe('string');
    expect(pushFromWire(w.sent[0]!.channel, w.sent[0]!.arg)).toEqual(batch);
    expect(w.sent[1]).toEqual({ channel: 'jobs:progress', arg: progress });
    w.close();
    sink.send('events:batch', batch);
    expect(w.sent).toHaveLength(2);
  });
});
