import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fileChunks } from '../../../../../src-main/core/storage/file-chunks.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-chunks-'));
const bytes = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + (i >> 8)) & 0xff));

describe('fileChunks', () => {
  it('gives every byte of the file once, in order, in chunks of the size asked for', async () => {
    const file = path.join(dir, 'f.bin');
    const content = bytes(10_000);
    writeFileSync(file, content);
    const sizes: number[] = [];
    const copies: Buffer[] = [];
    for await (const c of fileChunks(file, 1024)) {
      sizes.push(c.length);
      copies.push(Buffer.from(c)); // copied at once: its buffer is read into again when the next chunk is asked for
    }
    expect(sizes).toEqual([...Array<number>(9).fill(1024), 10_000 - 9 * 1024]);
    expect(Buffer.concat(copies).equals(content)).toBe(true);
  });

  it('gives nothing for an empty file', async () => {
    const file = path.join(dir, 'empty');
    writeFileSync(file, '');
    const got: Buffer[] = [];
    for await (const c of fileChunks(file)) got.push(c);
    expect(got).toEqual([]);
  });

  it('stops cleanly when the caller stops early (a cancelled import), with the next read in flight', async () => {
    const file = path.join(dir, 'stop.bin');
    writeFileSync(file, bytes(8192));
    const rejections: unknown[] = [];
    const onRejection = (e: unknown) => rejections.push(e);
    process.on('unhandledRejection', onRejection);
    try {
      let n = 0;
      for await (const c of fileChunks(file, 1024)) if (++n === 2 && c.length === 1024) break;
      await new Promise((r) => setTimeout(r, 20));
      expect(n).toBe(2);
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });

  it('says why when the file cannot be opened', async () => {
    await expect(fileChunks(path.join(dir, 'missing')).next()).rejects.toThrow(/ENOENT/);
  });
});
