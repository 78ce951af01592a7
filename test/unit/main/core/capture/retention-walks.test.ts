/**
 * Posting walks after retention: the entries of a correlation ID, a device or a gateway are found in
 * every retained segment, older ones included, when retention has removed segments in between or
 * before; a walk whose older entries were removed ends with what is retained. No server.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { CaptureIndex } from '../../../../../src-main/core/capture/capture-index.js';
import { IndexChainSource } from '../../../../../src-main/core/correlation/index-chain-source.js';
import type { TtsEvent } from '../../../../../src-main/shared/tts/types.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');
let index: CaptureIndex | undefined;
afterEach(async () => {
  await index?.dispose();
  index = undefined;
});

const up = (n: number): TtsEvent => ({
  name: n % 500 === 7 ? 'ns.up.join.process' : 'as.up.data.forward',
  time: new Date(T0 + n * 10).toISOString(),
  identifiers: [{ device_ids: { device_id: `dev${n % 3}`, application_ids: { application_id: 'app1' } } }],
  // One ID carried by every 100th event across the whole capture, one per event, one shared by all.
  correlation_ids: [`as:up:${n}`, 'gs:conn:all', ...(n % 100 === 0 ? ['rpc:/every-100th'] : [])],
  unique_id: `u${n}`,
  data: {
    uplink_message: { f_cnt: n, rx_metadata: [{ gateway_ids: { gateway_id: n % 2 ? 'gtw-odd' : 'gtw-even' } }] },
  },
});

/** The number `n` an event was made from (its time says). */
const nOf = (s: { ms: number }) => (s.ms - T0) / 10;

/** `n` of every retained event the test accepts, from a plain scan (the truth the walks must match). */
function retainedWhere(ix: CaptureIndex, test: (n: number) => boolean): number[] {
  const out: number[] = [];
  ix.scan('w', (v) => {
    if (v.kind === 'event' && test(nOf(v))) out.push(nOf(v));
  });
  return out.sort((a, b) => a - b);
}

describe('posting walks after retention removed segments', () => {
  it('find every retained entry of a correlation ID, a device and a gateway, across all retained segments', async () => {
    index = new CaptureIndex({ dir: mkdtempSync(path.join(os.tmpdir(), 'exchange-walks-')), clock: () => T0 });
    index.retention = { maxEvents: 2_000, maxBytes: 1024 ** 3 };
    await index.open('s1', 'w', 'stream');
    for (let n = 0; n < 9_000; n++) {
      const e = up(n);
      index.appendEvent('s1', JSON.stringify(e), e);
      const wait = index.ready('s1');
      if (wait) await wait;
      if (n % 200 === 0) await new Promise((r) => setImmediate(r));
    }
    await index.written();
    const segments = index.segmentsOf('w');
    // Retention ran (the oldest events are gone) and what is left spans several segments.
    expect(segments.length).toBeGreaterThanOrEqual(2);
    const oldest = retainedWhere(index, () => true)[0]!;
    expect(oldest).toBeGreaterThan(1_000);

    const source = new IndexChainSource(index, 'w');
    const ns = (list: readonly { ms: number }[]) => list.map(nOf).sort((a, b) => a - b);
    // Every retained event of the shared ID, from the newest segment back to the oldest retained one.
    expect(ns(source.withCorrelationId('gs:conn:all', 1e6))).toEqual(retainedWhere(index, () => true));
    expect(ns(source.withCorrelationId('rpc:/every-100th', 1e6))).toEqual(retainedWhere(index, (n) => n % 100 === 0));
    // An ID whose only event was removed ends cleanly with nothing.
    expect(source.withCorrelationId('as:up:5', 10)).toEqual([]);
    // A limit is honoured across segments.
    expect(source.withCorrelationId('gs:conn:all', 2_500)).toHaveLength(2_500);
    // Device and gateway postings in each retained segment, as the network view walks them.
    const walk = (visit: (seg: (typeof segments)[number], push: (row: number) => void) => void) => {
      const out: number[] = [];
      for (const seg of index!.segmentsOf('w'))
        visit(seg, (row) => void (seg.isStatus(row) || out.push(nOf({ ms: seg.ms(row) }))));
      return out.sort((a, b) => a - b);
    };
    expect(walk((seg, push) => seg.withDevice('app1/dev1', push))).toEqual(retainedWhere(index, (n) => n % 3 === 1));
    expect(walk((seg, push) => seg.withGateway('gtw-odd', push))).toEqual(retainedWhere(index, (n) => n % 2 === 1));
    // Join events of a device in a window that starts before the oldest retained event.
    const joins = ns([...source.joinEvents('app1/dev1', T0, T0 + 9_000 * 10)]);
    expect(joins).toEqual(retainedWhere(index, (n) => n % 500 === 7 && n % 3 === 1));
    expect(joins.length).toBeGreaterThan(0);
  });
});
