/**
 * "Also record to ClickHouse" in the app (#19), against a real ClickHouse: a workspace's stream is
 * recorded while it captures; ClickHouse killed mid-stream → the local capture goes on, the window is
 * told it is retrying and how far behind it is; ClickHouse back → the lag drains and ClickHouse holds
 * exactly the capture's events; the app restarted → recording resumes from its saved offsets, nothing
 * sent twice, and the password came from the keychain, not from a file.
 */
import os from 'node:os';
import path from 'node:path';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../../src-main/core/app-core.js';
import { startStack, type StackHandle } from '../../../src-main/core/stack/server.js';
import type { StreamSpec } from '../../../src-main/shared/domain/stream.js';
import type { RecordingView } from '../../../src-main/shared/domain/recording.js';
import { RecordingSink } from '../../helpers/recording-sink.js';
import { WorkspaceRecorder } from '../../../src-main/core/clickhouse/recorder.js';
import { recordingHint } from '../../../src-main/core/clickhouse/recording-service.js';
import { parseClickHouseUrl } from '../../../src-main/core/clickhouse/target.js';
import type { CatalogEntry } from '../../../src-main/core/capture/capture-index.js';
import { MemorySecretStore } from '../../helpers/memory-secrets.js';
import { addProfile, testCore } from '../../helpers/core.js';
import { until } from '../../helpers/subscribe-run.js';
import {
  clickhouseMissing,
  startClickHouse,
  TEAM_USER,
  type ClickHouseServer,
} from '../../helpers/clickhouse-server.js';

/** The `unique_id`s of every event line in the stream's capture files (not opened windows), read from disk. */
function capturedIds(dataDir: string): string[] {
  return captureLines(dataDir)
    .filter((line) => !line.startsWith('{"_eventDesk"'))
    .map((line) => (JSON.parse(line) as { unique_id: string }).unique_id)
    .sort();
}

function captureLines(dataDir: string): string[] {
  const dir = path.join(dataDir, 'captures');
  return readdirSync(dir)
    .filter((n) => n.endsWith('.ndjson') && !n.endsWith('-imported.ndjson'))
    .flatMap((f) => readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean));
}

