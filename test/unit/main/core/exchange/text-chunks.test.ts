/**
 * Opening a file decodes its chunks to the same text as Node's StringDecoder, whatever the bytes and
 * wherever the chunks are cut: ASCII, multi-byte characters split between chunks, and invalid UTF-8.
 */
import { StringDecoder } from 'node:string_decoder';
import { describe, expect, it } from 'vitest';
import { TextChunks } from '../../../../../src-main/core/exchange/text-chunks.js';

/** A deterministic pseudo-random generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

const PIECES = [
  '{"name":"as.up.data.forward","time":"2026-01-01T00:00:00Z"}\n',
  'température 21 °C',
  '€',
  '😀',
  'ascii only ',
  '\n',
];

function bytesOf(seed: number): Buffer {
  const r = rng(seed);
  const parts: Buffer[] = [];
  for (let i = 0; i < 300; i++) {
    const x = r();
    if (x < 0.85) parts.push(Buffer.from(PIECES[Math.floor(r() * PIECES.length)]!, 'utf8'));
    // Invalid UTF-8: lone continuation bytes, truncated sequences, bytes that never occur.
    else parts.push(Buffer.from([[0x80], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xff], [0xc3]][Math.floor(r() * 5)]!));
  }
  return Buffer.concat(parts);
}

describe('text of a file in chunks', () => {
  it('equals StringDecoder for valid, split and invalid UTF-8 at any chunk cuts', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const bytes = bytesOf(seed);
      const r = rng(seed * 7);
      const cuts: Buffer[] = [];
      for (let at = 0; at < bytes.length;) {
        const n = r() < 0.3 ? 1 + Math.floor(r() * 3) : 1 + Math.floor(r() * 200);
        cuts.push(bytes.subarray(at, at + n));
        at += n;
      }
      const reference = new StringDecoder('utf8');
      const ours = new TextChunks();
      let want = '';
      let got = '';
      for (const c of cuts) {
        want += reference.write(c);
        got += ours.write(c);
      }
      want += reference.end();
      got += ours.end();
      expect(got, `seed ${seed}`).toBe(want);
    }
  });

  it('decodes an all-ASCII chunk after a chunk that ended inside a character', () => {
    const euro = Buffer.from('€', 'utf8');
    const t = new TextChunks();
    expect(t.write(Buffer.concat([Buffer.from('a'), euro.subarray(0, 2)]))).toBe('a');
    // Not Latin-1 of these bytes: the held bytes end the character first.
    expect(t.write(Buffer.concat([euro.subarray(2), Buffer.from('b')]))).toBe('€b');
    expect(t.write(Buffer.from('plain'))).toBe('plain');
    expect(t.end()).toBe('');
  });
});
