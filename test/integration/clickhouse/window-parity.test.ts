/**
 * A workspace that reads a ClickHouse window (#19) against the capture that was recorded, opened on the
 * same desk as a file: the app's export (NDJSON, support bundle, redacted) writes the same lines byte for
 * byte with the same manifest counts, a filter narrows both alike; `mic:` and `mac:` (this desk's frame
 * decoder and keys) keep the same events in the list's pages, a window's own filter and the list's filter.
 * Real clickhouse-server, real stack, real CLI recording (test/helpers/team-recording.ts): no mocks.
 */
import path from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../../src-main/core/app-core.js';
import { ScriptedDialogs } from '../../../src-main/core/services/dialogs.js';
import { STATUS_KEY } from '../../../src-main/core/capture/capture-file.js';
import { FULL_REDACTION, NO_REDACTION } from '../../../src-main/shared/export/redact.js';
import type { ExportFormat, ExportScope, JobProgress } from '../../../src-main/shared/export/types.js';
import { clickhouseMissing } from '../../helpers/clickhouse-server.js';
import type { RecordingSink } from '../../helpers/recording-sink.js';
import { waitFor } from '../../helpers/session.js';
import { TeamRecording } from '../../helpers/team-recording.js';
import { stackDeviceKeys } from '../../../src-main/core/stack/device-keys.js';

const REDACT_ALL = FULL_REDACTION;

