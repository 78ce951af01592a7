import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, readFileSync } from 'node:fs';
import { Capture } from '../../../src-main/core/capture/capture.js';

describe('a capture after a crash', () => {
  it(
    'SIGKILL mid-write: reopening keeps every complete line and reports the torn one',
    { timeout: 60_000 },
    async () => {
      const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'event-desk-crash-')), 'c.ndjson');
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/capture-writer.ts', file], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('torn')) resolve();
        });
        child.on('exit', (code) => reject(new Error(`writer exited early (${code}): ${out}`)));
      });
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const flushed = Number(/flushed (\d+)\ntorn/.exec(out)?.[1]);
      expect(flushed).toBe(1000);

      const { capture, report } = await Capture.open(file, 's1', 0);
      expect(report.lines).toBe(flushed);
      expect(report.tornBytes).toBe('{"name":"as.up.data.forward","time":"2026-'.length);
      expect(capture.summaries.map((s) => s.name)).toEqual(Array(flushed).fill('as.up.data.forward'));
      expect(readFileSync(file, 'utf8').endsWith('}\n')).toBe(true);

      // The reopened capture appends cleanly after the cut.
      const summary = capture.appendEvent(
        '{"name":"ns.up.data.receive","time":"2026-01-01T00:00:00Z","unique_id":"X"}',
        { name: 'ns.up.data.receive', time: '2026-01-01T00:00:00Z', unique_id: 'X' },
      );
      await capture.close();
      const lines = readFileSync(file, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(flushed + 1);
      expect(JSON.parse(lines.at(-1)!).unique_id).toBe('X');
      expect(summary.id).toBe(flushed);
    },
  );
});