describe.skipIf(clickhouseMissing())('recording a workspace to ClickHouse from the app', { timeout: 240_000 }, () => {
  let ch: ClickHouseServer;
  let stack: StackHandle;
  const cores: Core[] = [];
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'clickhouse-recorder-'));
  const secrets = new MemorySecretStore();

  beforeAll(async () => {
    ch = await startClickHouse();
    stack = await startStack({ seed: 19, scenario: { devices: 20, gateways: 3 } });
  }, 120_000);
  afterAll(async () => {
    for (const c of cores) await c.dispose();
    await stack?.close();
    await ch?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const open = async (sink: RecordingSink) => {
    const core = await testCore(dataDir, { sink, secrets });
    cores.push(core);
    return core;
  };
  const rows = async () => Number((await ch.sql('SELECT count() FROM rec.events FINAL')).trim());
  const chIds = async () =>
    (await ch.sql('SELECT unique_id FROM rec.events FINAL ORDER BY unique_id')).split('\n').filter(Boolean);
  const pushed = (sink: RecordingSink) =>
    sink.all.filter((m) => m.channel === 'recording:state').map((m) => m.payload as RecordingView);

  it('records while capturing, rides out ClickHouse going away, drains, and resumes after a restart', async () => {
    const sink = new RecordingSink();
    const core = await open(sink);
    const spec: StreamSpec = {
      workspaceId: 'ws1',
      profileId: await addProfile(core, 'Lab', stack.url, stack.demoKey),
      entities: [{ kind: 'application', id: 'demo-app' }],
      names: [],
    };
    const { workspaceId: _w, ...saved } = spec;
    await core.handlers['workspaces:save']({
      schemaVersion: 1,
      workspaces: [{ id: 'ws1', name: 'Lab', streams: [saved], filter: '', savedFilters: [] }],
      settings: { utc: true, newestOnTop: true },
    });
    const s = await core.handlers['streams:start'](spec);
    if (!s.ok) throw new Error(s.error.message);
    await until(() => core.streams.list()[0]?.state.kind === 'open', 'stream open');

    // Bad input is refused with words, and nothing is saved.
    const bad = await core.handlers['recording:set']('ws1', {
      url: 'clickhouse.example.com',
      database: '',
      username: '',
      enabled: true,
    });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error.message).toMatch(/http:\/\/HOST:8123/);

    // A wrong password: recording says so, with what to do, and the capture is untouched.
    const wrong = await core.handlers['recording:set']('ws1', {
      url: ch.url,
      database: 'rec',
      username: TEAM_USER.username,
      password: 'not-it',
      enabled: true,
    });
    if (!wrong.ok) throw new Error(wrong.error.message);
    await until(() => core.recording.view('ws1').phase === 'retrying', 'refused password');
    expect(core.recording.view('ws1').lastError?.hint).toMatch(/user or password/);

    const set = await core.handlers['recording:set']('ws1', {
      url: ch.url,
      database: 'rec',
      username: TEAM_USER.username,
      password: TEAM_USER.password,
      enabled: true,
    });
    if (!set.ok) throw new Error(set.error.message);
    expect(set.value.target).toEqual({ url: ch.url, database: 'rec', username: 'team', hasPassword: true });
    expect(secrets.secrets.get('clickhouse:ws1')).toBe(TEAM_USER.password);
    expect(readFileSync(path.join(dataDir, 'recording.json'), 'utf8')).not.toContain(TEAM_USER.password);

    const captured = () => {
      const r = core.index.page({ workspaceId: 'ws1', query: 'kind:event', limit: 1_000_000 });
      return r.ok ? r.value.entries.length : 0;
    };
    await until(async () => {
      stack.emitFlows(5);
      return captured() >= 300 && core.recording.view('ws1').sent >= 300;
    }, 'first events recorded');

    await ch.stop();
    const atStop = captured();
    await until(async () => {
      stack.emitFlows(5);
      const v = core.recording.view('ws1');
      return captured() >= atStop + 300 && v.phase === 'retrying' && v.lag.events >= 100;
    }, 'capture going on while ClickHouse is away');
    const away = core.recording.view('ws1');
    expect(away.lastError?.hint).toMatch(/not answering/);
    expect(away.lastError?.hint).toMatch(/local capture/);
    // The window heard about it without asking.
    await until(() => pushed(sink).some((v) => v.phase === 'retrying' && v.lag.events > 0), 'a pushed retrying view');

    await ch.start();
    await core.streams.stop(s.value.streamId);
    await until(async () => {
      const v = core.recording.view('ws1');
      return v.phase === 'caught-up' && v.lag.events === 0;
    }, 'the lag drained');
    const ids = capturedIds(dataDir);
    expect(ids.length).toBeGreaterThanOrEqual(600);
    expect(await rows()).toBe(ids.length);
    expect(await chIds()).toEqual(ids);
    const statusLines = Number((await ch.sql('SELECT count() FROM rec.status FINAL')).trim());
    expect(statusLines).toBeGreaterThan(0);
    // The window is told it drained, without asking (pushes come about once a second).
    await until(() => pushed(sink).at(-1)?.phase === 'caught-up', 'a pushed caught-up view', 10_000);
    expect(pushed(sink).at(-1)?.lag.events).toBe(0);

    // Restart: recording comes back on by itself and sends only what arrived since (the restart's gap
    // entry, and any event of the resumed stream), from the saved offsets: nothing twice.
    await core.dispose();
    cores.pop();
    const linesBefore = captureLines(dataDir).length;
    const sink2 = new RecordingSink();
    const again = await open(sink2);
    const view = await again.handlers['recording:get']('ws1');
    expect(view.ok && view.value.enabled).toBe(true);
    await again.streams.stop(again.streams.list()[0]!.streamId);
    await again.index.written(); // the restart's gap entry is on disk before the drain looks
    expect(await again.recording.drain('ws1', 60_000)).toBe(true);
    expect(again.recording.view('ws1').phase).toBe('caught-up');
    const linesAfter = captureLines(dataDir).length;
    expect(linesAfter).toBeGreaterThan(linesBefore);
    expect(again.recording.view('ws1').sent).toBe(linesAfter - linesBefore);
    expect(await rows()).toBe(capturedIds(dataDir).length);

    // A second workspace opens a window of the recording read-only: the same events, and a filter keeps
    // the same ones as the capturing workspace's own filter does. The window is read from ClickHouse as
    // the list pages through it (window.test.ts covers paging, chains and a second desk).
    const count = (ws: string, query: string) => {
      const r = again.index.page({ workspaceId: ws, query, limit: 1_000_000 });
      return r.ok ? r.value.entries.length : -1;
    };
    const listed = async (ws: string) => {
      let n = 0;
      let before: { ms: number; id: number } | undefined;
      for (;;) {
        const r = await again.handlers['events:page']({
          workspaceId: ws,
          query: '',
          limit: 5000,
          ...(before ? { before } : {}),
        });
        if (!r.ok) throw new Error(r.error.message);
        n += r.value.entries.filter((e) => e.kind === 'event').length;
        if (!r.value.more) return n;
        before = { ms: r.value.entries[0]!.ms, id: r.value.entries[0]!.id };
      }
    };
    const all = await again.handlers['recording:open-window']('ws-ch', 'ws1', {
      from: '2000-01-01T00:00:00Z',
      filter: '',
    });
    if (!all.ok) throw new Error(all.error.message);
    expect(all.value.events).toBe(capturedIds(dataDir).length);
    expect(await listed('ws-ch')).toBe(count('ws1', 'kind:event'));
    const up = await again.handlers['recording:open-window']('ws-up', 'ws1', {
      from: '2000-01-01T00:00:00Z',
      filter: 'as.up.* rssi<-90',
    });
    if (!up.ok) throw new Error(up.error.message);
    expect(count('ws1', 'kind:event as.up.* rssi<-90')).toBeGreaterThan(0);
    expect(await listed('ws-up')).toBe(count('ws1', 'kind:event as.up.* rssi<-90'));
    const nowhere = await again.handlers['recording:open-window']('ws-x', 'no-such-ws', {
      from: '2000-01-01T00:00:00Z',
      filter: '',
    });
    expect(!nowhere.ok && nowhere.error.message).toMatch(/Set up Record to ClickHouse/);

    // Off: recording stops and says so.
    const off = await again.handlers['recording:set']('ws1', {
      url: ch.url,
      database: 'rec',
      username: TEAM_USER.username,
      enabled: false,
    });
    expect(off.ok && off.value.phase).toBe('off');
    expect(off.ok && off.value.target?.hasPassword).toBe(true);
  });

  it("records a deleted profile's capture under that profile's server, and a window finds it by its name", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'clickhouse-gone-'));
    const core = await testCore(dir, { sink: new RecordingSink(), secrets });
    cores.push(core);
    try {
      const profileId = await addProfile(core, 'Gone', stack.url, stack.demoKey);
      const spec: StreamSpec = {
        workspaceId: 'ws-gone',
        profileId,
        entities: [{ kind: 'application', id: 'demo-app' }],
        names: [],
      };
      const { workspaceId: _w, ...saved } = spec;
      await core.handlers['workspaces:save']({
        schemaVersion: 1,
        workspaces: [{ id: 'ws-gone', name: 'Gone', streams: [saved], filter: '', savedFilters: [] }],
        settings: { utc: true, newestOnTop: true },
      });
      const s = await core.handlers['streams:start'](spec);
      if (!s.ok) throw new Error(s.error.message);
      const captured = () => {
        const r = core.index.page({ workspaceId: 'ws-gone', query: 'kind:event', limit: 1_000_000 });
        return r.ok ? r.value.entries.length : 0;
      };
      await until(async () => {
        stack.emitFlows(3);
        return captured() >= 20;
      }, 'events captured');
      await core.streams.stop(s.value.streamId);
      const deleted = await core.handlers['profiles:delete'](profileId);
      if (!deleted.ok) throw new Error(deleted.error.message);

      // Recording starts after the profile is gone: its rows still say which server delivered them.
      const set = await core.handlers['recording:set']('ws-gone', {
        url: ch.url,
        database: 'gone',
        username: TEAM_USER.username,
        password: TEAM_USER.password,
        enabled: true,
      });
      if (!set.ok) throw new Error(set.error.message);
      await core.index.written();
      expect(await core.recording.drain('ws-gone', 60_000)).toBe(true);
      const events = captured();
      expect(Number((await ch.sql('SELECT count() FROM gone.events FINAL')).trim())).toBe(events);
      expect((await ch.sql('SELECT DISTINCT server FROM gone.events FINAL')).trim()).toBe(stack.url);

      // A window of that recording filtered by the deleted profile's name shows every one of its events.
      const w = await core.handlers['recording:open-window']('ws-gone-window', 'ws-gone', {
        from: '2000-01-01T00:00:00Z',
        filter: 'profile:Gone',
      });
      if (!w.ok) throw new Error(w.error.message);
      let listed = 0;
      let before: { ms: number; id: number } | undefined;
      for (;;) {
        const r = await core.handlers['events:page']({
          workspaceId: 'ws-gone-window',
          query: '',
          limit: 5000,
          ...(before ? { before } : {}),
        });
        if (!r.ok) throw new Error(r.error.message);
        listed += r.value.entries.filter((e) => e.kind === 'event').length;
        if (!r.value.more) break;
        before = { ms: r.value.entries[0]!.ms, id: r.value.entries[0]!.id };
      }
      expect(listed).toBe(events);
    } finally {
      await core.dispose();
      cores.splice(cores.indexOf(core), 1);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('counts and says the lines retention removed before they reached ClickHouse', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'clickhouse-lost-'));
    let n = 0;
    const events = (k: number) =>
      Array.from({ length: k }, () =>
        JSON.stringify({
          name: 'as.up.data.forward',
          time: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
          unique_id: `lost-${n++}`,
          identifiers: [],
        }),
      ).join('\n') + '\n';
    const segment = path.join(dir, 'seg-1.ndjson');
    writeFileSync(segment, events(3));
    let segments = ['seg-1.ndjson'];
    const catalog = async (): Promise<CatalogEntry[]> => [
      { streamId: 's1', workspaceId: 'w', kind: 'stream', meta: { entities: [] }, segments },
    ];
    const rec = new WorkspaceRecorder({
      workspaceId: 'w',
      target: parseClickHouseUrl(`${ch.url}/lost`),
      captureDir: dir,
      catalog,
      originOf: () => ({ server: 'test', stream: 'test' }),
      pollMs: 50,
      sinkPollMs: 50,
      backoff: { initialMs: 50, maxMs: 200 },
    }).start();
    try {
      await until(() => rec.status().phase === 'caught-up' && rec.status().sent === 3, 'three rows sent');
      await ch.stop();
      appendFileSync(segment, events(5));
      await until(() => rec.status().phase === 'retrying' && rec.status().lag.events === 5, 'five behind');
      // Retention removes the segment while ClickHouse is away: its five unsent lines are gone for good.
      segments = [];
      rmSync(segment);
      await until(() => rec.status().lost === 5, 'five counted lost');
      const st = rec.status();
      expect(st.lag.events).toBe(0);
      expect(st.lastError?.message).toMatch(/Retention removed 5 lines of s1 before they reached ClickHouse/);
      expect(recordingHint(st.lastError!.message)).toMatch(/raise the retention/);
    } finally {
      await ch.start();
      await rec.close();
      rmSync(dir, { recursive: true, force: true });
    }
    expect(Number((await ch.sql('SELECT count() FROM lost.events FINAL')).trim())).toBe(3);
  });
});
