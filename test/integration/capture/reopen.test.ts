/**
 * Reopening a capture file (#13): a whole last object that only lost its newline is an event, not a
 * torn tail (failure 9); reading is linear in the file (failure 2); the file is private (failure 10).
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CaptureIndex } from '../../../src-main/core/capture/capture-index.js';
import { entriesOf, filesOf } from '../../helpers/index-entries.js';
import { reopenFile, WORKSPACE } from '../../helpers/reopen-file.js';

const dir = () => mkdtempSync(path.join(os.tmpdir(), 'event-desk-reopen-'));
const line = (n: number, extra = '') =>
  `{"name":"as.up.data.forward","time":"2026-01-01T00:00:0${n}Z","unique_id":"u${n}"${extra}}`;

describe('reopening a capture', () => {
  it('keeps a complete last object that has no final newline, and appends after it on a line of its own', async () => {
    const file = path.join(dir(), 'c.ndjson');
    writeFileSync(file, `${line(1)}\n${line(2)}`);
    const { index, entries, tornBytes } = await reopenFile(file);
    expect({ entries, tornBytes }).toEqual({ entries: 2, tornBytes: 0 });
    const reopened = entriesOf(index, WORKSPACE);
    expect(reopened.map((s) => s.time)).toEqual(['2026-01-01T00:00:01Z', '2026-01-01T00:00:02Z']);
    expect(await index.raw(reopened[1]!.id)).toBe(line(2));
    index.appendEvent('s1', line(3), { name: 'as.up.data.forward', time: '2026-01-01T00:00:03Z', unique_id: 'u3' });
    await index.dispose();
    expect(readFileSync(file, 'utf8')).toBe(`${line(1)}\n${line(2)}\n${line(3)}\n`);
  });

  it('still cuts a truly torn last line', async () => {
    const file = path.join(dir(), 'c.ndjson');
    writeFileSync(file, `${line(1)}\n{"name":"as.up.da`);
    const { index, entries, tornBytes } = await reopenFile(file);
    expect({ entries, tornBytes }).toEqual({ entries: 1, tornBytes: '{"name":"as.up.da'.length });
    expect(entriesOf(index, WORKSPACE)).toHaveLength(1);
    await index.dispose();
    expect(readFileSync(file, 'utf8')).toBe(`${line(1)}\n`);
  });

  it('creates capture files readable by the user only (0600)', async () => {
    const index = new CaptureIndex({ dir: dir() });
    const opened = await index.open('s1', WORKSPACE, 'stream');
    if (!opened.ok) throw new Error(opened.error.message);
    index.appendEvent('s1', line(1), { name: 'as.up.data.forward', time: '2026-01-01T00:00:01Z' });
    const [file] = filesOf(index, WORKSPACE);
    await index.dispose();
    expect(readFileSync(file!, 'utf8')).toBe(`${line(1)}\n`);
    expect(statSync(file!).mode & 0o777).toBe(0o600);
  });

  // Was 85 s (the carry was re-copied on every 64 KB read), now about a second: the test's own timeout is the bound.
  it('reopens a capture holding a 50 MB line', { timeout: 20_000 }, async () => {
    const file = path.join(dir(), 'big.ndjson');
    writeFileSync(file, `${line(1)}\n${line(2, `,"data":{"note":"${'x'.repeat(50_000_000)}"}`)}\n${line(3)}\n`);
    const { index, entries, tornBytes } = await reopenFile(file);
    expect({ entries, tornBytes }).toEqual({ entries: 3, tornBytes: 0 });
    expect(entriesOf(index, WORKSPACE).map((s) => s.time)).toEqual([
      '2026-01-01T00:00:01Z',
      '2026-01-01T00:00:02Z',
      '2026-01-01T00:00:03Z',
    ]);
    await index.dispose();
  });
});
