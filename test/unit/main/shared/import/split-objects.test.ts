import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ObjectSplitter,
  type SplitObject,
  type SplitProblem,
} from '../../../../../src-main/shared/import/split-objects.js';

const samples = JSON.parse(readFileSync('test/fixtures/sample-events.json', 'utf8')) as { name: string }[];

/** Split `text`, fed in chunks of `size` characters. */
function split(text: string, size = text.length) {
  const objects: SplitObject[] = [];
  const problems: SplitProblem[] = [];
  const s = new ObjectSplitter(
    (o) => objects.push(o),
    (p) => problems.push(p),
  );
  for (let i = 0; i < text.length; i += size) s.feed(text.slice(i, i + size));
  s.end();
  const nameOf = (t: string) => {
    try {
      return (JSON.parse(t) as { name?: string }).name;
    } catch {
      return '(not JSON)';
    }
  };
  return { objects, problems, mode: s.mode, names: objects.map((o) => nameOf(o.text)) };
}

describe('splitting import files into objects', () => {
  const names = samples.map((e) => e.name);

  it('reads a TTS Console export (pretty-printed JSON array), in any chunking', () => {
    const text = JSON.stringify(samples, undefined, 2);
    for (const size of [text.length, 4096, 7, 1]) {
      const r = split(text, size);
      expect(r.mode).toBe('array');
      expect(r.names).toEqual(names);
      expect(r.problems).toEqual([]);
    }
    expect(split(text).objects[1]!.line).toBe(text.split('\n').findIndex((l, i) => i > 1 && l === '  {') + 1);
  });

  it('reads ttn-lw-cli output (pretty-printed objects one after another)', () => {
    const text = samples.map((e) => JSON.stringify(e, null, 2)).join('\n');
    const r = split(text, 333);
    expect(r.mode).toBe('objects');
    expect(r.names).toEqual(names);
  });

  it('reads NDJSON line by line, with line numbers', () => {
    const text = samples.map((e) => JSON.stringify(e)).join('\n') + '\n';
    const r = split(text, 1000);
    expect(r.mode).toBe('lines');
    expect(r.objects.map((o) => o.line)).toEqual(samples.map((_e, i) => i + 1));
  });

  it('keeps going past a broken object in pretty-printed output and names its line', () => {
    const parts = samples.slice(0, 3).map((e) => JSON.stringify(e, null, 2));
    parts[1] = parts[1]!.replace('"name": "', '"name": "unterminated\n');
    const text = parts.join('\n');
    const r = split(text);
    expect(r.names).toEqual([samples[0]!.name, samples[2]!.name]);
    expect(r.problems[0]).toEqual({
      line: parts[0]!.split('\n').length + 1,
      reason: 'a string in this object is never closed',
    });
  });

  it('reports a truncated file and keeps every complete object before the cut', () => {
    const text = JSON.stringify(samples.slice(0, 5), undefined, 2);
    const cut = text.slice(0, text.lastIndexOf('"name"'));
    const r = split(cut, 50);
    expect(r.names).toEqual(samples.slice(0, 4).map((e) => e.name));
    expect(r.problems).toEqual([
      { line: expect.any(Number), reason: expect.stringMatching(/ends in the middle of this object/) },
    ]);
  });

  it('reports text that is not JSON by line', () => {
    const r = split('{"name":"a","time":"2024-01-01T00:00:00Z"}\nhello\n', 5);
    expect(r.objects.map((o) => o.text)).toEqual(['{"name":"a","time":"2024-01-01T00:00:00Z"}', 'hello']);
    expect(r.objects[1]!.line).toBe(2);
  });
});
