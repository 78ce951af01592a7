import { describe, expect, it } from 'vitest';
import { StreamSession, type Connect } from '../../../../../src-main/core/stream/stream-session.js';
import type { StatusEntry } from '../../../../../src-main/core/capture/capture-file.js';
import type { StreamEventsRequest, TtsEvent } from '../../../../../src-main/shared/tts/types.js';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const event = (ms: number, id: string): TtsEvent =>
  ({
    name: 'as.up.data.forward',
    time: new Date(ms).toISOString(),
    identifiers: [],
    unique_id: id,
  }) as unknown as TtsEvent;

/** A server script: each connection is a function that delivers messages and ends. */
function scripted(connections: ((h: Parameters<Connect>[2], req: StreamEventsRequest) => void)[]): {
  connect: Connect;
  requests: StreamEventsRequest[];
} {
  const requests: StreamEventsRequest[] = [];
  let n = 0;
  const connect: Connect = async (req, signal, h) => {
    requests.push(req);
    const script = connections[n++];
    if (!script) return new Promise((resolve) => signal.addEventListener('abort', () => resolve({ kind: 'aborted' })));
    script(h, req);
    return { kind: 'eof' };
  };
  return { connect, requests };
}

/**
 * Run a session against a script until it has played (`ms`), stop it, and give the status entries it recorded.
 * `clock` may move as the script plays (a laptop that slept).
 */
async function statusesOf(
  connect: Connect,
  o: { request?: StreamEventsRequest; clock?: () => number; storeWindowMs?: number; ms?: number } = {},
): Promise<StatusEntry[]> {
  const statuses: StatusEntry[] = [];
  const session = new StreamSession({
    request: o.request ?? { identifiers: [{ application_ids: { application_id: 'app' } }] },
    connect,
    clock: o.clock ?? (() => T0),
    backoff: { baseMs: 1, capMs: 2 },
    ...(o.storeWindowMs !== undefined ? { storeWindowMs: o.storeWindowMs } : {}),
    listener: { onEvent: () => undefined, onStatus: (e) => statuses.push(e), onState: () => undefined },
  });
  void session.start();
  await new Promise((r) => setTimeout(r, o.ms ?? 50));
  session.stop();
  return statuses;
}

