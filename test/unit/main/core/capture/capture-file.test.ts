/**
 * A capture file's back-pressure: what ingest has appended and not yet written is counted, a wait ends
 * once the writes in flight drop to the limit asked for, and a failing disk never leaves ingest waiting.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { CaptureFile } from '../../../../../src-main/core/capture/capture-file.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'capture-file-'));
  dirs.push(d);
  return d;
};

describe('capture file back-pressure', () => {
  it('counts appended bytes until written, and a wait ends with every line in the file in order', async () => {
    const file = path.join(tmp(), 'c.ndjson');
    const { file: f } = await CaptureFile.open(file);
    const line = 'x'.repeat(1000);
    for (let i = 0; i < 5000; i++) f.append(`${i}${line}`);
    expect(f.backlog).toBeGreaterThan(4_000_000);
    await f.drained(0);
    expect(f.backlog).toBe(0);
    await f.close();
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines.length).toBe(5000);
    expect(lines.every((l, i) => l === `${i}${line}`)).toBe(true);
  });

  it('resolves each flush once its own lines are in the file, while later ones are still being written', async () => {
    const file = path.join(tmp(), 'c.ndjson');
    const { file: f } = await CaptureFile.open(file);
    const line = 'w'.repeat(700);
    const checks: Promise<void>[] = [];
    // Flushes asked for while earlier writes are in flight (as pushes do at full speed) are written together.
    for (let i = 0; i < 40; i++) {
      for (let j = 0; j < 200; j++) f.append(`${i}:${j}${line}`);
      const upTo = f.size;
      checks.push(f.flush().then(() => expect(statSync(file).size).toBeGreaterThanOrEqual(upTo)));
    }
    await Promise.all(checks);
    expect(f.backlog).toBe(0);
    expect(await f.read(0, 704)).toBe(`0:0${line}`);
    await f.close();
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines.length).toBe(8000);
    expect(lines[7999]).toBe(`39:199${line}`);
  });

  it('lets a flush go when its write fails', async () => {
    const errors: Error[] = [];
    const { file: f } = await CaptureFile.open(path.join(tmp(), 'c.ndjson'), { onError: (e) => errors.push(e) });
    await f.close();
    f.append('z'.repeat(100));
    await f.flush();
    expect(errors.length).toBe(1);
    expect(f.backlog).toBe(0);
    // Nothing more is taken once the disk failed: the index reports it and stops the stream.
    expect(() => f.append('z')).toThrow(errors[0]!.message);
  });

  it('lets a waiting ingest go when a write fails', async () => {
    const errors: Error[] = [];
    const { file: f } = await CaptureFile.open(path.join(tmp(), 'c.ndjson'), { onError: (e) => errors.push(e) });
    await f.close(); // every later write fails: the handle is closed
    for (let i = 0; i < 3000; i++) f.append('y'.repeat(1000));
    await f.drained(0);
    expect(errors.length).toBeGreaterThan(0);
    expect(f.backlog).toBe(0);
  });

  it('stores lines given as bytes exactly as they are, between lines given as text', async () => {
    const file = path.join(tmp(), 'c.ndjson');
    const { file: f } = await CaptureFile.open(file);
    const text = '{"note":"température ✓ 😀"}';
    // Bytes no UTF-8 decoder would give back (a lone continuation byte) stay the server's bytes.
    const odd = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0x80, 0x22, 0x7d]);
    const big = Buffer.from(`{"big":"${'z'.repeat(3 * 1024 * 1024)}"}`);
    const slots = [f.append(text), f.append(Buffer.from(text)), f.append(odd), f.append(big), f.append(text)];
    await f.close();
    const bytes = readFileSync(file);
    const back = slots.map((s) => bytes.subarray(s.offset, s.offset + s.length - 1));
    expect(back[0]!.toString('utf8')).toBe(text);
    expect(back[1]!.toString('utf8')).toBe(text);
    expect(back[2]!.equals(odd)).toBe(true);
    expect(back[3]!.equals(big)).toBe(true);
    expect(back[4]!.toString('utf8')).toBe(text);
    expect(bytes.length).toBe(slots.reduce((n, s) => n + s.length, 0));
  });
});

describe('reopening a capture file', () => {
  it('reads every line back with its offset, lines longer than a read chunk included, and cuts a torn tail', async () => {
    const file = path.join(tmp(), 'c.ndjson');
    const lines = [
      '{"n":0}',
      `{"big":"${'y'.repeat(3 * 1024 * 1024 + 17)}"}`, // across four 1 MB reads of two reused buffers
      ...Array.from({ length: 20_000 }, (_, n) => `{"n":${n + 1},"note":"${'x'.repeat(n % 300)} ✓"}`),
      `{"big":"${'w'.repeat(2 * 1024 * 1024)}"}`,
      '{"last":true}',
    ];
    const torn = '{"torn":"cut by a cr';
    writeFileSync(file, lines.map((l) => `${l}\n`).join('') + torn);
    const seen: { line: string; offset: number }[] = [];
    const { file: f, report } = await CaptureFile.open(file, { onLine: (line, offset) => seen.push({ line, offset }) });
    await f.close();
    expect(seen.map((s) => s.line)).toEqual(lines);
    const starts: number[] = [];
    let at = 0;
    for (const l of lines) {
      starts.push(at);
      at += Buffer.byteLength(l) + 1;
    }
    expect(seen.map((s) => s.offset)).toEqual(starts);
    expect(report).toEqual({ lines: lines.length, tornBytes: torn.length });
    expect(statSync(file).size).toBe(at);
  });
});
