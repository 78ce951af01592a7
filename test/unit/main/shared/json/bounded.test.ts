import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  boundedStringify,
  exceedsDepth,
  jsonPreview,
  MAX_JSON_DEPTH,
  stringifyDeep,
  tryStringify,
} from '../../../../../src-main/shared/json/bounded.js';

const REAL = 'test/fixtures/real';

const nested = (depth: number, leaf: unknown = 1): unknown => {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
};

describe('bounded JSON helpers (#13: nothing server-sent may overflow the stack)', () => {
  it('writes what JSON.stringify writes for ordinary values', () => {
    const samples: unknown[] = [
      null,
      1,
      -0.5,
      'a"b\n',
      true,
      [],
      {},
      [1, 'x', null, { b: [true] }],
      { a: undefined, b: () => 1, c: [undefined, NaN, Infinity] },
      { 'k"ey': { nested: [1, { deep: 'x' }] } },
    ];
    for (const v of samples)
      expect(boundedStringify(v)).toEqual({ ok: true, text: JSON.stringify(v), truncated: false });
  });

  it('previews small and large values, sample payloads and real ones, as the bounded writer cuts them', () => {
    const files = ['test/fixtures/sample-events.json', ...readdirSync(REAL).map((f) => `${REAL}/${f}`)];
    const payloads: unknown[] = [];
    for (const f of files.filter((n) => n.endsWith('.json')))
      JSON.parse(readFileSync(f, 'utf8'), (k, v: unknown) => (k === 'decoded_payload' && payloads.push(v), v));
    expect(payloads.length).toBeGreaterThan(10);
    const made = [
      { temperature: 21.5, note: 'température 😀', quote: 'a"b\\c\n', list: [1, null, true, 'x'] },
      { big: 'x'.repeat(5_000), after: 1 },
      { many: Array.from({ length: 2_000 }, (_, i) => ({ i, s: String(i) })) },
      { escapes: '\u0000'.repeat(500) },
      nested(MAX_JSON_DEPTH - 1, 'leaf'),
      [],
      {},
    ];
    for (const v of [...payloads, ...made].map((x) => JSON.parse(JSON.stringify(x)) as unknown))
      for (const n of [0, 7, 120, 100_000]) {
        const r = boundedStringify(v, { maxLength: n });
        expect(jsonPreview(v, n)).toBe(r.ok ? r.text : 'too deep to show');
      }
  });

  it('cuts at the length budget and says so', () => {
    const r = boundedStringify({ list: Array.from({ length: 100_000 }, (_, i) => i) }, { maxLength: 20 });
    expect(r).toEqual({ ok: true, text: '{"list":[0,1,2,3,4,5', truncated: true });
  });

  it('a value 10,000 levels deep: depth check, preview and exact text, where JSON.stringify throws', () => {
    const deep = nested(10_000);
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    expect(exceedsDepth(deep)).toBe(true);
    expect(boundedStringify(deep)).toEqual({ ok: false, reason: 'too-deep' });
    expect(jsonPreview(deep, 120)).toBe('too deep to show');
    expect(tryStringify(deep)).toBeUndefined();
    const text = stringifyDeep(deep);
    expect(text.length).toBeGreaterThan(30_000);
    expect(JSON.parse(text)).toBeTruthy();
  });

  it('the limit is exact: MAX_JSON_DEPTH levels pass, one more does not', () => {
    expect(exceedsDepth(nested(MAX_JSON_DEPTH))).toBe(false);
    expect(exceedsDepth(nested(MAX_JSON_DEPTH + 1))).toBe(true);
    expect(jsonPreview(nested(3), 120)).toBe('{"a":[{"a":1}]}');
  });
});
