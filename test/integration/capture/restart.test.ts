/**
 * A restart (#13, failure 6; #14): every saved workspace's stream continues in its capture, what it held
 * before is there again, and the downtime is asked of the server's event store: what it replays is
 * captured once (the overlap with what the capture held is not stored again), and what it cannot give
 * back is a gap entry.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../src-main/core/app-core.js';
import { startStack, type StackHandle } from '../../../src-main/core/stack/server.js';
import type { StreamSpec } from '../../../src-main/shared/domain/stream.js';
import type { EventSummary } from '../../../src-main/shared/domain/summary.js';
import { addProfile, testCore } from '../../helpers/core.js';
import { MemorySecretStore } from '../../helpers/memory-secrets.js';
import { waitFor } from '../../helpers/session.js';

describe('restarting the app', () => {
  let stack: StackHandle | undefined;
  const cores: Core[] = [];
  afterEach(async () => {
    for (const c of cores.splice(0)) await c.dispose();
    await stack?.close();
    stack = undefined;
  });

  /** Streams `demo-app` into workspace ws1, restarts the app while the stack emits `whileDown` flows. */
  async function restart(store: boolean, whileDown: number) {
    stack = await startStack({ seed: 21, scenario: { devices: 5, gateways: 2 }, store: { enabled: store } });
    const st = stack;
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-restart-'));
    const secrets = new MemorySecretStore();
    // The same keychain across the restart: the profile's key is found again.
    const open = async () => {
      const core = await testCore(dataDir, { secrets });
      cores.push(core);
      return core;
    };
    const first = await open();
    const profileId = await addProfile(first, 'Lab', st.url, st.demoKey);
    const spec: StreamSpec = {
      workspaceId: 'ws1',
      profileId,
      entities: [{ kind: 'application', id: 'demo-app' }],
      names: [],
    };
    const { workspaceId: _w, ...saved } = spec;
    await first.handlers['workspaces:save']({
      schemaVersion: 1,
      workspaces: [{ id: 'ws1', name: 'Lab', streams: [saved], filter: '', savedFilters: [] }],
      settings: { utc: true, newestOnTop: true },
    });
    const s = await first.handlers['streams:start'](spec);
    if (!s.ok) throw new Error(s.error.message);
    await waitFor(() => first.streams.list()[0]?.state.kind === 'open', 'open');
    await waitFor(() => {
      st.emitFlows(2);
      return (first.streams.stats(s.value.streamId)?.events ?? 0) >= 40;
    }, 'events captured');
    await first.index.written();
    const before = first.index.page({ workspaceId: 'ws1', query: 'kind:event', limit: 100_000 });
    if (!before.ok) throw new Error(before.error.message);
    await first.dispose();
    cores.pop();
    const down = Date.now();
    await new Promise((r) => setTimeout(r, 50));
    // What an application subscription gets: the application's own events and those its devices propagate.
    const emitted = st
      .emitFlows(whileDown)
      .filter((e) =>
        e.entity.kind === 'application' ? e.entity.id === 'demo-app' : e.entity.kind === 'device' && e.propagates,
      );

    const second = await open();
    return { st, second, before: before.value, streamId: s.value.streamId, down, emitted };
  }

  async function uniqueIds(core: Core, entries: readonly EventSummary[]): Promise<string[]> {
    const out: string[] = [];
    for (const e of entries) {
      const ev = await core.handlers['events:get'](e.id);
      if (ev.ok && ev.value.unique_id) out.push(ev.value.unique_id);
    }
    return out;
  }

  it(
    'reopens the capture with its old events, gets the downtime back from the event store once, and streams on',
    { timeout: 60_000 },
    async () => {
      const { st, second, before, streamId, emitted } = await restart(true, 3);
      // The saved stream runs again, under its id, in its capture (a reloaded window adopts it).
      const listed = await second.handlers['streams:list']();
      expect(listed.ok && listed.value.map((x) => [x.streamId, x.spec.workspaceId])).toEqual([[streamId, 'ws1']]);
      await waitFor(() => second.streams.list()[0]?.state.kind === 'open', 'open again');
      const afterIds = () => {
        const page = second.index.page({ workspaceId: 'ws1', query: 'kind:event', limit: 100_000 });
        if (!page.ok) throw new Error(page.error.message);
        return page.value.entries;
      };
      await waitFor(() => afterIds().length >= before.entries.length + emitted.length, 'the downtime replayed');
      await second.index.written();
      const events = afterIds();
      // What the capture held is there again, first and in order.
      expect(events.slice(0, before.entries.length).map((e) => [e.name, e.time])).toEqual(
        before.entries.map((e) => [e.name, e.time]),
      );
      // Every event emitted while the app was down is in the capture, and no event is in it twice,
      // although the replay started a second before the last event the capture held.
      const ids = await uniqueIds(second, events);
      expect(new Set(ids).size).toBe(ids.length);
      const emittedIds = emitted.map((e) => JSON.parse(e.json) as { unique_id?: string }).map((e) => e.unique_id);
      for (const id of emittedIds) expect(ids).toContain(id);
      expect(second.streams.stats(streamId)?.duplicates).toBeGreaterThan(0);
      // The capture says what happened, and that nothing is missing.
      const all = second.index.page({ workspaceId: 'ws1', query: '', limit: 100_000 });
      if (!all.ok) throw new Error(all.error.message);
      expect(all.value.entries.filter((e) => e.name === 'event-desk.gap')).toEqual([]);
      const resumed = all.value.entries.find((e) => e.name === 'event-desk.reconnect')!;
      expect(resumed.preview).toMatch(
        /^Event Desk was not running since .*: asked the server for the events of that time\.$/,
      );
      // Full events still open from the reopened file.
      const full = await second.handlers['events:get'](events[0]!.id);
      expect(full.ok && full.value.name).toBe(events[0]!.name);
      // New events land in the same capture.
      const retained = second.index.retained('ws1');
      await waitFor(() => {
        st.emitFlows(2);
        return second.index.retained('ws1') > retained;
      }, 'new events after the restart');
    },
  );

  it('says the downtime is a gap when the server keeps no event history', { timeout: 60_000 }, async () => {
    const { second, before, down } = await restart(false, 3);
    await waitFor(() => second.streams.list()[0]?.state.kind === 'open', 'open again');
    const lastBefore = before.entries.at(-1)!;
    let gap: EventSummary | undefined;
    await waitFor(() => {
      const page = second.index.page({ workspaceId: 'ws1', query: '', limit: 100_000 });
      gap = page.ok ? page.value.entries.find((e) => e.name === 'event-desk.gap') : undefined;
      return gap !== undefined;
    }, 'a gap');
    expect(gap!.preview).toMatch(/may be missing: the server keeps no event history/);
    const entry = JSON.parse((await second.index.raw(gap!.id))!)._eventDesk as { from: string; to: string };
    expect(Date.parse(entry.from)).toBe(lastBefore.ms);
    expect(Date.parse(entry.to)).toBeGreaterThanOrEqual(down);
    // The events of the capture are there once each; the stream carries on from now.
    const page = second.index.page({ workspaceId: 'ws1', query: 'kind:event', limit: 100_000 });
    if (!page.ok) throw new Error(page.error.message);
    expect(page.value.entries.map((e) => [e.name, e.time])).toEqual(before.entries.map((e) => [e.name, e.time]));
  });
});
