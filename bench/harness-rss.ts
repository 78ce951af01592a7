/**
 * Child process of `npm run bench` (BENCH_ONLY=harness): the #14 row "main-process RSS on the real
 * path". The built-in stack runs in its own process at full speed; this process is the harness (the
 * core as browser mode runs it: profiles, keychain stand-in, stream manager, capture index, pushes
 * serialised for the window's socket) streaming one application and its ten gateways until
 * BENCH_HARNESS_EVENTS (default 1,000,000) events are captured. Resident memory is sampled every
 * 100 ms; idle is the harness started, before the stream. No window is connected, so pushes are
 * serialised but not buffered for a socket. Prints one JSON line.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { startHarness } from '../src-main/core/harness/harness.js';
import { ok, type Result } from '../src-main/shared/result.js';
import type { SecretStore } from '../src-main/core/secrets/secret-store.js';
import { startStackProcess } from './stack-process.js';

const N = Number(process.env.BENCH_HARNESS_EVENTS ?? 1_000_000);
const TIMEOUT_S = Number(process.env.BENCH_HARNESS_TIMEOUT ?? 1800);
const log = (m: string) => console.error(`[harness] ${m}`);
const gc = (globalThis as { gc?: () => void }).gc;

/** The API key in memory: the OS keychain is not what is measured. */
const secrets: SecretStore = (() => {
  const m = new Map<string, string>();
  return {
    get: async (a: string): Promise<Result<string | undefined>> => ok(m.get(a)),
    set: async (a: string, s: string): Promise<Result<void>> => ok(void m.set(a, s)),
    delete: async (a: string): Promise<Result<boolean>> => ok(m.delete(a)),
    has: async (a: string): Promise<Result<boolean>> => ok(m.has(a)),
    accounts: async (): Promise<Result<Set<string>>> => ok(new Set(m.keys())),
  };
})();

const stack = await startStackProcess(['--rate', 'max', '--devices', '200', '--gateways', '10']);
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-harness-rss-'));
const harness = await startHarness({ rendererDir: path.resolve('dist/renderer'), dataDir, secrets });
const { handlers } = harness.core;
try {
  const p = await handlers['profiles:create']({ name: 'Bench', baseUrl: stack.url, color: '#1f6feb' });
  if (!p.ok) throw new Error(p.error.message);
  const k = await handlers['profiles:set-key'](p.value.id, stack.key);
  if (!k.ok) throw new Error(k.error.message);
  await new Promise((r) => setTimeout(r, 500));
  gc?.();
  const idle = process.memoryUsage().rss;
  let peak = idle;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  const s = await handlers['streams:start']({
    workspaceId: 'bench',
    profileId: p.value.id,
    entities: [
      { kind: 'application', id: 'demo-app' },
      ...Array.from({ length: 10 }, (_, i) => ({ kind: 'gateway' as const, id: `demo-gateway-${i + 1}` })),
    ],
    names: [],
  });
  if (!s.ok) throw new Error(s.error.message);
  const start = Date.now();
  let events = 0;
  let lastLog = 0;
  while (events < N && Date.now() - start < TIMEOUT_S * 1000) {
    await new Promise((r) => setTimeout(r, 250));
    events = harness.core.streams.stats(s.value.streamId)?.events ?? 0;
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      log(`${events.toLocaleString('en')} events, RSS ${Math.round(process.memoryUsage().rss / 1e6)} MB`);
    }
  }
  const seconds = (Date.now() - start) / 1000;
  clearInterval(sampler);
  const end = process.memoryUsage().rss;
  console.log(
    JSON.stringify({
      events,
      target: N,
      seconds,
      eventsPerSec: events / seconds,
      idleRssMb: idle / 1e6,
      peakRssMb: peak / 1e6,
      endRssMb: end / 1e6,
      peakAboveIdleMb: (peak - idle) / 1e6,
      retained: harness.core.index.retained('bench'),
    }),
  );
} finally {
  await harness.close();
  await stack.close();
  rmSync(dataDir, { recursive: true, force: true });
}