describe('resuming after an outage longer than the server store reaches back', () => {
  it('asks for history from the last event and records the unreachable part as a gap', async () => {
    let now = T0;
    const { connect, requests } = scripted([
      (h) => {
        h.onOpen({ status: 200 });
        h.onMessage({ kind: 'event', event: event(T0, 'A'), raw: '{}' });
        now = T0 + 25 * 3600_000; // the laptop slept for 25 hours
      },
      (h) => {
        h.onOpen({ status: 200 }); // the store answers (no X-Warning), but only 24 h back
      },
    ]);
    const statuses = await statusesOf(connect, { clock: () => now, storeWindowMs: 24 * 3600_000 });
    expect(requests[1]!.after).toBe(new Date(T0 - 1000).toISOString());
    expect(requests[1]!.tail).toBe(1024);
    const gap = statuses.find((s) => s.kind === 'gap')!;
    expect(gap).toMatchObject({ from: new Date(T0).toISOString(), to: new Date(T0 + 3600_000).toISOString() });
    expect(gap.message).toMatch(/longer than the server's event store reaches back \(24 h\)/);
  });

  it('records no gap when the store reaches back far enough', async () => {
    let now = T0;
    const { connect } = scripted([
      (h) => {
        h.onOpen({ status: 200 });
        h.onMessage({ kind: 'event', event: event(T0, 'A'), raw: '{}' });
        now = T0 + 3600_000;
      },
      (h) => h.onOpen({ status: 200 }),
    ]);
    const statuses = await statusesOf(connect, { clock: () => now });
    expect(statuses.map((s) => s.kind)).toEqual(['reconnect']);
  });
});

const start = (ms: number): TtsEvent =>
  ({ name: 'events.stream.start', time: new Date(ms).toISOString(), identifiers: [] }) as unknown as TtsEvent;

describe('history asked of a server without an events store', () => {
  const run = async (request: StreamEventsRequest, warning: string | undefined) => {
    const { connect } = scripted([(h) => h.onOpen({ status: 200, ...(warning ? { warning } : {}) })]);
    const statuses = await statusesOf(connect, { request, ms: 20 });
    return statuses.filter((s) => s.kind === 'warning').map((s) => s.message);
  };
  const ids = [{ application_ids: { application_id: 'app' } }];
  const NO_STORE = 'Events storage is not enabled';

  it('says on the first connection that the tail or after asked for cannot be replayed', async () => {
    expect(await run({ identifiers: ids, tail: 5 }, NO_STORE)).toEqual([
      'The server keeps no event history (X-Warning: Events storage is not enabled): the last 5 events you asked ' +
        'for cannot be replayed; only new events arrive.',
    ]);
    expect(await run({ identifiers: ids, after: '2026-03-01T11:00:00Z' }, NO_STORE)).toEqual([
      'The server keeps no event history (X-Warning: Events storage is not enabled): the events since ' +
        '2026-03-01T11:00:00Z you asked for cannot be replayed; only new events arrive.',
    ]);
  });

  it('says it once, though a quiet stream reconnects before its first event', async () => {
    const open = (h: Parameters<Connect>[2]) => h.onOpen({ status: 200, warning: NO_STORE });
    const { connect } = scripted([open, open, open]);
    const statuses = await statusesOf(connect, { request: { identifiers: ids, tail: 5 } });
    expect(statuses.filter((s) => s.kind === 'reconnect')).toHaveLength(2);
    expect(statuses.filter((s) => s.kind === 'warning')).toHaveLength(1);
  });

  it('says nothing when no history was asked for, or the server has a store', async () => {
    expect(await run({ identifiers: ids }, NO_STORE)).toEqual([]);
    expect(await run({ identifiers: ids, tail: 5 }, undefined)).toEqual([]);
  });
});

describe('history replies', () => {
  it('records a gap when a resume gets back a full 1024-event history (the server sends the newest ones only)', async () => {
    const now = T0;
    const statuses: StatusEntry[] = [];
    const received: string[] = [];
    const { connect } = scripted([
      (h) => {
        h.onOpen({ status: 200 });
        h.onMessage({ kind: 'event', event: start(T0), raw: '{}' });
        h.onMessage({ kind: 'event', event: event(T0 + 1, 'first'), raw: '{}' });
      },
      (h) => {
        h.onOpen({ status: 200 });
        h.onMessage({ kind: 'event', event: start(T0 + 600_000), raw: '{}' });
        // The newest 1024 of the missed events, oldest first: everything before them is gone.
        for (let i = 0; i < 1024; i++)
          h.onMessage({ kind: 'event', event: event(T0 + 300_000 + i, `h${i}`), raw: '{}' });
      },
    ]);
    const session = new StreamSession({
      request: { identifiers: [{ application_ids: { application_id: 'app' } }] },
      connect,
      clock: () => now,
      backoff: { baseMs: 1, capMs: 2 },
      listener: {
        onEvent: (_r, e) => received.push(e.unique_id!),
        onStatus: (s) => statuses.push(s),
        onState: () => undefined,
      },
    });
    void session.start();
    await new Promise((r) => setTimeout(r, 50));
    session.stop();
    expect(received).toHaveLength(1025);
    const gap = statuses.find((s) => s.kind === 'gap');
    expect(gap).toMatchObject({ from: new Date(T0 + 1).toISOString(), to: new Date(T0 + 300_000).toISOString() });
    expect(gap!.message).toMatch(/at most 1024 events of history/);
  });

  it('records no gap for a full history reply that reaches back to the resume point (the overlap is all duplicates)', async () => {
    const { connect } = scripted([
      (h) => {
        h.onOpen({ status: 200 });
        h.onMessage({ kind: 'event', event: start(T0), raw: '{}' });
        h.onMessage({ kind: 'event', event: event(T0 + 900, 'last'), raw: '{}' });
      },
      (h) => {
        h.onOpen({ status: 200 });
        h.onMessage({ kind: 'event', event: start(T0 + 2000), raw: '{}' });
        // 1,024 events from before the resume point on: the busy second of overlap plus what was missed.
        for (let i = 0; i < 1024; i++) h.onMessage({ kind: 'event', event: event(T0 + i, `h${i}`), raw: '{}' });
      },
    ]);
    const statuses = await statusesOf(connect);
    expect(statuses.filter((s) => s.kind === 'gap')).toEqual([]);
  });

  it('records no gap for a history reply below the cap', async () => {
    const { connect } = scripted([
      (h) => {
        h.onOpen({ status: 200 });
        h.onMessage({ kind: 'event', event: start(T0), raw: '{}' });
        h.onMessage({ kind: 'event', event: event(T0 + 1, 'first'), raw: '{}' });
      },
      (h) => {
        h.onOpen({ status: 200 });
        h.onMessage({ kind: 'event', event: start(T0 + 600_000), raw: '{}' });
        for (let i = 0; i < 1023; i++)
          h.onMessage({ kind: 'event', event: event(T0 + 300_000 + i, `h${i}`), raw: '{}' });
      },
    ]);
    const statuses = await statusesOf(connect);
    expect(statuses.filter((s) => s.kind === 'gap')).toEqual([]);
  });

  it('keeps only the newest N history events when the user asked for tail N, and every live event', async () => {
    const received: string[] = [];
    const { connect, requests } = scripted([
      (h) => {
        h.onOpen({ status: 200 });
        h.onMessage({ kind: 'event', event: start(T0), raw: '{}' });
        for (let i = 0; i < 100; i++) h.onMessage({ kind: 'event', event: event(T0 - 1000 + i, `old${i}`), raw: '{}' });
        h.onMessage({ kind: 'event', event: event(T0 + 5, 'live'), raw: '{}' });
      },
    ]);
    const session = new StreamSession({
      request: { identifiers: [{ application_ids: { application_id: 'app' } }], tail: 3 },
      connect,
      clock: () => T0,
      backoff: { baseMs: 1, capMs: 2 },
      listener: {
        onEvent: (_r, e) => received.push(e.unique_id!),
        onStatus: () => undefined,
        onState: () => undefined,
      },
    });
    void session.start();
    await new Promise((r) => setTimeout(r, 50));
    session.stop();
    expect(requests[0]!.tail).toBe(1024);
    expect(received).toEqual(['old97', 'old98', 'old99', 'live']);
  });

  it('drops a resend by its unique_id itself, or counts what a deduplicating listener refuses', async () => {
    const script = () =>
      scripted([
        (h) => {
          h.onOpen({ status: 200 });
          h.onMessage({ kind: 'event', event: start(T0), raw: '{}' });
          for (const id of ['a', 'b', 'a', 'c', 'b'])
            h.onMessage({ kind: 'event', event: event(T0 + 1, id), raw: '{}' });
        },
      ]).connect;
    const run = async (dedupes: boolean) => {
      const seen: string[] = [];
      const session = new StreamSession({
        request: { identifiers: [{ application_ids: { application_id: 'app' } }] },
        connect: script(),
        clock: () => T0,
        backoff: { baseMs: 1, capMs: 2 },
        listener: {
          // A capture index: it says false for what it holds already.
          onEvent: (_r, e) => (seen.includes(e.unique_id!) ? false : void seen.push(e.unique_id!)),
          onStatus: () => undefined,
          onState: () => undefined,
          dedupes,
        },
      });
      void session.start();
      await new Promise((r) => setTimeout(r, 30));
      session.stop();
      return { seen, stats: session.stats };
    };
    for (const dedupes of [false, true]) {
      const { seen, stats } = await run(dedupes);
      expect(seen).toEqual(['a', 'b', 'c']);
      expect([stats.events, stats.duplicates]).toEqual([3, 2]);
    }
  });
});
