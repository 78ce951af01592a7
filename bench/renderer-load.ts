/**
 * Benchmarks that need the real renderer in Chromium through the harness:
 *   4. the page under load (stack at a fixed rate in a child process, two streams): long tasks,
 *      slow frames, and the time from an event's creation in the stack to its row being painted;
 *      4b. the same with the messages view shown (the time to the newest message's row);
 *   7. startup: harness start to the first event painted, with a saved workspace to restore.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { chromium, type Page } from 'playwright';
import { startHarness } from '../src-main/core/harness/harness.js';
import type { SecretStore } from '../src-main/core/secrets/secret-store.js';
import { ok } from '../src-main/shared/result.js';
import { startStackProcess } from './stack-process.js';

/** The benchmark measures the renderer, not the keychain: keys stay in memory here. */
class MemorySecrets implements SecretStore {
  readonly #m = new Map<string, string>();
  async get(a: string) {
    return ok(this.#m.get(a));
  }
  async set(a: string, s: string) {
    this.#m.set(a, s);
    return ok(undefined);
  }
  async delete(a: string) {
    return ok(this.#m.delete(a));
  }
  async has(a: string) {
    return ok(this.#m.has(a));
  }
  async accounts() {
    return ok(new Set(this.#m.keys()));
  }
}

const RENDERER = path.resolve('dist/renderer');

/**
 * Installed in the page: long tasks, frame intervals (requestAnimationFrame), and for every new top
 * row (newest first, following the live edge) the time from the event's creation to that frame.
 */
const pageProbe = (topRow: string) => `
  window.__bench = { longTasks: [], frames: [], latencies: [], stop: false };
  new PerformanceObserver((list) => list.getEntries().forEach((e) => window.__bench.longTasks.push(e.duration))).observe({ type: 'longtask', buffered: true });
  let last = performance.now();
  let lastTop = '';
  const day = new Date();
  const frame = () => {
    const now = performance.now();
    window.__bench.frames.push(now - last);
    last = now;
    const top = document.querySelector('${topRow}');
    const text = top ? top.textContent : '';
    if (text && text !== lastTop) {
      lastTop = text;
      const [h, m, rest] = text.split(':');
      const [sec, ms] = (rest || '0.0').split('.');
      const rowMs = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), Number(h), Number(m), Number(sec), Number(ms));
      window.__bench.latencies.push(Date.now() - rowMs);
    }
    if (!window.__bench.stop) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
`;
const launch = () =>
  chromium.launch({
    executablePath: process.env.EVENT_DESK_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });

const pct = (values: number[], p: number) => {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function addStream(page: Page, server: string, kind: string, ids: string): Promise<void> {
  await page.getByRole('button', { name: '+ Stream' }).click();
  const d = page.getByRole('dialog', { name: 'Add a stream' });
  await d.getByLabel('Server').selectOption({ label: server });
  await d.getByLabel('Entity kind').selectOption(kind);
  await d.getByLabel('Entity IDs').fill(ids);
  await d.getByLabel('Verbose: every event the key can see').check();
  await d.getByRole('button', { name: 'Start stream' }).click();
  await d.waitFor({ state: 'hidden' });
}

/** The newest row's time cell of each view (newest first, following the live edge). */
const TOP_ROW = {
  events: '[aria-label="Event list"] .row .time',
  messages: '[aria-label="Messages, one row per LoRaWAN message"] .msg .time',
} as const;

/**
 * `view`: which list the page shows while the events arrive: the event list, or the messages view (one
 * row per message, grouped from the events in view as they arrive; latency is then to the message's row).
 */
export async function rendererUnderLoad(
  rate: number,
  seconds: number,
  view: keyof typeof TOP_ROW = 'events',
): Promise<Record<string, number>> {
  const stack = await startStackProcess(['--rate', String(rate), '--devices', '200', '--gateways', '10']);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-bench-ui-'));
  const harness = await startHarness({ rendererDir: RENDERER, dataDir, secrets: new MemorySecrets() });
  const browser = await launch();
  try {
    const p = await harness.core.handlers['profiles:create']({ name: 'Load', baseUrl: stack.url, color: '#1f6feb' });
    if (!p.ok) throw new Error(p.error.message);
    await harness.core.handlers['profiles:set-key'](p.value.id, stack.key);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(harness.url);
    await page.getByRole('button', { name: '+ Stream' }).waitFor();
    // A string, not a function: tsx's name helpers (`__name`) do not exist in the page.
    await page.evaluate(pageProbe(TOP_ROW[view]));
    await addStream(page, 'Load', 'application', 'demo-app');
    await addStream(page, 'Load', 'gateway', Array.from({ length: 10 }, (_, i) => `demo-gateway-${i + 1}`).join(', '));
    if (view === 'messages')
      await page.getByRole('group', { name: 'View' }).getByRole('button', { name: 'Messages' }).click();
    const started = Date.now();
    // Ignore the first two seconds (streams opening) when reporting steady-state latency.
    await page.waitForTimeout(2000);
    await page.evaluate('window.__bench.latencies = []');
    await page.waitForTimeout(Math.max(0, seconds * 1000 - (Date.now() - started)));
    const r = (await page.evaluate('(window.__bench.stop = true, window.__bench)')) as {
      longTasks: number[];
      frames: number[];
      latencies: number[];
    };
    const retainedText = (await page.getByLabel('Status').textContent()) ?? '';
    const retained = Number(/([\d,]+) events retained/.exec(retainedText)?.[1]?.replace(/,/g, '') ?? 0);
    const received = harness.core.streams
      .list()
      .reduce((n, s) => n + (harness.core.streams.stats(s.streamId)?.events ?? 0), 0);
    return {
      rate,
      seconds,
      eventsReceived: received,
      retainedInView: retained,
      longTasks: r.longTasks.length,
      longTaskP95Ms: pct(r.longTasks, 95),
      longTaskMaxMs: Math.max(0, ...r.longTasks),
      frames: r.frames.length,
      framesOver50ms: r.frames.filter((f) => f > 50).length,
      frameP95Ms: pct(r.frames, 95),
      latencyP50Ms: pct(r.latencies, 50),
      latencyP95Ms: pct(r.latencies, 95),
      latencySamples: r.latencies.length,
    };
  } finally {
    await browser.close();
    await harness.close();
    await stack.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Harness start → first event painted, restoring a saved workspace with a demo stack stream. */
export async function startup(): Promise<Record<string, number>> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-bench-start-'));
  const secrets = new MemorySecrets();
  const browser = await launch();
  try {
    // First run: create the workspace with a stream, as a user would, so the next start restores it.
    const first = await startHarness({ rendererDir: RENDERER, dataDir, secrets, demo: { rate: 50, seed: 1 } });
    const page1 = await browser.newPage();
    await page1.goto(first.url);
    await addStream(page1, 'Demo stack', 'application', 'demo-app');
    await page1.locator('[aria-label="Event list"] .row').first().waitFor();
    await page1.waitForTimeout(600); // the workspace save is coalesced
    await page1.close();
    await first.close();

    const t0 = Date.now();
    const second = await startHarness({ rendererDir: RENDERER, dataDir, secrets, demo: { rate: 50, seed: 1 } });
    const harnessReady = Date.now() - t0;
    const page = await browser.newPage();
    await page.goto(second.url);
    const shell = Date.now() - t0;
    await page.locator('[aria-label="Event list"] .row:not(.status)').first().waitFor({ timeout: 30_000 });
    const firstEvent = Date.now() - t0;
    await page.close();
    await second.close();
    return { harnessReadyMs: harnessReady, pageLoadedMs: shell, firstEventPaintedMs: firstEvent };
  } finally {
    await browser.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
