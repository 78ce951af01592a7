/**
 * The capture index without a server: appending, ids, paging, retention, one row per event, postings,
 * reopening after a restart and back-pressure, over real files in a temp directory.
 */
import os from 'node:os';
import path from 'node:path';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { CaptureIndex, DUPLICATE } from '../../../../../src-main/core/capture/capture-index.js';
import { summarizeEvent, type EventSummary } from '../../../../../src-main/shared/domain/summary.js';
import type { TtsEvent } from '../../../../../src-main/shared/tts/types.js';
import { IndexChainSource } from '../../../../../src-main/core/correlation/index-chain-source.js';
import samples from '../../../../fixtures/sample-events.json' with { type: 'json' };
import { consoleSimulation } from '../../../../helpers/tts-quirks.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');
let open: CaptureIndex[] = [];

function makeIndex(dir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-index-'))) {
  const pushed: { ws: string; s: EventSummary }[] = [];
  const index = new CaptureIndex({ dir, onEntry: (ws, s) => pushed.push({ ws, s }), clock: () => T0 + 3_600_000 });
  open.push(index);
  return { index, dir, pushed };
}

afterEach(async () => {
  for (const i of open) await i.dispose();
  open = [];
});

const up = (n: number, extra: Partial<TtsEvent> = {}): TtsEvent => ({
  name: 'as.up.data.forward',
  time: new Date(T0 + n).toISOString().replace('Z', `${String(n % 1000).padStart(3, '0')}123Z`),
  identifiers: [
    {
      device_ids: {
        device_id: `dev${n % 3}`,
        application_ids: { application_id: 'app1' },
        dev_eui: '70B3D57ED0000001',
      },
    },
  ],
  correlation_ids: [`as:up:${n}`, 'gs:conn:shared'],
  unique_id: `u${n}`,
  data: {
    uplink_message: {
      f_port: 2,
      f_cnt: n,
      frm_payload: 'AQI=',
      rx_metadata: [{ gateway_ids: { gateway_id: 'gtw1' }, rssi: -80.5, snr: 7.25 }],
      settings: { data_rate: { lora: { bandwidth: 125000, spreading_factor: 7 } } },
    },
  },
  ...extra,
});

const append = (index: CaptureIndex, streamId: string, e: TtsEvent) =>
  index.appendEvent(streamId, JSON.stringify(e), e);
const tick = () => new Promise((r) => setImmediate(r));
const strip = ({ id: _i, ...rest }: EventSummary) => rest;