describe.skipIf(clickhouseMissing())("a ClickHouse window's export and frame filters", { timeout: 300_000 }, () => {
  const team = new TeamRecording();
  const dialogs = new ScriptedDialogs();
  let desk: Core;
  let files = 0;
  let window = { from: '', to: '' };
  beforeAll(async () => {
    await team.start();
    desk = await team.desk(undefined, dialogs);
    // The capturing desk's ground truth: its capture file opened as a workspace of this desk.
    dialogs.opens.push(path.join(team.dir, 'capture.ndjson'));
    const opened = await desk.handlers['import:open']('cap');
    if (!opened.ok || !opened.value) throw new Error(opened.ok ? 'not opened' : opened.error.message);
    // The window: every entry of the capture, status entries included.
    const times = readFileSync(path.join(team.dir, 'capture.ndjson'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const o = JSON.parse(line) as Record<string, { time: string }> & { time?: string };
        return Date.parse(o[STATUS_KEY]?.time ?? o.time!);
      });
    window = { from: new Date(Math.min(...times)).toISOString(), to: new Date(Math.max(...times)).toISOString() };
    await team.open(desk, 'win', '', window);
  }, 300_000);
  afterAll(() => team.close());

  const request = (ws: string, scope: ExportScope, format: ExportFormat, redaction = NO_REDACTION) => ({
    workspaceId: ws,
    workspaceName: ws,
    scope,
    format,
    redaction,
    displayUtc: true,
  });

  /** The file an export writes, once its job says it is done. */
  async function exported(ws: string, scope: ExportScope, format: ExportFormat, redaction = NO_REDACTION) {
    const file = path.join(team.dir, `export-${++files}.ndjson`);
    dialogs.saves.push(file);
    const r = await desk.handlers['export:start'](request(ws, scope, format, redaction));
    if (!r.ok || !r.value) throw new Error(r.ok ? 'no file chosen' : r.error.message);
    const last = await finished(r.value.jobId);
    expect(last.state).toBe('done');
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    return { lines, last };
  }

  function finished(jobId: string): Promise<JobProgress> {
    const sink = team.sinks.get(desk) as RecordingSink;
    const of = () =>
      sink.all
        .filter((p) => p.channel === 'jobs:progress')
        .map((p) => p.payload as JobProgress)
        .filter((p) => p.jobId === jobId && p.state !== 'running');
    return waitFor(() => of().length > 0, `export ${jobId}`, 120_000).then(() => of()[0]!);
  }

  const uid = (line: string) => (JSON.parse(line) as { unique_id?: string }).unique_id;

  it("writes the window's events as NDJSON, byte for byte the capture's export, whole and through filters", async () => {
    const cap = await exported('cap', { kind: 'workspace' }, 'ndjson');
    const win = await exported('win', { kind: 'workspace' }, 'ndjson');
    expect(cap.lines.length).toBe(team.local.length);
    expect(new Set(win.lines.map(uid))).toEqual(new Set(team.local.map((l) => l.uid)));
    expect([...win.lines].sort()).toEqual([...cap.lines].sort());
    // Oldest first, as the capture's.
    const ms = win.lines.map((l) => Date.parse((JSON.parse(l) as { time: string }).time));
    expect(ms).toEqual([...ms].sort((a, b) => a - b));
    expect(win.last.done).toBe(team.local.length);
    // A filter narrows both alike: one SQL says exactly, one only SQL's superset (SNR is a float), one SQL
    // cannot say at all (free text), one that keeps nothing of either.
    for (const query of [
      'as.up.*',
      'dir:up snr>5',
      'dir:down',
      'dir:join',
      'NOT demo-gateway-1',
      'f_port:1 OR ns.up.data.receive',
    ]) {
      const want = await desk.handlers['export:preview'](request('cap', { kind: 'filter', query }, 'ndjson'));
      const got = await desk.handlers['export:preview'](request('win', { kind: 'filter', query }, 'ndjson'));
      if (!want.ok || !got.ok)
        throw new Error(`${query}: ${want.ok ? '' : want.error.message} ${got.ok ? '' : got.error.message}`);
      expect({ query, events: got.value.events }).toEqual({ query, events: want.value.events });
      expect(want.value.events).toBeGreaterThan(0);
      expect(want.value.events).toBeLessThan(team.local.length);
      const c = await exported('cap', { kind: 'filter', query }, 'ndjson');
      const w = await exported('win', { kind: 'filter', query }, 'ndjson');
      expect({ query, lines: [...w.lines].sort() }).toEqual({ query, lines: [...c.lines].sort() });
    }
  });

  it("writes a support bundle with the capture's manifest counts and entries, redacted or not", async () => {
    const cap = await exported('cap', { kind: 'workspace' }, 'bundle');
    const win = await exported('win', { kind: 'workspace' }, 'bundle');
    type Manifest = { eventDeskBundle: { manifest: { counts: unknown; captureWindow: unknown; workspace: string } } };
    const head = (lines: string[]) => (JSON.parse(lines[0]!) as Manifest).eventDeskBundle.manifest;
    expect(head(win.lines).counts).toEqual(head(cap.lines).counts);
    expect(head(win.lines).captureWindow).toEqual(head(cap.lines).captureWindow);
    expect((head(cap.lines).counts as { statusEntries: number }).statusEntries).toBeGreaterThan(0);
    // Events and status entries alike.
    expect([...win.lines.slice(1)].sort()).toEqual([...cap.lines.slice(1)].sort());
    expect(win.last.done).toBe(win.lines.length - 1);

    // Fully redacted: pseudonyms (a fresh key per file, so compared by shape), no identifier left.
    const redCap = await exported('cap', { kind: 'filter', query: 'dir:up' }, 'bundle', REDACT_ALL);
    const redWin = await exported('win', { kind: 'filter', query: 'dir:up' }, 'bundle', REDACT_ALL);
    expect(head(redWin.lines).counts).toEqual(head(redCap.lines).counts);
    expect(redWin.lines.length).toBe(redCap.lines.length);
    const text = redWin.lines.join('\n');
    for (const id of ['demo-app', 'demo-gateway-1', 'demo-gateway-2', ...team.local.map((l) => l.summary.entity)])
      expect(text).not.toContain(`"${id}"`);
    expect(text).toMatch(/"device-[0-9a-f]{10}"/);
  });

  it('exports the selected event and a chain from the rows the window read, and can be cancelled', async () => {
    const list = await team.readList(desk, 'win', 50, 'as.up.data.forward');
    const row = list.find((e) => e.kind === 'event')!;
    const one = await exported('win', { kind: 'selection', ids: [row.id] }, 'ndjson');
    expect(one.lines.map(uid)).toEqual([await team.uidOf(desk, row.id)]);
    const chain = await desk.handlers['correlation:chain'](row.id);
    if (!chain.ok) throw new Error(chain.error.message);
    const c = await exported('win', { kind: 'chain', eventId: row.id }, 'ndjson');
    const want = await Promise.all(chain.value.steps.map((s) => team.uidOf(desk, s.event.id)));
    expect(c.lines.map(uid).sort()).toEqual(want.sort());
    expect(chain.value.steps.length).toBeGreaterThan(1);

    // Cancelled at once: nothing is written, and the job says so.
    const file = path.join(team.dir, 'cancelled.ndjson');
    dialogs.saves.push(file);
    const r = await desk.handlers['export:start'](request('win', { kind: 'workspace' }, 'bundle'));
    if (!r.ok || !r.value) throw new Error('not started');
    expect((await desk.handlers['export:cancel'](r.value.jobId)).ok).toBe(true);
    expect((await finished(r.value.jobId)).state).toBe('cancelled');
    expect(existsSync(file)).toBe(false);

    // A failed export names what it read: the recording, not a capture this desk does not have.
    dialogs.saves.push(path.join(team.dir, 'no-such-folder', 'failed.ndjson'));
    const f = await desk.handlers['export:start'](request('win', { kind: 'workspace' }, 'ndjson'));
    if (!f.ok || !f.value) throw new Error('not started');
    const failed = await finished(f.value.jobId);
    expect(failed.state).toBe('failed');
    expect(failed.message).toBe(
      `The folder ${path.join(team.dir, 'no-such-folder')} does not exist: the export was not saved. ` +
        'Choose an existing folder; the recording in ClickHouse is untouched.',
    );

    // A filter the bar refuses is refused with the bar's words.
    const bad = await desk.handlers['export:preview'](request('win', { kind: 'filter', query: 'rssi<x' }, 'ndjson'));
    expect(!bad.ok && bad.error.message).toMatch(/^The filter is not valid: rssi takes a number/);
  });

  it('mic: and mac: keep what they keep on the capture: pages, a window filter, the list filter', async () => {
    // The gateways' frames name a DevAddr only: the desk learns whose it is from an event of the device,
    // as a user opening one does. Then this desk's keys: the sessions of the stack's devices (seed 11),
    // the first device given another seed's (wrong) key.
    const ups = await team.readList(desk, 'cap', 1000, 'as.up.data.forward');
    const byDevice = new Map(ups.map((e) => [e.entity, e]));
    expect(byDevice.size).toBeGreaterThanOrEqual(3);
    for (const e of byDevice.values()) expect((await desk.handlers['frames:decode'](e.id)).ok).toBe(true);
    for (const [i, e] of [...byDevice.values()].entries()) {
      const k = stackDeviceKeys(i === 0 ? 12 : 11, e.devEui!);
      const set = await desk.handlers['frames:set-key'](e.application!, e.entity, 'nwk_s_key', k.nwk_s_key!);
      if (!set.ok) throw new Error(set.error.message);
    }
    const uids = async (ws: string, query: string) =>
      (await team.uids(desk, await team.readList(desk, ws, 7, query))).sort();
    const counts: Record<string, number> = {};
    for (const query of [
      'mic:valid',
      'mic:invalid',
      'mic:unchecked',
      'mac:*',
      'ns.* NOT mic:valid',
      'mic:valid dir:down',
    ]) {
      const want = await uids('cap', query);
      counts[query] = want.length;
      expect({ query, got: await uids('win', query) }).toEqual({ query, got: want });
    }
    expect(counts['mic:valid']).toBeGreaterThan(0);
    expect(counts['mic:invalid']).toBeGreaterThan(0);
    // A window opened through mic:invalid: counted and paged from the decoded rows.
    await team.open(desk, 'bad', 'mic:invalid', window);
    expect(await uids('bad', '')).toEqual(await uids('cap', 'mic:invalid'));
    // The list's own filter asks main about the rows it holds: the same verdicts as the capture's rows.
    const capRows = (await team.readList(desk, 'cap', 1000, 'mic:invalid OR mic:valid')).filter(
      (e) => e.kind === 'event',
    );
    const winRows = (await team.readList(desk, 'win', 1000, 'mic:invalid OR mic:valid')).filter(
      (e) => e.kind === 'event',
    );
    const factsBy = async (rows: { id: number }[]) => {
      const r = await desk.handlers['frames:facts'](rows.map((e) => e.id));
      if (!r.ok) throw new Error(r.error.message);
      const out: Record<string, unknown> = {};
      for (const e of rows) out[await team.uidOf(desk, e.id)] = r.value.facts[e.id];
      return out;
    };
    expect(await factsBy(winRows)).toEqual(await factsBy(capRows));
  });

  it("mic: with only a root key: a window's frames find their device's join in the window, as the capture's do", async () => {
    // The stack's devices join first, so the recording holds each device's join-request and join-accept:
    // with only the AppKey, the session keys come from those (one device given another seed's key).
    const ups = await team.readList(desk, 'cap', 1000, 'as.up.data.forward');
    const byDevice = new Map(ups.map((e) => [e.entity, e]));
    // Opening one event of each device teaches the desk its DevAddr (the gateways' frames name only that).
    for (const e of byDevice.values()) expect((await desk.handlers['frames:decode'](e.id)).ok).toBe(true);
    for (const [i, e] of [...byDevice.values()].entries()) {
      const cleared = await desk.handlers['frames:clear-keys'](e.application!, e.entity);
      if (!cleared.ok) throw new Error(cleared.error.message);
      const k = stackDeviceKeys(i === 0 ? 12 : 11, e.devEui!);
      const set = await desk.handlers['frames:set-key'](e.application!, e.entity, 'app_key', k.app_key!);
      if (!set.ok) throw new Error(set.error.message);
    }
    const uids = async (ws: string, query: string) =>
      (await team.uids(desk, await team.readList(desk, ws, 7, query))).sort();
    for (const query of ['mic:valid', 'mic:invalid', 'mic:valid dir:up']) {
      const want = await uids('cap', query);
      expect(want.length).toBeGreaterThan(0);
      expect({ query, got: await uids('win', query) }).toEqual({ query, got: want });
    }
    // The detail says where the keys came from, on the window as on the capture.
    const row = (await team.readList(desk, 'win', 7, 'mic:valid dir:up'))[0]!;
    const view = await desk.handlers['frames:decode'](row.id);
    expect(view.ok && view.value.note).toMatch(/^Session keys derived from the root key and the join-accept of /);
  });

  it("backfill finds a chain's members outside the window's time, and the chain keeps them", async () => {
    const chainOf = async (id: number, backfill = false) => {
      const c = await desk.handlers[backfill ? 'correlation:backfill' : 'correlation:chain'](id);
      if (!c.ok) throw new Error(c.error.message);
      return (await Promise.all(c.value.steps.map((s) => team.uidOf(desk, s.event.id)))).sort();
    };
    // An application uplink whose chain (on the window of everything) began before it.
    let pick: { ms: number; uid: string; full: string[] } | undefined;
    for (const e of await team.readList(desk, 'win', 1000, 'as.up.data.forward')) {
      const full = await chainOf(e.id);
      const first = await desk.handlers['correlation:chain'](e.id);
      if (full.length >= 3 && first.ok && first.value.steps[0]!.event.ms < e.ms) {
        pick = { ms: e.ms, uid: await team.uidOf(desk, e.id), full };
        break;
      }
    }
    if (!pick) throw new Error('no uplink chain that starts before its forward');
    // A window of that one millisecond: its chain there is what the millisecond holds.
    const at = new Date(pick.ms).toISOString();
    await team.open(desk, 'narrow', '', { from: at, to: at });
    const list = await team.readList(desk, 'narrow', 100);
    const ids = await Promise.all(list.map(async (e) => ({ id: e.id, uid: await team.uidOf(desk, e.id) })));
    const id = ids.find((x) => x.uid === pick.uid)!.id;
    const inside = await chainOf(id);
    expect(inside.length).toBeLessThan(pick.full.length);
    // Backfilled: the whole chain, from rows outside the window; it stays when the chain is opened again.
    expect(await chainOf(id, true)).toEqual(pick.full);
    expect(await chainOf(id)).toEqual(pick.full);
    // The rows found outside the window's time are marked, as a capture marks rows its server filled in;
    // the window's own are not.
    const wide = await desk.handlers['correlation:chain'](id);
    if (!wide.ok) throw new Error(wide.error.message);
    const outside = wide.value.steps.filter((s) => s.event.ms !== pick.ms);
    expect(outside.length).toBe(pick.full.length - inside.length);
    expect(wide.value.steps.map((s) => s.event.backfilled === true)).toEqual(
      wide.value.steps.map((s) => s.event.ms !== pick.ms),
    );
    expect(wide.value.backfilled).toBe(outside.length);
  });
});
