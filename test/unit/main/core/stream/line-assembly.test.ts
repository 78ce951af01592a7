/**
 * Line assembly must be linear in the input (#13, failure 2): one 16 MB event in 64 KB chunks took
 * 10.6 s, a 70 MB line blocked main for minutes. And a line past the cap is reported, not grown forever.
 */
import { describe, expect, it } from 'vitest';
import { StreamDecoder, type DecodedMessage } from '../../../../../src-main/core/stream/decoder.js';
import { LineAssembler } from '../../../../../src-main/core/stream/line-assembler.js';

const event = (note: string) =>
  JSON.stringify({ result: { name: 'as.up.data.forward', time: '2026-01-01T00:00:00Z', data: { note } } });

function feed(bytes: Buffer, chunkSize: number, push: (b: Buffer) => void): void {
  for (let i = 0; i < bytes.length; i += chunkSize) push(bytes.subarray(i, i + chunkSize));
}

describe('line assembly', () => {
  it('a 64 MB line in 1 KB chunks assembles in under a second, and the decoder hands it over whole', () => {
    const note = 'y'.repeat(64_000_000);
    const body = Buffer.from(`${event(note)}\n`);
    const out: DecodedMessage[] = [];
    const d = new StreamDecoder((m) => out.push(m));
    const last = body.length - 1024;
    const started = performance.now();
    // Every chunk but the one with the newline: pure assembly, no JSON.parse yet.
    feed(body.subarray(0, last), 1024, (b) => d.push(b));
    const ms = performance.now() - started;
    d.push(body.subarray(last));
    d.end();
    // Linear work is ~65,000 small pushes (a few hundred ms at most on a busy machine); the old way
    // copied the growing line on every chunk (~2 TB) and took minutes.
    expect(ms).toBeLessThan(1000);
    expect(out.map((m) => m.kind)).toEqual(['event']);
    expect(out[0]!.kind === 'event' && (out[0]!.event.data as { note: string }).note.length).toBe(note.length);
  });

  it('a line over the cap is reported once, skipped, and the lines after it still decode', () => {
    const out: DecodedMessage[] = [];
    const d = new StreamDecoder((m) => out.push(m), { maxLineBytes: 100_000 });
    const body = Buffer.from(`${event('before')}\n\n${event('z'.repeat(300_000))}\n\n${event('after')}\n\n`);
    feed(body, 1024, (b) => d.push(b));
    d.end();
    expect(out.map((m) => m.kind)).toEqual(['event', 'malformed', 'event']);
    expect(out[1]).toMatchObject({ kind: 'malformed', reason: 'an object larger than 98 KiB was skipped' });
    expect(out[1]!.kind === 'malformed' && out[1]!.text.startsWith('{"result":{"name":"as.up.data.forward"')).toBe(
      true,
    );
    expect(out[2]!.kind === 'event' && out[2]!.event.data).toEqual({ note: 'after' });
  });

  it('an over-cap line that arrives in one chunk is reported the same way', () => {
    const out: DecodedMessage[] = [];
    const d = new StreamDecoder((m) => out.push(m), { maxLineBytes: 1000 });
    d.push(Buffer.from(`${event('z'.repeat(5000))}\n${event('after')}\n`));
    d.end();
    expect(out.map((m) => m.kind)).toEqual(['malformed', 'event']);
  });

  it('reports line offsets and what is complete', () => {
    const seen: Array<[string, number]> = [];
    const a = new LineAssembler({ line: (b, o) => seen.push([b.toString(), o]), tooLong: () => {} });
    feed(Buffer.from('ab\ncde\nfg'), 2, (b) => a.push(b));
    expect(seen).toEqual([
      ['ab', 0],
      ['cde', 3],
    ]);
    expect(a.completeBytes).toBe(7);
    expect(a.end()?.toString()).toBe('fg');
  });

  it('with chunks read into one buffer again, lines across many chunks come out whole', () => {
    const text = `short\n${'a'.repeat(50)}\n${'b'.repeat(7)}\n\nlast-without-newline`;
    const seen: string[] = [];
    const a = new LineAssembler({ line: (b) => seen.push(b.toString()), tooLong: () => {} }, { chunksReused: true });
    const reused = Buffer.alloc(8);
    for (let i = 0; i < text.length; i += 8) {
      const n = Buffer.from(text.slice(i, i + 8)).copy(reused);
      a.push(reused.subarray(0, n));
      reused.fill(0x21); // the reader's next read overwrites it
    }
    expect(seen).toEqual(['short', 'a'.repeat(50), 'b'.repeat(7), '']);
    expect(a.end()?.toString()).toBe('last-without-newline');
  });
});

describe('standard SSE framing', () => {
  it('an event over the cap is reported, and the events after it still decode', () => {
    const out: DecodedMessage[] = [];
    const d = new StreamDecoder((m) => out.push(m), { maxLineBytes: 100_000 });
    const body = Buffer.from(
      `data: ${event('before')}\n\ndata: ${event('z'.repeat(300_000))}\n\ndata: ${event('after')}\n\n`,
    );
    feed(body, 1024, (b) => d.push(b));
    d.end();
    expect(out.map((m) => m.kind)).toEqual(['event', 'malformed', 'event']);
    expect(out[1]).toMatchObject({ reason: 'an event larger than 98 KiB was skipped' });
    expect(out[2]!.kind === 'event' && out[2]!.event.data).toEqual({ note: 'after' });
  });
});
