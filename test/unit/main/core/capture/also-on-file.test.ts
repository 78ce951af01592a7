/**
 * The notes of second streams are written in order and in batches, read back by offset, and survive
 * a torn last note.
 */
import os from 'node:os';
import path from 'node:path';
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AlsoOnLog, alsoOnPath, readAlsoOn } from '../../../../../src-main/core/capture/also-on-file.js';

describe('also-on notes', () => {
  it('keeps every note of a burst, in order, and reads them back by offset', async () => {
    const segment = path.join(mkdtempSync(path.join(os.tmpdir(), 'event-desk-also-')), 'seg.ndjson');
    const log = new AlsoOnLog();
    for (let i = 0; i < 2000; i++) log.add(segment, i * 100, i % 2 ? 's2' : 's3');
    log.add(segment, 0, 's3'); // a repeat names the stream once
    await log.written();
    const lines = readFileSync(alsoOnPath(segment), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2001);
    expect(lines.map((l) => (JSON.parse(l) as { offset: number }).offset).slice(0, 2000)).toEqual(
      Array.from({ length: 2000 }, (_, i) => i * 100),
    );
    appendFileSync(alsoOnPath(segment), '{"offset":5');
    const notes = await readAlsoOn(segment);
    expect(notes.size).toBe(2000);
    expect(notes.get(0)).toEqual(['s3']);
    expect(notes.get(100)).toEqual(['s2']);
    await log.remove(segment);
    expect((await readAlsoOn(segment)).size).toBe(0);
  });
});