describe('CaptureIndex', () => {
  it('gives back each entry as the summary the event makes, and its line as stored', async () => {
    const { index } = makeIndex();
    expect((await index.open('s1', 'w', 'stream')).ok).toBe(true);
    const events = (samples as TtsEvent[]).slice(0, 300);
    const ids = events.map((e) => append(index, 's1', e)!.id);
    for (const [i, e] of events.entries()) {
      expect(strip(index.get(ids[i]!)!)).toEqual(strip(summarizeEvent(e, 0, 's1')));
      expect(await index.raw(ids[i]!)).toBe(JSON.stringify(e));
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps a simulated uplink marked simulated when its summary is rebuilt from its row', async () => {
    const { index } = makeIndex();
    await index.open('s1', 'w', 'stream');
    for (const e of consoleSimulation(T0)) append(index, 's1', e);
    const page = index.page({ workspaceId: 'w', query: '', limit: 100 });
    if (!page.ok) throw new Error(page.error.message);
    expect(page.value.entries.map((s) => s.simulated)).toEqual([undefined, undefined, true, undefined, undefined]);
  });

  it('hands out every summary with the same fields in the same order: appended, status, rebuilt from a row', async () => {
    // One object shape for all summaries keeps the index's and the feed's reads monomorphic (#14); a field
    // added only when present gives each combination a shape of its own.
    const { index, pushed } = makeIndex();
    await index.open('s1', 'w', 'stream');
    await index.open('s2', 'w', 'stream');
    const events = samples as TtsEvent[];
    for (const e of events) append(index, 's1', e);
    append(index, 's2', events[0]!);
    const status = index.appendStatus('s1', { kind: 'reconnect', time: new Date(T0).toISOString(), message: 'back' });
    const backfilled = index.appendEvent('s1', JSON.stringify(up(1)), up(1), { backfilled: true });
    const page = index.page({ workspaceId: 'w', query: '', limit: 10_000 });
    if (!page.ok) throw new Error(page.error.message);
    const all = [...pushed.map((p) => p.s), status!, backfilled!, ...page.value.entries];
    expect(page.value.entries.some((s) => s.streamIds?.length === 2)).toBe(true);
    const keys = Object.keys(all[0]!).join();
    expect(all.filter((s) => Object.keys(s).join() !== keys)).toEqual([]);
  });

  it('keeps times of every precision and form exactly', async () => {
    const { index } = makeIndex();
    await index.open('s1', 'w', 'stream');
    for (const time of [
      '2026-03-01T10:00:00Z',
      '2026-03-01T10:00:00.123Z',
      '2026-03-01T10:00:00.123456Z',
      '2026-03-01T10:00:00.123456789Z',
      '2026-03-01T12:00:00.5+02:00',
      'not a time',
    ]) {
      const s = append(index, 's1', { name: 'x.y', time })!;
      expect(index.get(s.id)!.time).toBe(time);
    }
  });

  it('pages the newest entries first through a query, and continues before a cursor', async () => {
    const { index } = makeIndex();
    await index.open('s1', 'w', 'stream');
    await index.open('s2', 'other', 'stream');
    for (let n = 0; n < 100; n++) append(index, 's1', up(n));
    append(index, 's2', up(1000));
    const first = index.page({ workspaceId: 'w', query: 'f_cnt>=50', limit: 20 });
    expect(first.ok && first.value.entries.map((s) => s.fCnt)).toEqual(Array.from({ length: 20 }, (_, i) => 80 + i));
    expect(first.ok && first.value).toMatchObject({ more: true, retained: 100 });
    const oldest = first.ok ? first.value.entries[0]! : undefined;
    const next = index.page({
      workspaceId: 'w',
      query: 'f_cnt>=50',
      limit: 20,
      before: { ms: oldest!.ms, id: oldest!.id },
    });
    expect(next.ok && next.value.entries.map((s) => s.fCnt)).toEqual(Array.from({ length: 20 }, (_, i) => 60 + i));
    const rest = index.page({ workspaceId: 'w', query: 'device:dev1 gateway:gtw1 rssi<-80', limit: 1000 });
    expect(rest.ok && rest.value.entries.length).toBe(33);
    expect(index.page({ workspaceId: 'w', query: '((', limit: 5 }).ok).toBe(false);
  });

  it('one event, one row: the same unique_id from a second stream of the workspace names both streams', async () => {
    const { index, pushed } = makeIndex();
    await index.open('s1', 'w', 'stream');
    await index.open('s2', 'w', 'stream');
    await index.open('s3', 'elsewhere', 'stream');
    const a = append(index, 's1', up(1))!;
    const b = append(index, 's2', up(1))!;
    append(index, 's3', up(1));
    expect(b.id).toBe(a.id);
    expect(b.streamIds).toEqual(['s1', 's2']);
    expect(index.retained('w')).toBe(1);
    expect(index.retained('elsewhere')).toBe(1);
    expect(index.get(a.id)!.streamIds).toEqual(['s1', 's2']);
    // The renderer hears of the change (same id).
    expect(pushed.filter((p) => p.ws === 'w').map((p) => p.s.id)).toEqual([a.id, a.id]);
    // A repeat on the same stream again changes nothing.
    expect(append(index, 's2', up(1))).toBeUndefined();
  });

  it("pushes a live stream's entries to the window, not those of a file being read (its tab pages them)", async () => {
    const { index, pushed } = makeIndex();
    await index.open('live', 'w', 'stream');
    await index.open('file', 'f', 'import');
    await index.open('related', 'w', 'backfill');
    const live = append(index, 'live', up(1))!;
    for (let n = 0; n < 50; n++) append(index, 'file', up(100 + n));
    append(index, 'related', up(200));
    expect(pushed.map((p) => [p.ws, p.s.id])).toEqual([['w', live.id]]);
    // What the file's tab asks for instead: its newest entries, every one of them there.
    const page = index.page({ workspaceId: 'f', query: '', limit: 20 });
    expect(page.ok && page.value.entries.map((s) => s.fCnt)).toEqual(Array.from({ length: 20 }, (_, i) => 130 + i));
    expect(index.retained('f')).toBe(50);
  });

  it('an event its own stream delivered before (a resume) is a duplicate: not stored, not pushed', async () => {
    const { index, pushed } = makeIndex();
    await index.open('s1', 'w', 'stream');
    const raw = (n: number) => JSON.stringify(up(n));
    const first = index.appendStreamEvent('s1', raw(1), up(1));
    index.appendStreamEvent('s1', raw(2), up(2));
    expect(index.appendStreamEvent('s1', raw(1), up(1))).toBe(DUPLICATE);
    expect(index.appendEvent('s1', raw(2), up(2))).toBeUndefined();
    expect(index.retained('w')).toBe(2);
    expect(pushed).toHaveLength(2);
    expect(index.get((first as EventSummary).id)!.streamIds).toBeUndefined();
    await index.written();
    expect(readFileSync(index.segmentsOf('w')[0]!.file!.path, 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('one event, one row after a restart: the shared entry still names both streams, and only it does', async () => {
    const { index, dir } = makeIndex();
    await index.open('s1', 'w', 'stream');
    await index.open('s2', 'w', 'stream');
    for (let n = 0; n < 5; n++) append(index, 's1', up(n));
    append(index, 's2', up(3));
    append(index, 's2', up(7));
    append(index, 's1', up(7));
    await index.dispose();
    // A note torn by a crash is skipped, not a reason to lose the others.
    const also = readdirSync(dir).find((f) => f.endsWith('.also'))!;
    appendFileSync(path.join(dir, also), '{"offset":12');

    const again = makeIndex(dir).index;
    for (const entry of await again.catalog()) expect((await again.reopen(entry)).ok).toBe(true);
    const page = again.page({ workspaceId: 'w', query: '', limit: 100 });
    const rows = page.ok ? page.value.entries : [];
    expect(rows).toHaveLength(6);
    const named = (uid: number) => rows.find((s) => s.fCnt === uid)?.streamIds;
    expect(named(3)).toEqual(['s1', 's2']);
    expect(named(7)).toEqual(['s2', 's1']);
    for (const uid of [0, 1, 2, 4]) expect(named(uid)).toBeUndefined();
  });

  it('retention drops whole oldest segments, deletes their files and says so in the capture', async () => {
    const { index, dir } = makeIndex();
    index.retention = { maxEvents: 2_000, maxBytes: 1024 ** 3 };
    await index.open('s1', 'w', 'stream');
    const first = append(index, 's1', up(0))!;
    for (let n = 1; n < 8_000; n++) {
      append(index, 's1', up(n));
      if (n % 100 === 0) await tick();
    }
    await index.written();
    await new Promise((r) => setTimeout(r, 50));
    const retained = index.retained('w');
    expect(retained).toBeGreaterThanOrEqual(2_000);
    expect(retained).toBeLessThan(2_000 + 2 * 1_000 + 10);
    expect(index.get(first.id)).toBeUndefined();
    expect(await index.raw(first.id)).toBeUndefined();
    const notes = index.page({ workspaceId: 'w', query: 'kind:status', limit: 100 });
    expect(
      notes.ok &&
        notes.value.entries.some(
          (s) => s.name === 'event-desk.retention' && /Retention removed [\d,]+ older events/.test(s.preview),
        ),
    ).toBe(true);
    const files = readdirSync(dir).filter((f) => f.endsWith('.ndjson'));
    // Removed segments' files are deleted (the next segment may already be open ahead of time).
    expect(files.length).toBeGreaterThanOrEqual(index.segmentsOf('w').length);
    expect(files.length).toBeLessThanOrEqual(index.segmentsOf('w').length + 1);
    // The newest event is still there, by id and in its file.
    const last = index.page({ workspaceId: 'w', query: 'f_cnt:7999', limit: 1 });
    expect(last.ok && (await index.raw(last.value.entries[0]!.id))).toContain('"u7999"');
  });

  it("chains from the postings: entries of a correlation ID and a device's join events in a window", async () => {
    const { index } = makeIndex();
    await index.open('s1', 'w', 'stream');
    for (let n = 0; n < 50; n++) append(index, 's1', up(n));
    const join = (name: string, n: number): TtsEvent => ({
      name,
      time: new Date(T0 + n).toISOString(),
      identifiers: [{ device_ids: { device_id: 'dev1', application_ids: { application_id: 'app1' } } }],
      correlation_ids: [`x:${n}`],
    });
    append(index, 's1', join('ns.up.join.process', 10));
    append(index, 's1', join('js.join.accept', 12));
    append(index, 's1', join('js.join.accept', 60_000));
    const source = new IndexChainSource(index, 'w');
    expect(source.withCorrelationId('as:up:7', 10).map((s) => s.fCnt)).toEqual([7]);
    expect(source.withCorrelationId('gs:conn:shared', 5)).toHaveLength(5);
    expect([...source.joinEvents('app1/dev1', T0, T0 + 1000)].map((s) => s.name).sort()).toEqual([
      'js.join.accept',
      'ns.up.join.process',
    ]);
    expect(new IndexChainSource(index, 'other').withCorrelationId('as:up:7', 10)).toEqual([]);
  });

  it('reopens its captures after a restart from the files, keeping a last line without its newline and cutting a torn one', async () => {
    const { index, dir } = makeIndex();
    await index.open('s4', 'w', 'stream', { note: 'kept' });
    for (let n = 0; n < 30; n++) append(index, 's4', up(n));
    index.appendStatus('s4', { kind: 'reconnect', time: new Date(T0).toISOString(), message: 'back' });
    await index.dispose();
    const file = path.join(
      dir,
      readdirSync(dir).find((f) => f.endsWith('.ndjson'))!,
    );
    appendFileSync(file, '{"name":"as.up.da');

    const again = makeIndex(dir).index;
    const catalog = await again.catalog();
    expect(catalog).toEqual([
      expect.objectContaining({ streamId: 's4', workspaceId: 'w', kind: 'stream', meta: { note: 'kept' } }),
    ]);
    const r = await again.reopen(catalog[0]!);
    expect(r.ok && r.value.entries).toBe(31);
    const page = again.page({ workspaceId: 'w', query: '', limit: 100 });
    expect(page.ok && page.value.entries.filter((s) => s.kind === 'event').map((s) => s.fCnt)).toEqual(
      Array.from({ length: 30 }, (_, i) => i),
    );
    expect(again.newStreamId()).toBe('s5');
    // Appending continues in the same file, on a line of its own.
    append(again, 's4', up(99));
    await again.written();
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(32);
    expect(JSON.parse(lines.at(-1)!).unique_id).toBe('u99');
  });

  it('asks ingest to wait while more than a bounded amount is unwritten, and lets it go once written', async () => {
    const { index } = makeIndex();
    await index.open('s1', 'w', 'stream');
    const big = up(1, { data: { note: 'x'.repeat(100_000) } });
    let n = 0;
    while (!index.ready('s1')) {
      append(index, 's1', { ...big, unique_id: `b${n++}` });
      expect(n).toBeLessThan(200);
    }
    expect(n * 100_000).toBeGreaterThan(4 * 1024 * 1024);
    await index.ready('s1');
    expect(index.ready('s1')).toBeUndefined();
  });
});
