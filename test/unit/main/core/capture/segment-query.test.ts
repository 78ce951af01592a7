/**
 * Queries on the index's columns match exactly what the query language's summary predicate matches,
 * for every kind of term (names, IDs, gateways, numbers, free text in previews, NOT/OR/parentheses):
 * across segments with retention, across the 16,384-row chunks a segment is matched in, for rows
 * appended after a plan was made (plans are kept and reused), and in pages (newest first, before a cursor).
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureIndex } from '../../../../../src-main/core/capture/capture-index.js';
import { Scenario } from '../../../../../src-main/core/stack/scenario.js';
import type { EventSummary } from '../../../../../src-main/shared/domain/summary.js';
import { compileQuery } from '../../../../../src-main/shared/query/query.js';
import type { TtsEvent } from '../../../../../src-main/shared/tts/types.js';
import samples from '../../../../fixtures/sample-events.json' with { type: 'json' };

const index = new CaptureIndex({ dir: mkdtempSync(path.join(os.tmpdir(), 'event-desk-segq-')) });
const big = new CaptureIndex({ dir: mkdtempSync(path.join(os.tmpdir(), 'event-desk-segq-big-')) });
afterAll(async () => {
  await index.dispose();
  await big.dispose();
});

/** Ids the summary predicate accepts (row by row) and ids the column plan accepts. */
function both(ix: CaptureIndex, ws: string, q: string): { want: number[]; got: number[] } {
  const c = compileQuery(q);
  const plan = ix.query(q);
  if (!c.ok || !plan.ok || !plan.value) throw new Error(`${q} does not compile`);
  const want: number[] = [];
  const got: number[] = [];
  ix.scan(ws, (v) => void want.push(v.id), c.test);
  ix.scan(ws, (v) => void got.push(v.id), plan.value);
  return { want, got };
}

/** Fill a capture with scenario flows (one segment when retention allows). */
async function fill(ix: CaptureIndex, streamId: string, scenario: Scenario, events: number): Promise<void> {
  let n = 0;
  while (n < events) {
    for (const e of scenario.nextFlow()) {
      ix.appendEvent(streamId, e.json, JSON.parse(e.json) as TtsEvent);
      n++;
    }
    await ix.ready(streamId);
  }
  await ix.written();
}

const QUERIES = [
  'ns.up.*',
  'device:eui-70b3d57ed000001*',
  'gateway:demo-gateway-7 rssi<-100',
  '*.fail OR *.drop',
  '(as.up.* AND f_port:1) OR NOT app:demo-app',
  'temperature',
  'TEMPERATURE',
  'join-request',
  'demo-gateway-1',
  'gs.up',
  'dev_eui:70B3',
  'dev_addr:26',
  'error:*',
  'dir:up -name:gs.*',
  'mtype:confirmed_up OR adr:true',
  'kind:status',
  'stream:s1 f_cnt>3',
  '"retention"',
  'snr<0 OR gateways>=2',
  'app:demo-* device:*1*',
  'Stream OR started',
  'é',
  'corr:gs:uplink:*',
  // Free text that only a DevAddr, a DevEUI or an application ID holds.
  '260B001',
  '70b3d57ed000002',
  'demo-app-2',
];

