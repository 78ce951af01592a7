/**
 * Team recording benchmark (#19), against a real ClickHouse started here (Debian's clickhouse-server,
 * as in the tests): run alone with `npx tsx bench/clickhouse.ts [INGEST_EVENTS_PER_SEC]`, or from
 * `npm run bench` (BENCH_ONLY=clickhouse), which passes the app's ingest rate measured in the same run.
 *
 *   a. sink throughput: a capture of N (default 1,000,000) realistic events, spread over ten days, sent
 *      by the ClickHouse sink from offset 0 (a NOC host catching up), in events/s and as a ratio to the
 *      app's full-speed ingest: the sink keeps up when the ratio is ≥ 1;
 *      (BENCH_CLICKHOUSE_N, BENCH_CLICKHOUSE_BATCH_MB, BENCH_CLICKHOUSE_FORMAT=binary|tsv|json, BENCH_CLICKHOUSE_IN_FLIGHT to vary it);
 *      with the CPU each side spent per event (our process; clickhouse-server's, from /proc), which compares
 *      across runs made under different loads; BENCH_CLICKHOUSE_SINK_ONLY=1 stops after this part;
 *   b. first page of a filtered window over those N events: p50/p95 of `page(undefined, 100)` for
 *      several filters (exact SQL, free text, time), target ≤ 500 ms;
 *   c. export of the whole window as NDJSON (the app's window export path), events/s and our CPU per event.
 * Prints a table on stderr and one JSON line on stdout.
 */
import os from 'node:os';
import path from 'node:path';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { Scenario } from '../src-main/core/stack/scenario.js';
import { ClickHouseSink } from '../src-main/core/clickhouse/sink.js';
import { ClickHouseSource } from '../src-main/core/clickhouse/source.js';
import { parseClickHouseUrl } from '../src-main/core/clickhouse/target.js';
import type { TtsEvent } from '../src-main/shared/tts/types.js';
import { readerSelection } from '../src-main/core/clickhouse/window-export.js';
import { ExportFile, writeLines } from '../src-main/core/exchange/export-writer.js';
import { startClickHouse } from '../test/helpers/clickhouse-server.js';

const N = Number(process.env.BENCH_CLICKHOUSE_N ?? 1_000_000);
const ingestRate = Number(process.argv[2] ?? process.env.BENCH_INGEST_EVPS ?? 0) || undefined;
const log = (m: string) => console.error(`[clickhouse] ${m}`);

