/**
 * kill -9 at full speed (#13, failure 5): the app is killed while a consumer reads its batches; after
 * a restart, every event the consumer was shown is in the capture. Batches go out only once their lines
 * are written, and when the disk falls behind, ingest waits (the HTTP response is paused).
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { startStack, type StackHandle } from '../../../src-main/core/stack/server.js';
import { CaptureIndex } from '../../../src-main/core/capture/capture-index.js';

describe('killed with SIGKILL under load', () => {
  let stack: StackHandle | undefined;
  afterAll(async () => stack?.close());

  it('every event the consumer saw is on disk after a restart', { timeout: 120_000 }, async () => {
    stack = await startStack({ seed: 5, rate: Infinity, scenario: { devices: 200, gateways: 10 } });
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-kill-'));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/helpers/capture-child.ts', dataDir, stack.url, stack.demoKey],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    let last: { count: number; time: string; name: string } | undefined;
    const target = 20_000 + Math.floor(Math.random() * 20_000);
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const lines = out.split('\n');
        out = lines.pop()!;
        for (const l of lines) {
          const [, count, time, name] = l.split(' ');
          last = { count: Number(count), time: time!, name: name! };
        }
        if (last && last.count >= target) resolve();
      });
      child.once('exit', (code) => reject(new Error(`the app exited by itself (${code})`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    // Lines the child printed before it died still count: it saw those events.
    const seen = last!;

    const index = new CaptureIndex({ dir: path.join(dataDir, 'captures') });
    try {
      const [entry, ...more] = await index.catalog();
      expect(more).toEqual([]);
      const reopened = await index.reopen(entry!);
      expect(reopened.ok).toBe(true);
      let events = 0;
      let found = false;
      index.scan('w', (v) => {
        if (v.kind !== 'event') return;
        events++;
        if (!found && v.name === seen.name && v.time === seen.time) found = true;
      });
      expect(events).toBeGreaterThanOrEqual(seen.count);
      expect(found).toBe(true);
    } finally {
      await index.dispose();
    }
  });
});
