/**
 * The devices' frame counters behind the 32-bit FCnt recovery (#18): the last counter before a frame in
 * time, kept compact (two points per 16-bit window) and saved; a damaged file is said and starts empty.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FCntHistory } from '../../../../../src-main/core/frames/fcnt-history.js';
import { fullFCnt } from '../../../../../src-main/core/frames/crypto.js';

describe('FCntHistory', () => {
  it('answers the last counter before a time, through roll-overs, whatever order frames were proved in', () => {
    const h = new FCntHistory();
    // A device counting one frame a second across 16-bit windows, proved out of order.
    const frames = [65_530, 65_534, 65_537, 70_000, 131_080].map((full, i) => ({ full, ms: 1000 * (i + 1) }));
    for (const f of [frames[3]!, frames[0]!, frames[4]!, frames[1]!, frames[2]!]) h.record('d/up', f.ms, f.full);
    for (const f of frames.slice(1)) {
      const last = h.before('d/up', f.ms);
      expect(fullFCnt(f.full & 0xffff, last), `frame ${f.full}`).toBe(f.full);
    }
    expect(h.before('d/up', 500)).toBeUndefined();
    expect(h.before('d/down', 5000)).toBeUndefined();
  });

  it('keeps two points per window however many frames it saw', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'frames-hist-'));
    const h = new FCntHistory(dir);
    for (let i = 0; i < 1000; i++) h.record('d/up', i, 10 + i);
    // A frame between the lowest and highest still finds its window.
    expect(fullFCnt(500, h.before('d/up', 490))).toBe(500);
    await h.save();
    const again = new FCntHistory(dir);
    await again.load();
    expect(again.before('d/up', 2000)).toBe(1009);
    expect(again.before('d/up', 5)).toBe(10);
  });

  it('says when its file is damaged and starts empty', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'frames-hist-'));
    writeFileSync(path.join(dir, 'frame-counters.json'), '{"schema":1,"counters":');
    const logs: string[] = [];
    const h = new FCntHistory(dir, (m) => logs.push(m));
    await h.load();
    expect(h.before('d/up', 1e15)).toBeUndefined();
    expect(logs.join('\n')).toMatch(/frame-counters.json could not be read .*start again from the frames/);
  });
});
