/**
 * The big benchmarks' capture (bench/big-capture.ts, bench/query-probe.ts): realistic events of 1,000
 * devices, 50 gateways and 5 applications (seed 8), 3 ms apart from 2026-01-01, appended to stream `s1`
 * of a capture index at the pace its disk sets, as a stream's are. Both fill the same capture, so their
 * numbers compare; and the six filter queries they time.
 */
import { Scenario } from '../src-main/core/stack/scenario.js';
import type { CaptureIndex } from '../src-main/core/capture/capture-index.js';
import type { TtsEvent } from '../src-main/shared/tts/types.js';

export const BIG_QUERIES = [
  'ns.up.*',
  'device:eui-70b3d57ed0000123',
  'gateway:demo-gateway-7 rssi<-100',
  '*.fail OR *.drop',
  '(as.up.* AND f_port:1) OR NOT app:demo-app',
  'temperature',
];

export interface BigFiller {
  /** Events appended so far. */
  readonly count: number;
  /** Their NDJSON bytes (a line and its newline each). */
  readonly bytes: number;
  /** Append whole flows until `target` events, then wait until they are written; `progress` every ~500,000. */
  fill(target: number, progress?: (count: number) => void): Promise<void>;
}

/** Open stream `s1` of `index` (as an import named `big`) and return what fills it. */
export async function bigFiller(index: CaptureIndex): Promise<BigFiller> {
  const scenario = new Scenario({ devices: 1000, gateways: 50, applications: 5, seed: 8 }, () =>
    Date.parse('2026-01-01T00:00:00Z'),
  );
  let t = Date.parse('2026-01-01T00:00:00Z');
  const opened = await index.open('s1', 'big', 'import');
  if (!opened.ok) throw new Error(opened.error.message);
  let count = 0;
  let bytes = 0;
  return {
    get count() {
      return count;
    },
    get bytes() {
      return bytes;
    },
    async fill(target, progress) {
      while (count < target) {
        for (const e of scenario.nextFlow()) {
          // Spread events over time as a real capture would be.
          t += 3;
          const ev = JSON.parse(e.json) as TtsEvent;
          ev.time = new Date(t).toISOString();
          const raw = JSON.stringify(ev);
          index.appendEvent('s1', raw, ev);
          bytes += raw.length + 1;
          count++;
        }
        const wait = index.ready('s1'); // the capture's disk sets the pace, as it does for a stream
        if (wait) await wait;
        if (count % 500_000 < 20) progress?.(count);
      }
      await index.written();
    },
  };
}