/** CPU seconds (user + system) a process has used so far, from /proc (Linux; 0 elsewhere). */
function cpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 Hz)
  } catch {
    return 0;
  }
}
const ourCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const dir = mkdtempSync(path.join(os.tmpdir(), 'ch-bench-'));
// The server runs as README's "Recording for a team" tells a NOC host to run it: jemalloc keeping big
// allocations for reuse (its CPU per event halves). Set MALLOC_CONF yourself to measure another setting.
process.env.MALLOC_CONF ??= 'oversize_threshold:0';
log(`clickhouse-server with MALLOC_CONF=${process.env.MALLOC_CONF || '(none)'}`);
const ch = await startClickHouse();
try {
  // a. A capture of N events over ten days (so the table has day partitions, as in production).
  const capture = path.join(dir, 'capture.ndjson');
  const start = Date.parse('2026-01-01T00:00:00Z');
  const step = (10 * 86_400_000) / N;
  const scenario = new Scenario({ devices: 1000, gateways: 50, applications: 5, seed: 8 }, () => start);
  const fd = openSync(capture, 'w');
  let count = 0;
  let chunk: string[] = [];
  const devices = new Set<string>();
  while (count < N) {
    for (const e of scenario.nextFlow()) {
      if (count >= N) break;
      const ev = JSON.parse(e.json) as TtsEvent;
      ev.time = new Date(start + Math.floor(count * step))
        .toISOString()
        .replace('Z', `${String(count % 1e6).padStart(6, '0')}Z`);
      const dev = ev.identifiers?.[0]?.device_ids?.device_id;
      if (dev && devices.size < 5) devices.add(dev);
      chunk.push(JSON.stringify(ev));
      count++;
    }
    if (chunk.length >= 10_000) {
      writeSync(fd, `${chunk.join('\n')}\n`);
      chunk = [];
    }
  }
  if (chunk.length) writeSync(fd, `${chunk.join('\n')}\n`);
  closeSync(fd);
  const bytes = statSync(capture).size;
  log(`capture: ${N.toLocaleString('en')} events, ${(bytes / 1e6).toFixed(0)} MB; sending…`);

  const target = parseClickHouseUrl(`${ch.url}/bench`);
  const t0 = performance.now();
  const cpu0 = { ours: ourCpu(), server: cpuSeconds(ch.pid) };
  const sink = await ClickHouseSink.start({
    target,
    capturePath: capture,
    origin: { server: 'bench', stream: 'bench' },
    pollMs: 20,
    ...(process.env.BENCH_CLICKHOUSE_BATCH_MB
      ? { batchBytes: Number(process.env.BENCH_CLICKHOUSE_BATCH_MB) * 1024 * 1024 }
      : {}),
    ...(process.env.BENCH_CLICKHOUSE_FORMAT
      ? { format: process.env.BENCH_CLICKHOUSE_FORMAT as 'binary' | 'tsv' | 'json' }
      : {}),
    ...(process.env.BENCH_CLICKHOUSE_IN_FLIGHT ? { inFlight: Number(process.env.BENCH_CLICKHOUSE_IN_FLIGHT) } : {}),
  });
  if (!(await sink.drain(3_600_000))) throw new Error(`the sink did not catch up: ${JSON.stringify(sink.lag)}`);
  const sinkSecs = (performance.now() - t0) / 1000;
  // CPU per event on each side, for comparing runs made under different loads.
  const cpuUs = {
    sink: ((ourCpu() - cpu0.ours) / N) * 1e6,
    server: ((cpuSeconds(ch.pid) - cpu0.server) / N) * 1e6,
  };
  await sink.close();
  const sinkRate = N / sinkSecs;
  const parts = await ch.sql(
    "SELECT count(), sum(rows) FROM system.parts WHERE database = 'bench' AND table = 'events' AND active FORMAT TSV",
  );
  log(
    `sink: ${Math.round(sinkRate).toLocaleString('en')} events/s (${(bytes / 1e6 / sinkSecs).toFixed(1)} MB/s); ` +
      `CPU per event: sink ${cpuUs.sink.toFixed(1)} µs, ClickHouse ${cpuUs.server.toFixed(1)} µs; ` +
      `active parts, rows: ${parts.trim()}; load ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
  );
  if (process.env.BENCH_CLICKHOUSE_SINK_ONLY) {
    await ch.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  }
  await ch.sql('OPTIMIZE TABLE bench.events FINAL');

  // b. First pages of filtered windows over all N events.
  const source = new ClickHouseSource(target);
  const device = [...devices][2] ?? [...devices][0]!;
  const filters = [
    '',
    'ns.up.*',
    `device:${device}`,
    `device:${device} rssi<-100`,
    'snr<0 NOT gateway:demo-gateway-1*',
    'join',
    `time>=${new Date(start + 5 * 86_400_000).toISOString()} dir:up`,
  ];
  const pages: Record<string, { p50Ms: number; p95Ms: number; rows: number }> = {};
  for (const filter of filters) {
    const times: number[] = [];
    let rows = 0;
    for (let i = 0; i < 7; i++) {
      const w = source.open({ fromMs: start, toMs: start + 10 * 86_400_000, filter });
      if (!w.ok) throw new Error(w.error.message);
      const q0 = performance.now();
      const p = await w.value.page(undefined, 100);
      times.push(performance.now() - q0);
      rows = p.rows.length;
    }
    times.sort((a, b) => a - b);
    pages[filter || '(no filter)'] = { p50Ms: Math.round(times[3]!), p95Ms: Math.round(times[6]!), rows };
  }
  // c. Export of the whole window as NDJSON: the app's export path (window-export.ts → export-writer.ts).
  const whole = source.open({ fromMs: start, toMs: start + 10 * 86_400_000, filter: '' });
  if (!whole.ok) throw new Error(whole.error.message);
  const out = await ExportFile.create(path.join(dir, 'export.ndjson'));
  const e0 = performance.now();
  const ecpu0 = ourCpu();
  const exported = await writeLines((t) => readerSelection(whole.value, N, []).lines(t), out, {
    format: 'ndjson',
    slowLine: (line) => line.toString('utf8'),
    cancelled: () => false,
    progress: () => undefined,
  });
  await out.close();
  const exportSecs = (performance.now() - e0) / 1000;
  const windowExport = { eventsPerSec: exported / exportSecs, cpuUsPerEvent: ((ourCpu() - ecpu0) / exported) * 1e6 };
  if (exported !== N) throw new Error(`the window export wrote ${exported} of ${N} events`);
  log(
    `window export: ${Math.round(windowExport.eventsPerSec).toLocaleString('en')} events/s, our CPU ${windowExport.cpuUsPerEvent.toFixed(1)} µs/event`,
  );
  await source.close();
  const worst = Math.max(...Object.values(pages).map((p) => p.p95Ms));

  const table: Record<string, { result: string; target: string }> = {
    'a sink → ClickHouse': {
      result: `${Math.round(sinkRate).toLocaleString('en')} ev/s over ${N.toLocaleString('en')} events`,
      target: ingestRate
        ? `keeps up with ingest (${Math.round(ingestRate).toLocaleString('en')} ev/s): ` +
          `${sinkRate >= ingestRate ? 'met' : 'NOT met'} (${(sinkRate / ingestRate).toFixed(2)}×)`
        : 'pass the ingest rate to compare',
    },
  };
  for (const [f, p] of Object.entries(pages))
    table[`b first page: ${f}`] = {
      result: `p50 ${p.p50Ms} ms, p95 ${p.p95Ms} ms (${p.rows} rows)`,
      target: `≤ 500 ms: ${p.p95Ms <= 500 ? 'met' : 'NOT met'}`,
    };
  console.error(
    Object.entries(table)
      .map(([k, v]) => `${k.padEnd(60)} ${v.result.padEnd(50)} ${v.target}`)
      .join('\n'),
  );
  console.log(
    JSON.stringify({
      events: N,
      mallocConf: process.env.MALLOC_CONF ?? '',
      captureMb: bytes / 1e6,
      sinkEventsPerSec: sinkRate,
      sinkCpuUsPerEvent: cpuUs.sink,
      clickhouseCpuUsPerEvent: cpuUs.server,
      ratioToIngest: ingestRate ? sinkRate / ingestRate : null,
      firstPage: pages,
      worstFirstPageP95Ms: worst,
      windowExport,
    }),
  );
} finally {
  await ch.close();
  rmSync(dir, { recursive: true, force: true });
}
