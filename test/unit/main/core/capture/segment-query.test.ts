/**
 * Queries on the index's columns match exactly what the query language's summary predicate matches,
 * for every kind of term (names, IDs, gateways, numbers, free text in previews, NOT/OR/parentheses).
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureIndex } from '../../../../../src-main/core/capture/capture-index.js';
import { Scenario } from '../../../../../src-main/core/stack/scenario.js';
import { compileQuery } from '../../../../../src-main/shared/query/query.js';
import type { TtsEvent } from '../../../../../src-main/shared/tts/types.js';
import samples from '../../../../fixtures/sample-events.json' with { type: 'json' };

const index = new CaptureIndex({ dir: mkdtempSync(path.join(os.tmpdir(), 'event-desk-segq-')) });
afterAll(() => index.dispose());

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
