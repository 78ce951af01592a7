/**
 * The messages view's rows made in main (#17): grouped as rows are appended, they are the rows grouping
 * the whole capture at once gives; a filter lists the messages with a matching event and an expanded
 * message's matching events; retention drops what it removed; a big first grouping answers in slices.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Scenario } from '../../../src-main/core/stack/scenario.js';
import { CaptureIndex } from '../../../src-main/core/capture/capture-index.js';
import { MessageService } from '../../../src-main/core/health/message-service.js';
import { assembleMessages, type MessageRow } from '../../../src-main/shared/health/messages.js';
import type { EventSummary } from '../../../src-main/shared/domain/summary.js';
import type { MessagesRequest } from '../../../src-main/shared/ipc/contract.js';
import type { TtsEvent } from '../../../src-main/shared/tts/types.js';

describe('messages grouped in main', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-messages-'));
  const index = new CaptureIndex({ dir });
  afterAll(async () => {
    await index.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  const scenario = new Scenario({ devices: 20, gateways: 4, seed: 7 }, () => Date.parse('2026-01-01T00:00:00Z'));
  let t = Date.parse('2026-01-01T00:00:00Z');
  const append = async (n: number) => {
    for (let i = 0; i < n;) {
      for (const e of scenario.nextFlow()) {
        const ev = JSON.parse(e.json) as TtsEvent;
        ev.time = new Date((t += 40)).toISOString();
        index.appendEvent('s1', JSON.stringify(ev), ev);
        i++;
      }
      const wait = index.ready('s1');
      if (wait) await wait;
    }
    await index.written();
  };
  const everything = (): EventSummary[] => {
    const out: EventSummary[] = [];
    for (const seg of index.segmentsOf('w')) for (let row = 0; row < seg.rows; row++) out.push(seg.summary(row));
    return out.sort((a, b) => a.ms - b.ms || a.id - b.id);
  };
  const req = (over: Partial<MessagesRequest> = {}): MessagesRequest => ({
    workspaceId: 'w',
    query: '',
    newestFirst: false,
    start: 0,
    count: 1000,
    ...over,
  });
  const shape = (rows: MessageRow[]) => rows.map((r) => [r.id, [...r.eventIds].sort(), r.outcome, r.fCnt]);
  const live = new MessageService(index);
  /** A service that has grouped everything (a call groups for ~150 ms at most, then answers with progress). */
  const grouped = (svc: MessageService) => {
    while (!svc.update('w'));
    return svc;
  };

  it('grouped batch by batch, gives the rows of grouping the whole capture at once, in either order', async () => {
    index.retention = { maxEvents: 6000, maxBytes: 4 * 1024 ** 3 };
    const opened = await index.open('s1', 'w', 'import');
    if (!opened.ok) throw new Error(opened.error.message);
    // Batches that cut messages in half; a second view keeps a filter through them.
    const upLive = new MessageService(index);
    for (let i = 0; i < 8; i++) {
      await append(137);
      expect(live.window(req()).ok).toBe(true);
      expect(upLive.window(req({ query: 'dir:up', newestFirst: true })).ok).toBe(true);
    }
    const upAfter = upLive.window(req({ query: 'dir:up' }));
    const upFresh = grouped(new MessageService(index)).window(req({ query: 'dir:up' }));
    if (!upAfter.ok || !upFresh.ok) throw new Error('window failed');
    expect(upAfter.value.total).toBeGreaterThan(10);
    expect(shape(upAfter.value.rows)).toEqual(shape(upFresh.value.rows));
    const r = live.window(req());
    if (!r.ok) throw new Error(r.error.message);
    const whole = assembleMessages(everything());
    expect(r.value.total).toBe(whole.length);
    expect(r.value.total).toBeGreaterThan(50);
    expect(shape(r.value.rows)).toEqual(shape(whole));
    // Newest first, a range from the middle.
    const mid = live.window(req({ newestFirst: true, start: 10, count: 5 }));
    if (!mid.ok) throw new Error(mid.error.message);
    expect(mid.value.start).toBe(10);
    expect(shape(mid.value.rows)).toEqual(shape(whole.slice().reverse().slice(10, 15)));
    // A start past the end gives the last rows (an oldest-first view at its live edge asks that way).
    const end = live.window(req({ start: Number.MAX_SAFE_INTEGER, count: 3 }));
    if (!end.ok) throw new Error(end.error.message);
    expect(shape(end.value.rows)).toEqual(shape(whole.slice(-3)));
  });

  it('a filter lists the messages with a matching event; an expanded one lists its matching events', () => {
    const all = live.window(req());
    const joins = live.window(req({ query: 'as.up.join.forward' }));
    if (!all.ok || !joins.ok) throw new Error('window failed');
    const withJoin = all.value.rows.filter((m) => m.kind === 'join' && m.outcome === 'accepted');
    expect(joins.value.total).toBeGreaterThan(0);
    expect(joins.value.total).toBeLessThan(all.value.total);
    expect(joins.value.rows.every((m) => m.kind === 'join')).toBe(true);
    expect(joins.value.total).toBe(withJoin.length);
    // Expanded by any of its events: the whole message's row, the filter's events only.
    const m = joins.value.rows[0]!;
    const open = live.window(req({ query: 'as.up.join.forward', expanded: m.eventIds.at(-1)! }));
    if (!open.ok) throw new Error(open.error.message);
    expect(open.value.expanded?.at).toBe(0);
    expect(open.value.expanded?.row.id).toBe(m.id);
    expect(open.value.expanded?.events.map((e) => e.name)).toEqual(['as.up.join.forward']);
    const unfiltered = live.window(req({ expanded: m.id }));
    if (!unfiltered.ok) throw new Error(unfiltered.error.message);
    expect(unfiltered.value.expanded?.events.length).toBe(m.eventIds.length);
    // A filter that does not parse is said, not applied.
    const bad = live.window(req({ query: 'time>=yesterday-ish (' }));
    expect(bad.ok).toBe(false);
  });

  it('drops what retention removed: the same rows as grouping what is left', async () => {
    const filtered = new MessageService(index);
    expect(filtered.window(req({ query: 'dir:up' })).ok).toBe(true);
    await append(9000);
    expect(index.segmentsOf('w')[0]!.base).toBeGreaterThan(0);
    const after = grouped(live).window(req({ count: 1000, start: Number.MAX_SAFE_INTEGER }));
    const fresh = grouped(new MessageService(index)).window(req({ count: 1000, start: Number.MAX_SAFE_INTEGER }));
    if (!after.ok || !fresh.ok) throw new Error('window failed');
    expect(after.value.total).toBe(fresh.value.total);
    expect(shape(after.value.rows)).toEqual(shape(fresh.value.rows));
    const up = grouped(filtered).window(req({ query: 'dir:up', start: Number.MAX_SAFE_INTEGER }));
    const upFresh = grouped(new MessageService(index)).window(req({ query: 'dir:up', start: Number.MAX_SAFE_INTEGER }));
    if (!up.ok || !upFresh.ok) throw new Error('window failed');
    expect(up.value.total).toBe(upFresh.value.total);
    expect(shape(up.value.rows)).toEqual(shape(upFresh.value.rows));
  });

  it('groups a big capture in slices, saying how far it got, until it is done', () => {
    const slow = new MessageService(index);
    expect(slow.update('w', 0)).toBe(false);
    let calls = 1;
    while (!slow.update('w', 0) && calls < 10_000) calls++;
    expect(calls).toBeGreaterThan(1);
    const done = slow.window(req({ start: Number.MAX_SAFE_INTEGER }));
    const whole = live.window(req({ start: Number.MAX_SAFE_INTEGER }));
    if (!done.ok || !whole.ok) throw new Error('window failed');
    expect(done.value.building).toBeUndefined();
    expect(shape(done.value.rows)).toEqual(shape(whole.value.rows));
  });
});
