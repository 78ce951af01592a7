/**
 * Each fault the stack can inject ends in the state and message a user can act on.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { generateApiKey, startStack, type StackHandle } from '../../../src-main/core/stack/server.js';
import type { StreamState } from '../../../src-main/shared/domain/stream.js';
import { rig, waitFor, type SessionRig } from '../../helpers/session.js';

const APP = { identifiers: [{ application_ids: { application_id: 'demo-app' } }] };
const last = (r: SessionRig): StreamState | undefined => r.states.at(-1);

describe('stream faults', () => {
  let stack: StackHandle;
  let r: SessionRig | undefined;
  afterEach(async () => {
    r?.session.stop();
    await r?.index.dispose();
    r = undefined;
    await stack.close();
  });

  async function emitUntil(events: number) {
    await waitFor(() => {
      stack.emitFlows(2);
      return (r?.session.stats.events ?? 0) >= events;
    }, `${events} events`);
  }

  it('401: stops, and says the key is unknown and what to do', async () => {
    stack = await startStack();
    r = await rig(stack.url, generateApiKey(), APP);
    await r.done;
    const s = last(r);
    expect(s?.kind).toBe('stopped');
    expect(s?.kind === 'stopped' && s.error?.code).toBe('auth');
    expect(s?.kind === 'stopped' && s.reason).toMatch(/does not know this API key.*set it in the profile/);
    expect(r.states.filter((x) => x.kind === 'connecting')).toHaveLength(1);
  });

  it('403: stops, naming the entity the key has no rights on', async () => {
    const key = generateApiKey();
    stack = await startStack({ keys: [{ key, rights: { gateway: { 'demo-gateway-1': ['RIGHT_GATEWAY_ALL'] } } }] });
    r = await rig(stack.url, key, { identifiers: [{ application_ids: { application_id: 'app1' } }] });
    await r.done;
    const s = last(r);
    expect(s?.kind === 'stopped' && s.reason).toBe(
      'The API key has no rights on application `app1`. Give the key rights on it, or stream another entity.',
    );
  });

  it('429: waits as long as X-Rate-Limit-Retry says, then connects', async () => {
    stack = await startStack({ faults: { httpError: 429, httpErrorCount: 1, retryAfterSec: 1 } });
    r = await rig(stack.url, stack.demoKey, APP);
    await waitFor(() => last(r!)?.kind === 'open', 'open after the rate limit');
    const retrying = r.states.find((x) => x.kind === 'retrying');
    expect(retrying?.kind === 'retrying' && retrying.lastError.code).toBe('rate-limited');
    expect(retrying?.kind === 'retrying' && retrying.lastError.message).toMatch(/in 1 s/);
  });

  it('500 and 503: retry with backoff, then connect', async () => {
    for (const status of [500, 503] as const) {
      stack = await startStack({ faults: { httpError: status, httpErrorCount: 2 } });
      r = await rig(stack.url, stack.demoKey, APP);
      await waitFor(() => last(r!)?.kind === 'open', `open after ${status}`);
      expect(
        r.states.filter((x) => x.kind === 'retrying').map((x) => x.kind === 'retrying' && x.lastError.code),
      ).toEqual(['server', 'server']);
      r.session.stop();
      await stack.close();
    }
    stack = await startStack();
  });

  it('a mid-stream error object: reconnects, resumes, and records the reconnect in the capture', async () => {
    stack = await startStack({ store: { enabled: true }, faults: { errorAfterEvents: 5 } });
    r = await rig(stack.url, stack.demoKey, APP);
    await waitFor(() => last(r!)?.kind === 'open', 'open');
    stack.setFaults({});
    await emitUntil(8);
    const retrying = r.states.find((x) => x.kind === 'retrying');
    expect(retrying?.kind === 'retrying' && retrying.lastError.message).toMatch(
      /ended the stream with an error; reconnecting/,
    );
    expect(r.entries().some((s) => s.name === 'event-desk.reconnect')).toBe(true);
  });

  it('a malformed object: skipped with a warning in the capture, the stream goes on', async () => {
    stack = await startStack({ faults: { malformedAfterEvents: 2 } });
    r = await rig(stack.url, stack.demoKey, APP);
    await waitFor(() => last(r!)?.kind === 'open', 'open');
    await emitUntil(6);
    expect(r.session.stats.malformed).toBe(1);
    expect(r.entries().find((s) => s.name === 'event-desk.warning')?.preview).toMatch(/Skipped a malformed object/);
    expect(last(r)?.kind).toBe('open');
  });

  it('events split into one-byte chunks decode the same', async () => {
    stack = await startStack({ faults: { chunkBytes: 1 }, seed: 4 });
    r = await rig(stack.url, stack.demoKey, APP, { accept: 'event-stream' });
    await waitFor(() => last(r!)?.kind === 'open', 'open');
    await emitUntil(3);
    expect(r.session.stats.malformed).toBe(0);
    expect(
      r
        .entries()
        .filter((s) => s.kind === 'event')
        .every((s) => s.name.length > 3 && s.time.endsWith('Z')),
    ).toBe(true);
  });

  it('a stall: the stream stays open (no idle timeout) and continues when bytes flow again', async () => {
    stack = await startStack({ faults: { stallAfterEvents: 1, stallMs: 800 } });
    r = await rig(stack.url, stack.demoKey, APP);
    await waitFor(() => last(r!)?.kind === 'open', 'open');
    await emitUntil(4);
    expect(r.states.some((x) => x.kind === 'retrying')).toBe(false);
  });
});
