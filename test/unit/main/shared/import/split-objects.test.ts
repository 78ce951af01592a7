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

  it('skips each element of a minified JSON array that is not an object, and reads the objects after it', () => {
    const [a, b, c] = samples.slice(0, 3).map((e) => JSON.stringify(e));
    const text = `[${a},"junk, with a comma and a {",42,null,{"foo":1},${b},[1,[2,"]"]],true,${c}]`;
    for (const size of [text.length, 7, 1]) {
      const r = split(text, size);
      expect(r.mode).toBe('array');
      expect(r.names).toEqual([samples[0]!.name, undefined, samples[1]!.name, samples[2]!.name]);
      expect(r.problems, `chunks of ${size}`).toEqual([
        { line: 1, reason: 'a string, not a JSON object' },
        { line: 1, reason: 'a number, not a JSON object' },
        { line: 1, reason: 'null, not a JSON object' },
        { line: 1, reason: 'an array, not a JSON object' },
        { line: 1, reason: 'a boolean, not a JSON object' },
      ]);
    }
  });

  it('skips the same elements of a pretty-printed JSON array, each on its own line', () => {
    const text = JSON.stringify([samples[0], 'junk', 42, null, samples[1], [1, 2]], undefined, 2);
    const lineOf = (l: string) => text.split('\n').indexOf(l) + 1;
    const r = split(text, 100);
    expect(r.names).toEqual([samples[0]!.name, samples[1]!.name]);
    expect(r.problems).toEqual([
      { line: lineOf('  "junk",'), reason: 'a string, not a JSON object' },
      { line: lineOf('  42,'), reason: 'a number, not a JSON object' },
      { line: lineOf('  null,'), reason: 'null, not a JSON object' },
      { line: lineOf('  ['), reason: 'an array, not a JSON object' },
    ]);
  });

  it('still reports a JSON array cut off after an element that is not an object', () => {
    const text = `[${JSON.stringify(samples[0])},"junk",${JSON.stringify(samples[1])},4`;
    const r = split(text, 10);
    expect(r.names).toEqual([samples[0]!.name, samples[1]!.name]);
    expect(r.problems).toEqual([
      { line: 1, reason: 'a string, not a JSON object' },
      { line: 1, reason: 'a number, not a JSON object' },
      { line: 1, reason: expect.stringMatching(/^the JSON array is never closed/) },
    ]);
  });

  it('decides the format from the first line that starts JSON, past log lines before it', () => {
    const log = '  INFO Subscribing to events…    application_id=app1\n\n  WARN Slow   latency=2s\n';
    const cli = samples
      .slice(0, 3)
      .map((e) => JSON.stringify(e, null, 2))
      .join('\n');
    const ndjson = samples
      .slice(0, 3)
      .map((e) => JSON.stringify(e))
      .join('\n');
    const array = JSON.stringify(samples.slice(0, 3), undefined, 2);
    for (const [body, mode] of [
      [cli, 'objects'],
      [ndjson, 'lines'],
      [array, 'array'],
    ] as const)
      for (const size of [100_000, 50, 1]) {
        const r = split(log + body, size);
        expect(r.mode, `${mode} in chunks of ${size}`).toBe(mode);
        // The log lines go to the reader as lines that are not JSON, as NDJSON's do, to be reported there.
        expect(r.objects.slice(0, 2)).toEqual([
          { line: 1, text: '  INFO Subscribing to events…    application_id=app1' },
          { line: 3, text: '  WARN Slow   latency=2s' },
        ]);
        expect(r.names.slice(2)).toEqual(samples.slice(0, 3).map((e) => e.name));
        expect(r.objects[2]!.line).toBe(mode === 'array' ? 5 : 4); // the array's `[` is line 4
        expect(r.problems).toEqual([]);
      }
  });

  it('reads a first line longer than a megabyte as NDJSON when it is one event, as objects when it holds several', () => {
    const big = JSON.stringify({ name: 'a', time: '2024-01-01T00:00:00Z', data: { blob: 'x'.repeat(1536 * 1024) } });
    const small = '{"name":"b","time":"2024-01-01T00:00:01Z"}';
    const ndjson = split(`${big}\n${small}\n`, 64 * 1024);
    expect([ndjson.mode, ndjson.names, ndjson.problems]).toEqual(['lines', ['a', 'b'], []]);
    // Concatenated minified objects on one long line: not one object per line.
    const concatenated = split(`${small}${big}\n`, 64 * 1024);
    expect([concatenated.mode, concatenated.names, concatenated.problems]).toEqual(['objects', ['b', 'a'], []]);
  });
});
