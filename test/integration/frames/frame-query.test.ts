/**
 * Query fields of #18 over a capture in main's index: mtype:, adr:, ack: come from the frame header's
 * bits that the summary's header parse gives for free (kept in the index as one byte per entry);
 * mac: and mic: need main's decoder and keys (frame-facts.test.ts): without them (a file read on the
 * command line) they say so rather than match nothing. Events: the stack's
 * (real frames) and the real corpus's (test/fixtures/real), imported as a user would.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureIndex } from '../../../src-main/core/capture/capture-index.js';
import { Scenario } from '../../../src-main/core/stack/scenario.js';
import { compileQuery } from '../../../src-main/shared/query/query.js';
import { summarizeEvent } from '../../../src-main/shared/domain/summary.js';
import type { TtsEvent } from '../../../src-main/shared/tts/types.js';

const index = new CaptureIndex({ dir: mkdtempSync(path.join(os.tmpdir(), 'frames-query-')) });
afterAll(() => index.dispose());

describe('frame header fields in queries', () => {
  it("finds confirmed uplinks, acknowledgements and ADR frames in main's index", async () => {
    const r = await index.open('cap', 'w', 'import');
    if (!r.ok) throw new Error(r.error.message);
    const s = new Scenario({ devices: 2, gateways: 1, seed: 5 }, () => Date.parse('2026-01-01T00:00:00Z'));
    const events = [...s.flow('join'), ...s.flow('uplink'), ...s.flow('confirmed-uplink'), ...s.flow('downlink')];
    for (const e of events) index.appendEvent('cap', e.json, JSON.parse(e.json) as TtsEvent);
    const names = (query: string) => {
      const p = index.page({ workspaceId: 'w', query, limit: 1000 });
      if (!p.ok) throw new Error(p.error.message);
      return [...new Set(p.value.entries.map((e) => e.name))].sort();
    };
    expect(names('mtype:confirmed_up')).toEqual(expect.arrayContaining(['gs.up.receive', 'ns.up.data.receive']));
    expect(names('mtype:join_request')).toEqual(expect.arrayContaining(['gs.up.receive', 'ns.up.join.receive']));
    expect(names('mtype:join_accept')).toEqual(expect.arrayContaining(['gs.down.send']));
    // The ack of the confirmed uplink: the NS's and GS's downlink events, and nothing else.
    const acks = names('ack:true');
    expect(acks).toEqual(expect.arrayContaining(['gs.down.send', 'ns.down.data.schedule.attempt']));
    expect(acks.every((n) => n.includes('.down.'))).toBe(true);
    expect(names('adr:true mtype:*_up').length).toBeGreaterThan(0);
    expect(names('adr:false mtype:*_up')).toEqual([]);
    expect(names('mtype:*_down ack:false').length).toBeGreaterThan(0);
  });

  it("reads the same bits from real servers' events (parsed header or raw frame)", () => {
    const doc = JSON.parse(readFileSync('test/fixtures/real/mumo-v2-node-logs-2024.json', 'utf8')) as {
      events: TtsEvent[];
    };
    const up = compileQuery('mtype:unconfirmed_up adr:false');
    const down = compileQuery('mtype:unconfirmed_down');
    if (!up.ok || !down.ok) throw new Error('query');
    const summaries = doc.events.map((e, i) => summarizeEvent(e, i, 's'));
    expect(summaries.filter(up.test).map((s) => s.name)).toEqual(expect.arrayContaining(['gs.up.receive']));
    expect(summaries.filter(down.test).map((s) => s.name)).toEqual(
      expect.arrayContaining(['gs.down.send', 'ns.down.data.schedule.attempt']),
    );
    expect(summaries.filter(up.test).every((s) => s.direction === 'up')).toBe(true);
  });

  it("without main's decoder, says what mac:, mic: and a bad flag need instead of matching nothing", () => {
    for (const q of ['mic:invalid', 'mac:LinkADRReq']) {
      const c = compileQuery(q);
      expect(c.ok).toBe(false);
      expect(!c.ok && c.error.message).toMatch(/decoded with its device's keys, which only the app's event list does/);
    }
    const bad = compileQuery('adr:maybe');
    expect(!bad.ok && bad.error.message).toBe('adr takes true or false, not "maybe".');
  });
});
