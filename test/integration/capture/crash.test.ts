import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, readFileSync } from 'node:fs';
import { entriesOf } from '../../helpers/index-entries.js';
import { reopenFile, WORKSPACE } from '../../helpers/reopen-file.js';

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

      const { index, entries, tornBytes } = await reopenFile(file);
      expect(entries).toBe(flushed);
      expect(tornBytes).toBe('{"name":"as.up.data.forward","time":"2026-'.length);
      expect(entriesOf(index, WORKSPACE).map((s) => s.name)).toEqual(Array(flushed).fill('as.up.data.forward'));
      expect(readFileSync(file, 'utf8').endsWith('}\n')).toBe(true);

      // The reopened capture appends cleanly after the cut.
      const summary = index.appendEvent(
        's1',
        '{"name":"ns.up.data.receive","time":"2026-01-01T00:00:00Z","unique_id":"X"}',
        { name: 'ns.up.data.receive', time: '2026-01-01T00:00:00Z', unique_id: 'X' },
      );
      const after = entriesOf(index, WORKSPACE);
      await index.dispose();
      const lines = readFileSync(file, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(flushed + 1);
      expect(JSON.parse(lines.at(-1)!).unique_id).toBe('X');
      expect(after).toHaveLength(flushed + 1);
      expect(after.at(-1)?.id).toBe(summary?.id);
    },
  );
});
