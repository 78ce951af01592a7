import { describe, expect, it } from 'vitest';
import { eventTimeMs } from '../../../../../src-main/shared/tts/event-time';
import { readFileSync, readdirSync } from 'node:fs';

/** Same as Date.parse, NaN included. */
const same = (text: unknown) => expect([text, eventTimeMs(text)]).toEqual([text, Date.parse(text as string)]);

describe('eventTimeMs', () => {
  it('reads the server layout with any number of fraction digits as Date.parse does', () => {
    for (const t of [
      '2025-06-15T15:06:40.185005005Z',
      '2025-06-15T15:06:40.185Z',
      '2025-06-15T15:06:40Z',
      '2025-06-15T15:06:40.1Z',
      '2025-06-15T15:06:40.18Z',
      '2025-06-15T15:06:40.1855Z',
      '2025-06-15T15:06:40.9999999999Z',
      '1969-12-31T23:59:59.999Z',
      '9999-12-31T23:59:59.999Z',
      '0000-01-01T00:00:00Z',
    ])
      same(t);
  });

  it('gives what Date.parse gives for odd and broken times, whatever it cached before', () => {
    const odd = [
      '2025-06-15T15:06:60Z',
      '2025-06-15T24:00:00Z',
      '2025-06-15T24:00:00.500Z',
      '2025-02-29T00:00:00Z',
      '2025-06-31T00:00:00.250Z',
      '2025-13-15T15:06:40Z',
      '2025-06-15t15:06:40Z',
      '2025-06-15T15:06:40.185z',
      '2025-06-15 15:06:40Z',
      '2025-06-15T15:06:40+02:00',
      '2025-06-15T15:06:40.Z',
      '2025-06-15T15:06:40.1a5Z',
      '2025-06-15T15:06:40.185005005',
      '+002025-06-15T15:06:40Z',
      '2025-06-15T15:06:40,5Z',
      '',
      'Z',
      undefined,
      null,
      1750000000000,
      'yesterday',
      '2025-06-15T15:06:40.' + '1'.repeat(40) + 'Z',
    ];
    // Each odd time right after a valid one of the same second, so a cached prefix is in play.
    for (const t of odd) {
      if (typeof t === 'string') same(`${t.slice(0, 19)}.5Z`);
      same(t);
    }
  });

  it('matches Date.parse over 20,000 generated times, valid and nearly valid', () => {
    let seed = 7;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
    const pad = (v: number, w: number) => String(v).padStart(w, '0');
    const base = Date.parse('2025-06-15T15:06:40Z');
    for (let i = 0; i < 20_000; i++) {
      const iso = new Date(base + rnd(5_000) * 397 - rnd(3) * 86_400_000).toISOString();
      let t = iso.slice(0, 19);
      const frac = rnd(11);
      if (frac > 0) t += '.' + Array.from({ length: frac }, () => rnd(10)).join('');
      t += 'Z';
      // One in eight gets a character changed: a letter, a digit out of range, a separator.
      if (rnd(8) === 0) {
        const at = rnd(t.length);
        t = t.slice(0, at) + ['x', '9', ':', '.', 'z', ' '][rnd(6)] + t.slice(at + 1);
      }
      if (rnd(50) === 0) t = `${pad(rnd(10_000), 4)}${t.slice(4)}`;
      same(t);
    }
  });

  it('reads every time of the sample events and of the real public data as Date.parse does', () => {
    const texts = [readFileSync('test/fixtures/sample-events.json', 'utf8')];
    for (const f of readdirSync('test/fixtures/real').filter((n) => n.endsWith('.json')))
      texts.push(readFileSync(`test/fixtures/real/${f}`, 'utf8'));
    const times = texts.flatMap((t) => [...t.matchAll(/"time": ?"([^"]*)"/g)].map((m) => m[1]!));
    expect(times.length).toBeGreaterThan(100);
    expect(times.filter((t) => !Number.isNaN(Date.parse(t))).length).toBe(times.length);
    for (const t of times) same(t);
  });
});
