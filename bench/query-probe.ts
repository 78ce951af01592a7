/**
 * A focused run of the big benchmark's query and chain rows (bench/big-capture.ts fills the same way):
 * fill one capture of BENCH_PROBE_N events (default 1,000,000), then time the six queries (every row,
 * best and median of BENCH_PROBE_RUNS), a page of 1,000 per query, and 200 chains. Nothing else (no
 * exports, no second fill), so a before/after comparison takes a minute, not seven.
 *   node --expose-gc --import tsx bench/query-probe.ts   (add --cpu-prof to profile)
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { CaptureIndex } from '../src-main/core/capture/capture-index.js';
import { ChainService } from '../src-main/core/correlation/chain-service.js';
import { err } from '../src-main/shared/result.js';
import { BIG_QUERIES as queries, bigFiller } from './big-fill.js';

const N = Number(process.env.BENCH_PROBE_N ?? 1_000_000);
const RUNS = Number(process.env.BENCH_PROBE_RUNS ?? 5);
const ONLY = process.env.BENCH_PROBE_ONLY; // 'query' | 'chain' | 'page'
const log = (m: string) => console.error(`[probe] ${m}`);

const dir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-probe-'));
const index = new CaptureIndex({ dir: path.join(dir, 'captures') });
index.retention = { maxEvents: N * 2, maxBytes: 1e13 };
const filler = await bigFiller(index);
const fillStart = Date.now();
await filler.fill(N);
const count = filler.count;
log(`filled ${count.toLocaleString('en')} in ${((Date.now() - fillStart) / 1000).toFixed(1)} s`);

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
/** CPU time of this process (ms) since `start`: less disturbed than wall time when others share the cores. */
const cpu = (start: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
};
const sorted = (l: number[]) => [...l].sort((a, b) => a - b);
const pct = (l: number[], p: number) => sorted(l)[Math.min(l.length - 1, Math.floor((p / 100) * l.length))]!;
const r2 = (x: number) => Math.round(x * 100) / 100;

const out: Record<string, unknown> = { events: count };
if (!ONLY || ONLY === 'query' || ONLY === 'page') {
  const perQuery: Record<
    string,
    { medianMs: number; bestMs: number; cpuMs: number; pageMs: number; pageCpuMs: number; matches: number }
  > = {};
  const all: number[] = [];
  const allCpu: number[] = [];
  for (const q of queries) {
    const c = index.query(q);
    if (!c.ok) throw new Error(c.error.message);
    const times: number[] = [];
    const cpus: number[] = [];
    const pages: number[] = [];
    const pageCpus: number[] = [];
    let matches = 0;
    for (let run = 0; run < RUNS; run++) {
      if (ONLY !== 'page') {
        const start = process.hrtime.bigint();
        const c0 = process.cpuUsage();
        matches = 0;
        index.scan('big', () => void matches++, c.value);
        times.push(ms(start));
        cpus.push(cpu(c0));
      }
      const p = process.hrtime.bigint();
      const c0 = process.cpuUsage();
      index.page({ workspaceId: 'big', query: q, limit: 1000 });
      pages.push(ms(p));
      pageCpus.push(cpu(c0));
    }
    all.push(...times);
    allCpu.push(...cpus);
    perQuery[q] = {
      medianMs: r2(pct(times, 50)),
      bestMs: r2(sorted(times)[0]!),
      cpuMs: r2(pct(cpus, 50)),
      pageMs: r2(pct(pages, 50)),
      pageCpuMs: r2(pct(pageCpus, 50)),
      matches,
    };
  }
  out.query = {
    p50Ms: r2(pct(all, 50)),
    p95Ms: r2(pct(all, 95)),
    cpuP50Ms: r2(pct(allCpu, 50)),
    cpuP95Ms: r2(pct(allCpu, 95)),
    perQuery,
  };
}
if (!ONLY || ONLY === 'chain') {
  const chains = new ChainService({ index, resolve: async () => err('not-found', 'none'), profileOf: () => undefined });
  const ups = index.page({ workspaceId: 'big', query: 'as.up.data.forward', limit: 100_000 });
  if (!ups.ok) throw new Error(ups.error.message);
  const e = ups.value.entries;
  const ids = Array.from({ length: 200 }, (_, i) => e[Math.floor((i * e.length) / 200)]!.id);
  const times: number[] = [];
  const cpus: number[] = [];
  const slow: { id: number; ms: number; steps: number }[] = [];
  for (let run = 0; run < 3; run++)
    for (const id of ids) {
      const start = process.hrtime.bigint();
      const c0 = process.cpuUsage();
      const c = chains.chain(id);
      const took = ms(start);
      cpus.push(cpu(c0));
      times.push(took);
      if (run === 2 && took > 2) slow.push({ id, ms: r2(took), steps: c.ok ? c.value.steps.length : -1 });
    }
  out.chain = {
    p50Ms: r2(pct(times, 50)),
    p95Ms: r2(pct(times, 95)),
    maxMs: r2(sorted(times).at(-1)!),
    cpuP50Ms: r2(pct(cpus, 50)),
    cpuP95Ms: r2(pct(cpus, 95)),
    slow: slow.length,
  };
}
console.log(JSON.stringify(out, null, 1));
await index.dispose();
rmSync(dir, { recursive: true, force: true });