describe('queries on columns', () => {
  it('match the same entries as the summary predicate', async () => {
    await index.open('s1', 'w', 'import');
    index.retention = { maxEvents: 1500, maxBytes: 1e12 };
    const scenario = new Scenario({ devices: 40, gateways: 12, applications: 3, seed: 3 }, () => 0);
    let n = 0;
    for (const e of samples as TtsEvent[]) index.appendEvent('s1', JSON.stringify(e), e);
    while (n < 4000)
      for (const e of scenario.nextFlow()) {
        const ev = JSON.parse(e.json) as TtsEvent;
        index.appendEvent('s1', e.json, ev);
        if (++n % 500 === 0) {
          index.appendStatus('s1', { kind: 'warning', time: ev.time, message: `Stream warning é ${n}` });
          // Let the next segment open, so that retention removes the oldest ones.
          await index.written();
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    await index.written();
    const counts: Record<string, number> = {};
    for (const q of QUERIES) {
      const c = compileQuery(q);
      expect(c.ok, q).toBe(true);
      if (!c.ok) continue;
      const plan = index.query(q);
      expect(plan.ok).toBe(true);
      if (!plan.ok || !plan.value) continue;
      const want: number[] = [];
      const got: number[] = [];
      index.scan('w', (v) => void want.push(v.id), c.test);
      index.scan('w', (v) => void got.push(v.id), plan.value);
      expect(got, q).toEqual(want);
      counts[q] = want.length;
    }
    // The comparison means something: most terms match some entries and not all.
    expect(Object.values(counts).filter((c) => c > 0 && c < index.retained('w')).length).toBeGreaterThan(18);
    expect(counts['"retention"']).toBeGreaterThan(0);
    expect(index.segmentsOf('w').length).toBeGreaterThan(1);
  });
});

describe('queries over chunks, appends and pages', () => {
  it('match across chunk boundaries of one large segment, and for rows appended after the plan was made', async () => {
    await big.open('b1', 'big', 'import');
    big.retention = { maxEvents: 1_000_000, maxBytes: 1e13 };
    const scenario = new Scenario({ devices: 60, gateways: 14, applications: 3, seed: 5 }, () => 0);
    await fill(big, 'b1', scenario, 20_000);
    // One segment of more than one 16,384-row chunk.
    expect(big.segmentsOf('big').length).toBe(1);
    expect(big.retained('big')).toBeGreaterThan(16_384);
    for (const q of QUERIES) {
      const { want, got } = both(big, 'big', q);
      expect(got, q).toEqual(want);
    }
    // Plans are kept by the index; rows appended now bring new devices, gateways and names.
    const more = new Scenario({ devices: 80, gateways: 20, applications: 4, seed: 9 }, () => 0);
    for (let i = 0; i < 300; i++)
      for (const e of more.nextFlow()) {
        const ev = JSON.parse(e.json) as TtsEvent;
        big.appendEvent('b1', e.json, ev);
      }
    // Previews past 255 bytes keep their length apart: the word at the very end of one, and in one after it.
    const long = `${'é'.repeat(200)} then the temperature`;
    big.appendStatus('b1', { kind: 'warning', time: new Date(0).toISOString(), message: long });
    big.appendStatus('b1', { kind: 'warning', time: new Date(0).toISOString(), message: 'Stream temperature drop' });
    await big.written();
    const late: Record<string, number> = {};
    for (const q of [...QUERIES, 'device:eui-70b3d57ed000004*', 'gateway:demo-gateway-19', 'app:demo-app-4']) {
      const { want, got } = both(big, 'big', q);
      expect(got, q).toEqual(want);
      late[q] = want.filter((id) => id >= big.segmentsOf('big')[0]!.base + 20_000).length;
    }
    // The appended rows are among the matches of terms only they can satisfy.
    expect(late['device:eui-70b3d57ed000004*']).toBeGreaterThan(0);
    expect(late['gateway:demo-gateway-19']).toBeGreaterThan(0);
    expect(late['app:demo-app-4']).toBeGreaterThan(0);
    expect(late['temperature']).toBeGreaterThan(1);
    // A minute: it fills 20k events and runs every query twice, slow on a loaded machine (not a timed assertion).
  }, 90_000);

  it('pages give the newest matches before a cursor, exactly as filtering every entry would', () => {
    const all: EventSummary[] = [];
    big.scan('big', (v) => void all.push(big.get(v.id)!));
    for (const q of ['ns.up.*', 'device:eui-70b3d57ed000001*', 'temperature', 'gateway:demo-gateway-7 rssi<-100']) {
      const c = compileQuery(q);
      if (!c.ok) throw new Error(q);
      const matching = all.filter(c.test).sort((x, y) => x.ms - y.ms || x.id - y.id);
      const cursor = matching[Math.floor(matching.length / 2)]!;
      for (const [limit, before] of [
        [100, undefined],
        [20_000, undefined],
        [50, { ms: cursor.ms, id: cursor.id }],
      ] as const) {
        const page = big.page({ workspaceId: 'big', query: q, limit, ...(before ? { before } : {}) });
        if (!page.ok) throw new Error(page.error.message);
        const eligible = before
          ? matching.filter((s) => s.ms < before.ms || (s.ms === before.ms && s.id < before.id))
          : matching;
        expect(
          page.value.entries.map((s) => s.id),
          `${q} ${limit}`,
        ).toEqual(eligible.slice(-limit).map((s) => s.id));
        expect(page.value.more, `${q} ${limit}`).toBe(eligible.length > limit);
        expect(page.value.entries[0]).toEqual(big.get(page.value.entries[0]!.id));
      }
    }
  }, 60_000);
});
